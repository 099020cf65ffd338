#pragma once

#include "apitypes.h"

#include <QJsonArray>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <optional>

class QLabel;
class QVBoxLayout;

namespace tenovos {

class MetadataFieldEditor;

// The fields of one metadata template, in group boxes in the template's
// group order and fieldOrder, and the create call's "metadata" array built
// from them. Hidden attributes get no field; read-only ones a disabled one.
// Required fields carry a "*" after their label and the accessible
// description "Required".
class MetadataFieldsWidget : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetadataFieldsWidget)

public:
    explicit MetadataFieldsWidget(QWidget *parent = nullptr);

    // Replaces the fields with those of metadataTemplate. Vocabulary fields
    // stay disabled until setVocabulary() gives their values.
    void setTemplate(const MetadataTemplate &metadataTemplate);
    // Removes every field and shows placeholder instead.
    void clear(const QString &placeholder = QString());
    bool hasTemplate() const { return m_hasTemplate; }
    // The template given to setTemplate(); empty after clear().
    const MetadataTemplate &metadataTemplate() const { return m_template; }

    // Controlled vocabularies the editable fields need, each id once.
    QStringList vocabularyIds() const;
    void setVocabulary(const Vocabulary &vocabulary);
    void setVocabularyFailed(const QString &vocabularyId, const QString &message);
    // Whether every vocabulary field has its values.
    bool isLoaded() const;

    // Sets field values: key is an attribute's id or name, value as
    // MetadataFieldEditor::applyText() takes it. Values for attributes the
    // template lacks, hides or makes read-only are not applied and are
    // reported through valueRejected().
    void applyValues(const QList<QPair<QString, QString>> &values);
    // Values of the editable fields that have one, as (attribute id, text)
    // pairs that applyValues() takes back.
    QList<QPair<QString, QString>> values() const;

    // The field of the attribute with this id or name; nullptr for hidden
    // attributes and unknown keys.
    MetadataFieldEditor *editor(const QString &attributeNameOrId) const;

    // Builds the create call's metadata array: one item per editable field
    // with a value, in display order. Empty optional fields are left out.
    // Returns nothing and sets *error (naming the field and what to do) when
    // no template is loaded, a required field is empty, or the values of a
    // required vocabulary field have not arrived.
    std::optional<QJsonArray> metadata(QString *error) const;

Q_SIGNALS:
    void valuesChanged();
    // A value given to applyValues() could not be applied; message names it
    // and gives the reason.
    void valueRejected(const QString &message);

private:
    QWidget *createGroup(const MetadataGroup &group);

    QVBoxLayout *m_layout;
    QLabel *m_placeholder;
    QWidget *m_content = nullptr;
    MetadataTemplate m_template;
    bool m_hasTemplate = false;
    QList<MetadataFieldEditor *> m_editors; // display order
};

} // namespace tenovos
