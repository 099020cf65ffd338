#pragma once

#include "apitypes.h"

#include <QJsonObject>
#include <QString>
#include <QWidget>

namespace tenovos {

// Editor of one metadata template attribute. create() picks the widget from
// the attribute's type:
//   text                          QLineEdit
//   date                          QDateEdit with calendar popup, behind a
//                                 check box so that "no date" is possible
//   controlledVocabulary          QComboBox
//   controlledVocabulary, multi   QListWidget with checkable values
// Read-only attributes get a disabled editor of their type; attributes of
// other types (tables, for example) get a label. Neither is ever sent.
class MetadataFieldEditor : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MetadataFieldEditor)

public:
    static MetadataFieldEditor *create(const MetadataAttribute &attribute, QWidget *parent = nullptr);

    const MetadataAttribute &attribute() const { return m_attribute; }

    // Whether the user can give the attribute a value, so that it is sent:
    // a visible, writable attribute of a supported type.
    virtual bool isEditable() const;

    // Whether the editor has no value.
    virtual bool isEmpty() const = 0;

    // The create call's metadata item for the current value. Only meaningful
    // when isEditable() and !isEmpty().
    virtual QJsonObject item() const = 0;

    // The current value as text that applyText() takes back: text as typed,
    // a date as yyyy-MM-dd, vocabulary value ids separated by ';'. Empty when
    // isEmpty().
    virtual QString valueText() const = 0;

    // Sets the value from text: a date as yyyy-MM-dd or mm/dd/yyyy,
    // vocabulary values by name or id (several separated by ';'). A
    // vocabulary editor keeps the text until setVocabulary() and applies it
    // then. A value that does not fit is reported through valueRejected().
    virtual void applyText(const QString &text) = 0;

    // Id of the controlled vocabulary this editor needs before it can take a
    // value; empty for other editors and for read-only fields.
    QString vocabularyId() const;
    // Whether the values the editor offers have arrived (always true without
    // a vocabulary).
    virtual bool isLoaded() const { return true; }
    virtual void setVocabulary(const Vocabulary &vocabulary);
    // Shows that the vocabulary could not be loaded, with message as the reason.
    virtual void setVocabularyFailed(const QString &message);

    // The widget that takes keyboard focus and is the label's buddy.
    virtual QWidget *inputWidget() const = 0;

Q_SIGNALS:
    void valueChanged();
    // A value given to applyText() does not fit the field. message names the
    // field and the value and tells the user what to do.
    void valueRejected(const QString &message);

protected:
    MetadataFieldEditor(const MetadataAttribute &attribute, QWidget *parent);

private:
    MetadataAttribute m_attribute;
};

} // namespace tenovos
