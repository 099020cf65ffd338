#include "metadatafieldeditor.h"

#include "metadatavalues.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QLocale>

#include <utility>

namespace tenovos {

namespace {

const QLatin1String kValueKey("metadataDefinitionValue");
const QLatin1String kValueIdKey("valueId");

// Rows a multi-select list shows before it scrolls.
constexpr int kMaxVisibleListRows = 6;

// The vocabulary value ids of an item built by MetadataValues.
QStringList valueIdsOf(const QJsonObject &item)
{
    const QJsonValue value = item.value(kValueKey);
    QStringList ids;
    if (value.isObject()) {
        ids.append(value.toObject().value(kValueIdKey).toString());
        return ids;
    }
    const QJsonArray values = value.toArray();
    for (const QJsonValue &entry : values)
        ids.append(entry.toObject().value(kValueIdKey).toString());
    return ids;
}

QHBoxLayout *createRowLayout(QWidget *parent)
{
    auto *layout = new QHBoxLayout(parent);
    layout->setContentsMargins(0, 0, 0, 0);
    return layout;
}

// The locale's short date format with a four-digit year, because the
// default short format of some locales (en_US: M/d/yy) hides the century.
QString dateDisplayFormat()
{
    QString format = QLocale().dateFormat(QLocale::ShortFormat);
    if (!format.contains(QLatin1String("yyyy")))
        format.replace(QLatin1String("yy"), QLatin1String("yyyy"));
    return format;
}

class TextFieldEditor final : public MetadataFieldEditor
{
public:
    TextFieldEditor(const MetadataAttribute &attribute, QWidget *parent)
        : MetadataFieldEditor(attribute, parent)
        , m_edit(new QLineEdit(this))
    {
        createRowLayout(this)->addWidget(m_edit);
        connect(m_edit, &QLineEdit::textChanged, this, &MetadataFieldEditor::valueChanged);
    }

    bool isEmpty() const override { return valueText().isEmpty(); }
    QJsonObject item() const override { return MetadataValues::textItem(attribute().id, valueText()); }
    QString valueText() const override { return m_edit->text().trimmed(); }
    void applyText(const QString &text) override { m_edit->setText(text); }
    QWidget *inputWidget() const override { return m_edit; }

private:
    QLineEdit *m_edit;
};

// A date behind a check box: unchecked means "no date", which a bare
// QDateEdit cannot show.
class DateFieldEditor final : public MetadataFieldEditor
{
public:
    DateFieldEditor(const MetadataAttribute &attribute, QWidget *parent)
        : MetadataFieldEditor(attribute, parent)
        , m_check(new QCheckBox(this))
        , m_edit(new QDateEdit(QDate::currentDate(), this))
    {
        m_check->setToolTip(tr("Check to give %1 a date; leave it unchecked for no date.").arg(attribute.name));
        m_check->setAccessibleName(tr("%1 has a date").arg(attribute.name));
        m_edit->setCalendarPopup(true);
        m_edit->setDisplayFormat(dateDisplayFormat());
        m_edit->setAccessibleName(attribute.name);
        m_edit->setEnabled(false);

        QHBoxLayout *layout = createRowLayout(this);
        layout->addWidget(m_check);
        layout->addWidget(m_edit);
        layout->addStretch();

        connect(m_check, &QCheckBox::toggled, m_edit, &QWidget::setEnabled);
        connect(m_check, &QCheckBox::toggled, this, &MetadataFieldEditor::valueChanged);
        connect(m_edit, &QDateEdit::dateChanged, this, [this] {
            if (m_check->isChecked())
                Q_EMIT valueChanged();
        });
    }

    bool isEmpty() const override { return !m_check->isChecked(); }
    QJsonObject item() const override { return MetadataValues::dateItem(attribute().id, m_edit->date()); }

    QString valueText() const override
    {
        return isEmpty() ? QString() : m_edit->date().toString(Qt::ISODate);
    }

    void applyText(const QString &text) override
    {
        if (text.trimmed().isEmpty()) {
            m_check->setChecked(false);
            return;
        }
        const Result<QJsonObject> item = MetadataValues::itemFromText(attribute(), text, nullptr);
        if (!item) {
            Q_EMIT valueRejected(item.error().userMessage());
            return;
        }
        m_edit->setDate(MetadataValues::parseDate(text));
        m_check->setChecked(true);
    }

    QWidget *inputWidget() const override { return m_check; }

private:
    QCheckBox *m_check;
    QDateEdit *m_edit;
};

// Shared part of the two vocabulary editors: the vocabulary, and a value
// given before the vocabulary arrived.
class VocabularyFieldEditor : public MetadataFieldEditor
{
public:
    using MetadataFieldEditor::MetadataFieldEditor;

    bool isLoaded() const override { return m_loaded; }

