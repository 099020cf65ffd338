#include "metadatafieldswidget.h"

#include "metadatafieldeditor.h"

#include <QFormLayout>
#include <QGroupBox>
#include <QLabel>
#include <QVBoxLayout>

namespace tenovos {

MetadataFieldsWidget::MetadataFieldsWidget(QWidget *parent)
    : QWidget(parent)
    , m_layout(new QVBoxLayout(this))
    , m_placeholder(new QLabel(this))
{
    m_layout->setContentsMargins(0, 0, 0, 0);
    m_placeholder->setWordWrap(true);
    m_placeholder->setObjectName(QStringLiteral("metadataFieldsPlaceholder"));
    m_layout->addWidget(m_placeholder);
    clear();
}

void MetadataFieldsWidget::clear(const QString &placeholder)
{
    if (m_content) {
        // Taken out of the widget tree at once, so that findChild() no longer
        // returns the old fields, and deleted later, because this may run
        // inside one of their signals.
        m_content->hide();
        m_content->setParent(nullptr);
        m_content->deleteLater();
        m_content = nullptr;
    }
    m_editors.clear();
    m_template = MetadataTemplate();
    m_hasTemplate = false;
    m_placeholder->setText(placeholder);
    m_placeholder->setVisible(!placeholder.isEmpty());
}

void MetadataFieldsWidget::setTemplate(const MetadataTemplate &metadataTemplate)
{
    clear();
    m_template = metadataTemplate;
    m_hasTemplate = true;

    m_content = new QWidget(this);
    auto *contentLayout = new QVBoxLayout(m_content);
    contentLayout->setContentsMargins(0, 0, 0, 0);

    bool anyRequired = false;
    for (const MetadataGroup &group : metadataTemplate.groups) {
        if (QWidget *box = createGroup(group))
            contentLayout->addWidget(box);
    }
    for (const MetadataFieldEditor *editor : std::as_const(m_editors))
        anyRequired = anyRequired || (editor->attribute().required && editor->isEditable());

    if (m_editors.isEmpty()) {
        m_placeholder->setText(tr("The metadata template “%1” has no fields to fill in.")
                                   .arg(metadataTemplate.name));
        m_placeholder->setVisible(true);
    } else if (anyRequired) {
        auto *legend = new QLabel(tr("Fields marked * are required."), m_content);
        contentLayout->insertWidget(0, legend);
    }
    m_layout->addWidget(m_content);
    Q_EMIT valuesChanged();
}

QWidget *MetadataFieldsWidget::createGroup(const MetadataGroup &group)
{
    QList<MetadataAttribute> shown;
    for (const MetadataAttribute &attribute : group.attributes) {
        if (attribute.visible)
            shown.append(attribute);
    }
    if (shown.isEmpty())
        return nullptr;

    auto *box = new QGroupBox(group.name, m_content);
    auto *form = new QFormLayout(box);
    for (const MetadataAttribute &attribute : std::as_const(shown)) {
        MetadataFieldEditor *editor = MetadataFieldEditor::create(attribute, box);
        const bool markRequired = attribute.required && editor->isEditable();
        auto *label = new QLabel(markRequired ? tr("%1 *").arg(attribute.name) : attribute.name, box);
        label->setBuddy(editor->inputWidget());
        if (markRequired) {
            label->setToolTip(tr("Required"));
            editor->inputWidget()->setAccessibleDescription(tr("Required"));
        }
        editor->inputWidget()->setAccessibleName(attribute.name);
        form->addRow(label, editor);

        connect(editor, &MetadataFieldEditor::valueChanged, this, &MetadataFieldsWidget::valuesChanged);
        connect(editor, &MetadataFieldEditor::valueRejected, this, &MetadataFieldsWidget::valueRejected);
        m_editors.append(editor);
    }
    return box;
}

QStringList MetadataFieldsWidget::vocabularyIds() const
{
    QStringList ids;
    for (const MetadataFieldEditor *editor : m_editors) {
        const QString id = editor->vocabularyId();
        if (!id.isEmpty() && !ids.contains(id))
            ids.append(id);
    }
    return ids;
}

void MetadataFieldsWidget::setVocabulary(const Vocabulary &vocabulary)
{
    for (MetadataFieldEditor *editor : std::as_const(m_editors)) {
        if (editor->vocabularyId() == vocabulary.id)
            editor->setVocabulary(vocabulary);
    }
}

void MetadataFieldsWidget::setVocabularyFailed(const QString &vocabularyId, const QString &message)
{
    for (MetadataFieldEditor *editor : std::as_const(m_editors)) {
        if (editor->vocabularyId() == vocabularyId)
            editor->setVocabularyFailed(message);
    }
}

bool MetadataFieldsWidget::isLoaded() const
{
    for (const MetadataFieldEditor *editor : m_editors) {
        if (!editor->isLoaded())
            return false;
    }
    return true;
}

void MetadataFieldsWidget::applyValues(const QList<QPair<QString, QString>> &values)
{
    for (const auto &[key, text] : values) {
        const MetadataAttribute *attribute = m_template.findAttribute(key);
        if (!attribute) {
            Q_EMIT valueRejected(tr("The metadata template “%1” has no field “%2”, so the value "
                                    "“%3” was not applied.")
                                     .arg(m_template.name, key, text));
            continue;
        }
        if (!attribute->visible) {
            Q_EMIT valueRejected(tr("The field “%1” is hidden in the metadata template “%2”, so "
                                    "the value “%3” was not applied.")
                                     .arg(attribute->name, m_template.name, text));
            continue;
        }
        if (attribute->readOnly) {
            Q_EMIT valueRejected(tr("The field “%1” is read-only, so the value “%2” was not "
                                    "applied.")
                                     .arg(attribute->name, text));
            continue;
        }
        if (MetadataFieldEditor *field = editor(attribute->id))
            field->applyText(text);
    }
}

QList<QPair<QString, QString>> MetadataFieldsWidget::values() const
{
    QList<QPair<QString, QString>> result;
    for (const MetadataFieldEditor *editor : m_editors) {
        if (editor->isEditable() && !editor->isEmpty())
            result.append({editor->attribute().id, editor->valueText()});
    }
    return result;
}

MetadataFieldEditor *MetadataFieldsWidget::editor(const QString &attributeNameOrId) const
{
    const MetadataAttribute *attribute = m_template.findAttribute(attributeNameOrId);
    if (!attribute)
        return nullptr;
    for (MetadataFieldEditor *editor : m_editors) {
        if (editor->attribute().id == attribute->id)
            return editor;
    }
    return nullptr;
}

std::optional<QJsonArray> MetadataFieldsWidget::metadata(QString *error) const
{
    auto fail = [error](const QString &message) -> std::optional<QJsonArray> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    if (!m_hasTemplate)
        return fail(tr("Choose a metadata template."));

    QJsonArray items;
    for (const MetadataFieldEditor *editor : m_editors) {
        const MetadataAttribute &attribute = editor->attribute();
        if (!editor->isEditable()) {
            // A required field of a type this form cannot fill in: Tenovos
            // would reject the asset, so report it before anything is sent.
            if (attribute.required && attribute.visible && !attribute.readOnly) {
                return fail(tr("The required field “%1” cannot be filled in here. Choose another "
                               "metadata template.")
                                .arg(attribute.name));
            }
            continue;
        }
        if (!editor->isLoaded()) {
            if (!attribute.required)
                continue;
            return fail(tr("The values of the required field “%1” have not loaded. Wait for them, "
                           "or press Retry if loading failed.")
                            .arg(attribute.name));
        }
        if (editor->isEmpty()) {
            if (!attribute.required)
                continue;
            return fail(tr("Fill in the required field “%1”.").arg(attribute.name));
        }
        items.append(editor->item());
    }
    return items;
}

} // namespace tenovos