    void setVocabulary(const Vocabulary &vocabulary) override
    {
        m_vocabulary = vocabulary;
        m_loaded = true;
        showValues();
        if (m_hasPendingText) {
            m_hasPendingText = false;
            applyText(std::exchange(m_pendingText, QString()));
        }
    }

    void applyText(const QString &text) override
    {
        if (!m_loaded) {
            m_pendingText = text;
            m_hasPendingText = true;
            return;
        }
        if (text.trimmed().isEmpty()) {
            selectValues({});
            return;
        }
        const Result<QJsonObject> item = MetadataValues::itemFromText(attribute(), text, &m_vocabulary);
        if (!item) {
            Q_EMIT valueRejected(item.error().userMessage());
            return;
        }
        selectValues(valueIdsOf(item.value()));
    }

protected:
    const Vocabulary &vocabulary() const { return m_vocabulary; }
    // Fills the widget from vocabulary().
    virtual void showValues() = 0;
    // Selects exactly the values with these ids.
    virtual void selectValues(const QStringList &valueIds) = 0;

private:
    Vocabulary m_vocabulary;
    QString m_pendingText;
    bool m_hasPendingText = false;
    bool m_loaded = false;
};

class VocabularyComboEditor final : public VocabularyFieldEditor
{
public:
    VocabularyComboEditor(const MetadataAttribute &attribute, QWidget *parent)
        : VocabularyFieldEditor(attribute, parent)
        , m_combo(new QComboBox(this))
    {
        m_combo->setPlaceholderText(isEditable() ? tr("Loading values…") : QString());
        m_combo->setCurrentIndex(-1);
        m_combo->setEnabled(false);
        createRowLayout(this)->addWidget(m_combo);
        connect(m_combo, &QComboBox::currentIndexChanged, this, &MetadataFieldEditor::valueChanged);
    }

    bool isEmpty() const override { return valueText().isEmpty(); }

    QJsonObject item() const override
    {
        return MetadataValues::vocabularyItem(attribute().id, {valueText()}, false);
    }

    QString valueText() const override { return m_combo->currentData().toString(); }

    void setVocabularyFailed(const QString &message) override
    {
        m_combo->setPlaceholderText(tr("Values not loaded"));
        m_combo->setToolTip(message);
    }

    QWidget *inputWidget() const override { return m_combo; }

protected:
    void showValues() override
    {
        const QSignalBlocker blocker(m_combo);
        m_combo->clear();
        m_combo->setToolTip(QString());
        // An optional field can go back to "no value"; a required one shows
        // the placeholder until a value is chosen.
        if (!attribute().required)
            m_combo->addItem(tr("(none)"), QString());
        for (const VocabularyValue &value : vocabulary().values)
            m_combo->addItem(value.name, value.id);
        m_combo->setPlaceholderText(tr("Choose a value"));
        m_combo->setCurrentIndex(attribute().required ? -1 : 0);
        m_combo->setEnabled(true);
        Q_EMIT valueChanged();
    }

    void selectValues(const QStringList &valueIds) override
    {
        if (valueIds.isEmpty()) {
            m_combo->setCurrentIndex(attribute().required ? -1 : 0);
            return;
        }
        m_combo->setCurrentIndex(m_combo->findData(valueIds.constFirst()));
    }

private:
    QComboBox *m_combo;
};

class VocabularyListEditor final : public VocabularyFieldEditor
{
public:
    VocabularyListEditor(const MetadataAttribute &attribute, QWidget *parent)
        : VocabularyFieldEditor(attribute, parent)
        , m_list(new QListWidget(this))
    {
        m_list->setEnabled(false);
        m_list->setAccessibleName(attribute.name);
        m_list->setToolTip(tr("Check every value that applies."));
        // Fixed, so that the surrounding layouts do not hand the list spare
        // height that fitHeight() would leave empty.
        m_list->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Fixed);
        if (isEditable())
            m_list->addItem(tr("Loading values…"));
        fitHeight();
        createRowLayout(this)->addWidget(m_list);
        connect(m_list, &QListWidget::itemChanged, this, &MetadataFieldEditor::valueChanged);
    }

    bool isEmpty() const override { return checkedIds().isEmpty(); }

    QJsonObject item() const override
    {
        return MetadataValues::vocabularyItem(attribute().id, checkedIds(), true);
    }

    QString valueText() const override { return checkedIds().join(QLatin1Char(';')); }

    void setVocabularyFailed(const QString &message) override
    {
        m_list->clear();
        m_list->addItem(tr("Values not loaded"));
        m_list->setToolTip(message);
        fitHeight();
    }

    QWidget *inputWidget() const override { return m_list; }

protected:
    void showValues() override
    {
        {
            const QSignalBlocker blocker(m_list);
            m_list->clear();
            for (const VocabularyValue &value : vocabulary().values) {
                auto *item = new QListWidgetItem(value.name, m_list);
                item->setData(Qt::UserRole, value.id);
                item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
                item->setCheckState(Qt::Unchecked);
            }
            m_list->setToolTip(tr("Check every value that applies."));
            m_list->setEnabled(true);
            fitHeight();
        }
        Q_EMIT valueChanged();
    }

    void selectValues(const QStringList &valueIds) override
    {
        {
            const QSignalBlocker blocker(m_list);
            for (int row = 0; row < m_list->count(); ++row) {
                QListWidgetItem *item = m_list->item(row);
                const bool checked = valueIds.contains(item->data(Qt::UserRole).toString());
                item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
            }
        }
        Q_EMIT valueChanged();
    }

private:
    QStringList checkedIds() const
    {
        QStringList ids;
        for (int row = 0; row < m_list->count(); ++row) {
            const QListWidgetItem *item = m_list->item(row);
            if (item->checkState() == Qt::Checked)
                ids.append(item->data(Qt::UserRole).toString());
        }
        return ids;
    }

    // Shows every value up to kMaxVisibleListRows rows, then scrolls.
    void fitHeight()
    {
        const int rows = qBound(1, int(m_list->count()), kMaxVisibleListRows);
        const int rowHeight = m_list->count() > 0 ? m_list->sizeHintForRow(0) : m_list->fontMetrics().height();
        m_list->setFixedHeight(rows * rowHeight + 2 * m_list->frameWidth() + 4);
    }

    QListWidget *m_list;
};

// Attributes this editor cannot fill in (table and unknown types, or a
// vocabulary attribute without a vocabulary id): shown, never sent.
class UnsupportedFieldEditor final : public MetadataFieldEditor
{
public:
    UnsupportedFieldEditor(const MetadataAttribute &attribute, const QString &reason, QWidget *parent)
        : MetadataFieldEditor(attribute, parent)
        , m_label(new QLabel(reason, this))
    {
        m_label->setWordWrap(true);
        m_label->setEnabled(false);
        createRowLayout(this)->addWidget(m_label);
    }

    bool isEditable() const override { return false; }
    bool isEmpty() const override { return true; }
    QJsonObject item() const override { return QJsonObject(); }
    QString valueText() const override { return QString(); }

    void applyText(const QString &text) override
    {
        Q_EMIT valueRejected(tr("“%1” cannot be filled in here, so the value “%2” was not applied. %3")
                                 .arg(attribute().name, text, m_label->text()));
    }

    QWidget *inputWidget() const override { return m_label; }

private:
    QLabel *m_label;
};

} // namespace

MetadataFieldEditor::MetadataFieldEditor(const MetadataAttribute &attribute, QWidget *parent)
    : QWidget(parent)
    , m_attribute(attribute)
{
}

MetadataFieldEditor *MetadataFieldEditor::create(const MetadataAttribute &attribute, QWidget *parent)
{
    MetadataFieldEditor *editor = nullptr;
    switch (attribute.type) {
    case MetadataAttribute::Type::Text:
        editor = new TextFieldEditor(attribute, parent);
        break;
    case MetadataAttribute::Type::Date:
        editor = new DateFieldEditor(attribute, parent);
        break;
    case MetadataAttribute::Type::ControlledVocabulary:
        if (attribute.vocabularyId.isEmpty()) {
            editor = new UnsupportedFieldEditor(
                attribute,
                tr("The template names no controlled vocabulary for this field, so it cannot be "
                   "filled in. Ask your Tenovos administrator to fix the template."),
                parent);
        } else if (attribute.multipleSelect) {
            editor = new VocabularyListEditor(attribute, parent);
        } else {
            editor = new VocabularyComboEditor(attribute, parent);
        }
        break;
    case MetadataAttribute::Type::Other:
        editor = new UnsupportedFieldEditor(
            attribute,
            tr("This uploader cannot fill in fields of type “%1”. Set the value in Tenovos after the upload.")
                .arg(attribute.typeName),
            parent);
        break;
    }

    editor->setObjectName(QStringLiteral("metadataField_") + attribute.id);
    if (attribute.readOnly) {
        editor->setEnabled(false);
        editor->setToolTip(tr("Read-only: Tenovos fills in this field."));
    }
    return editor;
}

bool MetadataFieldEditor::isEditable() const
{
    return m_attribute.visible && !m_attribute.readOnly && m_attribute.type != MetadataAttribute::Type::Other;
}

QString MetadataFieldEditor::vocabularyId() const
{
    if (!isEditable() || m_attribute.type != MetadataAttribute::Type::ControlledVocabulary)
        return QString();
    return m_attribute.vocabularyId;
}

void MetadataFieldEditor::setVocabulary(const Vocabulary &vocabulary)
{
    Q_UNUSED(vocabulary)
}

void MetadataFieldEditor::setVocabularyFailed(const QString &message)
{
    Q_UNUSED(message)
}

} // namespace tenovos
