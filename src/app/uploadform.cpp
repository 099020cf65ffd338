#include "uploadform.h"

#include "ui_uploadform.h"

#include "applogging.h"
#include "metadatafieldswidget.h"
#include "uploadengine.h"

#include <QListWidget>
#include <QLocale>
#include <QMetaObject>
#include <QRegularExpression>
#include <QSettings>
#include <QSignalBlocker>

namespace tenovos {

namespace {

// Tenovos takes 1 to 50 security template ids per asset.
constexpr qsizetype kMaxSecurityTemplates = 50;
// Rows the security template list shows before it scrolls.
constexpr int kMaxVisibleSecurityRows = 6;
// Notes kept in the status line; older ones are dropped.
constexpr qsizetype kMaxNotes = 5;

constexpr int kIdRole = Qt::UserRole;

bool isUuid(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral(
        "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$"));
    return pattern.match(text).hasMatch();
}

// Splits typed ids at commas, semicolons, new lines and other white space.
QStringList splitIds(const QString &text)
{
    static const QRegularExpression separators(QStringLiteral("[,;\\s]+"));
    return text.split(separators, Qt::SkipEmptyParts);
}

// Runs call(engine) in the engine's thread. The call is dropped if the
// engine is deleted before it runs.
template <typename Call>
void invokeOnEngine(UploadEngine *engine, Call call)
{
    QMetaObject::invokeMethod(
        engine, [engine, call] { call(engine); }, Qt::QueuedConnection);
}

void fitListHeight(QListWidget *list, int maxRows)
{
    const int rows = qBound(1, int(list->count()), maxRows);
    const int rowHeight = list->count() > 0 ? list->sizeHintForRow(0) : list->fontMetrics().height();
    list->setFixedHeight(rows * rowHeight + 2 * list->frameWidth() + 4);
}

} // namespace

UploadForm::UploadForm(QWidget *parent)
    : QWidget(parent)
    , m_ui(std::make_unique<Ui::UploadForm>())
{
    m_ui->setupUi(this);
    registerMetaTypes();

    m_ui->securityList->hide();
    m_ui->securityIdsEdit->hide();
    m_ui->lastIdsButton->hide();
    m_ui->securityMessageLabel->hide();
    m_ui->metadataTemplateCombo->setPlaceholderText(tr("Choose a metadata template"));
    m_ui->metadataTemplateCombo->setEnabled(false);
    m_ui->metadataFields->clear(tr("Choose a metadata template to see its fields."));
    m_ui->assetLabel->hide();

    for (QRadioButton *radio : {m_ui->newAssetRadio, m_ui->newVersionRadio, m_ui->metadataOnlyRadio}) {
        connect(radio, &QRadioButton::toggled, this, [this](bool checked) {
            if (!checked)
                return;
            updateModeWidgets();
            Q_EMIT modeChanged(mode());
            updateValidity();
        });
    }

    connect(m_ui->objectIdEdit, &QLineEdit::textEdited, this, &UploadForm::resetAsset);
    connect(m_ui->objectIdEdit, &QLineEdit::editingFinished, this, [this] {
        if (m_ui->objectIdEdit->text().trimmed() != m_assetId)
            lookUpAsset();
    });
    connect(m_ui->lookUpButton, &QPushButton::clicked, this, &UploadForm::lookUpAsset);
    connect(m_ui->metadataOnlyNameEdit, &QLineEdit::textChanged, this, &UploadForm::updateValidity);

    connect(m_ui->securityList, &QListWidget::itemChanged, this, &UploadForm::updateValidity);
    connect(m_ui->securityIdsEdit, &QPlainTextEdit::textChanged, this, &UploadForm::updateValidity);
    connect(m_ui->lastIdsButton, &QPushButton::clicked, this, [this] {
        m_ui->securityIdsEdit->setPlainText(lastSecurityTemplateIds().join(QLatin1Char('\n')));
    });

    connect(m_ui->metadataTemplateCombo, &QComboBox::currentIndexChanged, this,
            [this] { selectMetadataTemplate(currentMetadataTemplateId()); });
    connect(m_ui->metadataFields, &MetadataFieldsWidget::valuesChanged, this, &UploadForm::updateValidity);
    connect(m_ui->metadataFields, &MetadataFieldsWidget::valueRejected, this, &UploadForm::addNote);

    connect(m_ui->retryButton, &QPushButton::clicked, this, &UploadForm::retryFailed);

    updateModeWidgets();
    updateStatus();
}

UploadForm::~UploadForm() = default;

QString UploadForm::lastSecurityTemplateIdsKey()
{
    return QStringLiteral("form/lastSecurityTemplateIds");
}

QString UploadForm::lastMetadataTemplateIdKey()
{
    return QStringLiteral("form/lastMetadataTemplateId");
}

// --- Engine calls and their results -----------------------------------------

void UploadForm::setEngine(UploadEngine *engine)
{
    if (m_engine == engine)
        return;
    if (m_engine)
        disconnect(m_engine, nullptr, this, nullptr);

    m_engine = engine;
    m_started = false;
    m_pending.clear();
    m_failures.clear();
    m_assetPending = false;

    if (engine) {
        // Queued by Qt because the engine lives in another thread.
        connect(engine, &UploadEngine::securityTemplatesLoaded, this, &UploadForm::onSecurityTemplatesLoaded);
        connect(engine, &UploadEngine::metadataTemplatesLoaded, this, &UploadForm::onMetadataTemplatesLoaded);
        connect(engine, &UploadEngine::metadataTemplateLoaded, this, &UploadForm::onMetadataTemplateLoaded);
        connect(engine, &UploadEngine::vocabularyLoaded, this, &UploadForm::onVocabularyLoaded);
        connect(engine, &UploadEngine::assetLoaded, this, &UploadForm::onAssetLoaded);
    }
    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::reload()
{
    if (!m_engine) {
        qCWarning(lcUi) << "The upload form cannot load templates: it has no engine";
        return;
    }
    m_started = true;

    // Keep the user's choices, so that they are chosen again once the
    // results arrive. A pending preselect() takes precedence.
    if (!m_preselectedSecurityIds) {
        if (m_securityInput == SecurityInput::List)
            m_preselectedSecurityIds = checkedSecurityIds();
        else if (m_securityInput == SecurityInput::Ids)
            m_preselectedSecurityIds = splitIds(m_ui->securityIdsEdit->toPlainText());
        if (m_preselectedSecurityIds && m_preselectedSecurityIds->isEmpty())
            m_preselectedSecurityIds.reset();
    }
    const QString templateId = currentMetadataTemplateId();
    if (m_preselectedTemplateId.isEmpty() && !templateId.isEmpty()) {
        m_preselectedTemplateId = templateId;
        if (!m_preselectedMeta && m_ui->metadataFields->metadataTemplate().id == templateId)
            m_preselectedMeta = m_ui->metadataFields->values();
    }

    m_templates.clear();
    m_vocabularies.clear();
    m_pending.clear();
    m_failures.clear();
    m_notes.clear();

    {
        const QSignalBlocker blocker(m_ui->metadataTemplateCombo);
        m_ui->metadataTemplateCombo->clear();
        m_ui->metadataTemplateCombo->setEnabled(false);
    }
    m_ui->metadataFields->clear(tr("Loading metadata templates…"));
    if (m_securityInput != SecurityInput::Ids) {
        m_ui->securityList->hide();
        m_ui->securityMessageLabel->setText(tr("Loading security templates…"));
        m_ui->securityMessageLabel->show();
    }

    startLookUp({LookUp::Kind::SecurityTemplates, QString()});
    startLookUp({LookUp::Kind::MetadataTemplates, QString()});
    if (mode() == UploadMode::NewVersion && !m_ui->objectIdEdit->text().trimmed().isEmpty())
        lookUpAsset();

    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::startLookUp(const LookUp &lookUp)
{
    UploadEngine *engine = m_engine.data();
    if (!engine || m_pending.contains(lookUp))
        return;
    m_pending.append(lookUp);
    m_failures.removeIf([&lookUp](const Failure &failure) { return failure.lookUp == lookUp; });

    switch (lookUp.kind) {
    case LookUp::Kind::SecurityTemplates:
        qCDebug(lcUi) << "Loading security templates";
        invokeOnEngine(engine, [](UploadEngine *target) { target->loadSecurityTemplates(); });
        break;
    case LookUp::Kind::MetadataTemplates:
        qCDebug(lcUi) << "Loading metadata templates";
        invokeOnEngine(engine, [](UploadEngine *target) { target->loadMetadataTemplates(); });
        break;
    case LookUp::Kind::MetadataTemplate:
        qCDebug(lcUi) << "Loading metadata template" << lookUp.id;
        invokeOnEngine(engine, [id = lookUp.id](UploadEngine *target) { target->loadMetadataTemplate(id); });
        break;
    case LookUp::Kind::Vocabulary:
        qCDebug(lcUi) << "Loading controlled vocabulary" << lookUp.id;
        invokeOnEngine(engine, [id = lookUp.id](UploadEngine *target) { target->loadVocabulary(id); });
        break;
    }
    updateStatus();
    updateReady();
}

// Takes lookUp off the pending list. Returns false when the form did not
// wait for it, so that results of other widgets' requests are ignored.
bool UploadForm::finishLookUp(const LookUp &lookUp)
{
    return m_pending.removeOne(lookUp);
}

void UploadForm::addFailure(const LookUp &lookUp, const QString &message)
{
    m_failures.removeIf([&lookUp](const Failure &failure) { return failure.lookUp == lookUp; });
    m_failures.append({lookUp, message});
}

void UploadForm::retryFailed()
{
    const QList<Failure> failures = std::exchange(m_failures, {});
    for (const Failure &failure : failures) {
        switch (failure.lookUp.kind) {
        case LookUp::Kind::SecurityTemplates:
            m_ui->securityMessageLabel->setText(tr("Loading security templates…"));
            break;
        case LookUp::Kind::MetadataTemplates:
            m_ui->metadataFields->clear(tr("Loading metadata templates…"));
            break;
        case LookUp::Kind::MetadataTemplate:
            m_ui->metadataFields->clear(tr("Loading the metadata template…"));
            break;
        case LookUp::Kind::Vocabulary:
            break;
        }
        startLookUp(failure.lookUp);
    }
    updateStatus();
    updateValidity();
}

void UploadForm::onSecurityTemplatesLoaded(const Result<SecurityTemplateList> &result)
{
    const LookUp lookUp{LookUp::Kind::SecurityTemplates, QString()};
    if (!finishLookUp(lookUp))
        return;

    if (result && !result.value().isEmpty()) {
        showSecurityList(result.value());
    } else if (result) {
        showSecurityIdEntry(tr("No security templates are available to your account. Enter the "
                               "security template ids that your Tenovos administrator gave you."));
    } else if (result.error().kind() == ApiError::Kind::Forbidden) {
        // An administrator call: ordinary users get 403 and type the ids.
        qCInfo(lcUi) << "Listing security templates is forbidden; asking for template ids:"
                     << result.error().logMessage();
        showSecurityIdEntry(result.error().userMessage());
    } else {
        qCWarning(lcUi) << "Loading security templates failed:" << result.error().logMessage();
        if (m_securityInput != SecurityInput::Ids) {
            m_ui->securityMessageLabel->setText(tr("The security templates could not be loaded."));
            m_ui->securityMessageLabel->show();
        }
        addFailure(lookUp, tr("Security templates could not be loaded: %1").arg(result.error().userMessage()));
    }

    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::onMetadataTemplatesLoaded(const Result<MetadataTemplateList> &result)
{
    const LookUp lookUp{LookUp::Kind::MetadataTemplates, QString()};
    if (!finishLookUp(lookUp))
        return;

    QComboBox *combo = m_ui->metadataTemplateCombo;
    {
        const QSignalBlocker blocker(combo);
        combo->clear();
    }
    if (!result) {
        qCWarning(lcUi) << "Loading metadata templates failed:" << result.error().logMessage();
        combo->setEnabled(false);
        m_ui->metadataFields->clear(tr("The metadata templates could not be loaded."));
        addFailure(lookUp, tr("Metadata templates could not be loaded: %1").arg(result.error().userMessage()));
        updateStatus();
        updateReady();
        updateValidity();
        return;
    }

    const MetadataTemplateList &templates = result.value();
    {
        const QSignalBlocker blocker(combo);
        for (const MetadataTemplateSummary &summary : templates) {
            combo->addItem(summary.name, summary.id);
            combo->setItemData(combo->count() - 1, summary.id, Qt::ToolTipRole);
        }
        combo->setCurrentIndex(-1);
    }
    combo->setEnabled(!templates.isEmpty());
    if (templates.isEmpty()) {
        m_ui->metadataFields->clear(tr("No metadata templates are available to your account. Ask your "
                                       "Tenovos administrator for access to one."));
    }

    // Choose the preselected template, else the last one used, else the
    // only one there is.
    const QString preselected = std::exchange(m_preselectedTemplateId, QString());
    QString chosenId = preselected;
    if (chosenId.isEmpty())
        chosenId = QSettings().value(lastMetadataTemplateIdKey()).toString();
    if (chosenId.isEmpty() && templates.size() == 1)
        chosenId = templates.constFirst().id;
    const int index = chosenId.isEmpty() ? -1 : combo->findData(chosenId);
    if (index < 0 && !preselected.isEmpty()) {
        addNote(tr("The metadata template %1 is not available to your account; choose another one.")
                    .arg(preselected));
    }

    if (index >= 0) {
        // Emits currentIndexChanged, which loads the template.
        combo->setCurrentIndex(index);
    } else if (!templates.isEmpty()) {
        selectMetadataTemplate(QString());
    }

    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::onMetadataTemplateLoaded(const QString &templateId, const Result<MetadataTemplate> &result)
{
    const LookUp lookUp{LookUp::Kind::MetadataTemplate, templateId};
    if (!finishLookUp(lookUp))
        return;

    const bool current = templateId == currentMetadataTemplateId();
    if (!result) {
        qCWarning(lcUi) << "Loading metadata template" << templateId
                        << "failed:" << result.error().logMessage();
        if (current) {
            m_ui->metadataFields->clear(tr("The metadata template could not be loaded."));
            addFailure(lookUp, result.error().userMessage());
        }
    } else {
        m_templates.insert(templateId, result.value());
        if (current)
            showMetadataTemplate(result.value());
    }

    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::onVocabularyLoaded(const QString &vocabularyId, const Result<Vocabulary> &result)
{
    const LookUp lookUp{LookUp::Kind::Vocabulary, vocabularyId};
    if (!finishLookUp(lookUp))
        return;

    if (result) {
        m_vocabularies.insert(vocabularyId, result.value());
        m_ui->metadataFields->setVocabulary(result.value());
    } else {
        qCWarning(lcUi) << "Loading controlled vocabulary" << vocabularyId
                        << "failed:" << result.error().logMessage();
        QStringList fieldNames;
        const QList<MetadataAttribute> attributes = m_ui->metadataFields->metadataTemplate().attributes();
        for (const MetadataAttribute &attribute : attributes) {
            if (attribute.vocabularyId == vocabularyId && attribute.visible)
                fieldNames.append(attribute.name);
        }
        const QString fields = fieldNames.isEmpty() ? vocabularyId : fieldNames.join(QLatin1String(", "));
        const QString message = tr("The values of “%1” could not be loaded: %2")
                                    .arg(fields, result.error().userMessage());
        m_ui->metadataFields->setVocabularyFailed(vocabularyId, message);
        addFailure(lookUp, message);
    }

    updateStatus();
    updateReady();
    updateValidity();
}

// --- Security templates -----------------------------------------------------

void UploadForm::showSecurityList(const SecurityTemplateList &templates)
{
    m_securityInput = SecurityInput::List;
    QListWidget *list = m_ui->securityList;
    {
        const QSignalBlocker blocker(list);
        list->clear();
        for (const SecurityTemplate &securityTemplate : templates) {
            auto *item = new QListWidgetItem(securityTemplate.name, list);
            item->setData(kIdRole, securityTemplate.id);
            item->setToolTip(securityTemplate.id);
            item->setFlags(Qt::ItemIsEnabled | Qt::ItemIsUserCheckable | Qt::ItemIsSelectable);
            item->setCheckState(Qt::Unchecked);
        }
    }
    fitListHeight(list, kMaxVisibleSecurityRows);
    list->show();
    m_ui->securityMessageLabel->hide();
    m_ui->securityIdsEdit->hide();
    m_ui->lastIdsButton->hide();
    applyPreselectedSecurityIds();
}

void UploadForm::showSecurityIdEntry(const QString &reason)
{
    m_securityInput = SecurityInput::Ids;
    m_ui->securityList->hide();
    m_ui->securityMessageLabel->setText(reason);
    m_ui->securityMessageLabel->show();
    m_ui->securityIdsEdit->show();

    const QStringList lastIds = lastSecurityTemplateIds();
    m_ui->lastIdsButton->setVisible(!lastIds.isEmpty());
    m_ui->lastIdsButton->setToolTip(
        tr("Fill in the ids of the last upload: %1").arg(lastIds.join(QLatin1String(", "))));

    if (m_preselectedSecurityIds)
        applyPreselectedSecurityIds();
    else if (m_ui->securityIdsEdit->toPlainText().trimmed().isEmpty() && !lastIds.isEmpty())
        m_ui->securityIdsEdit->setPlainText(lastIds.join(QLatin1Char('\n')));
}

void UploadForm::applyPreselectedSecurityIds()
{
    if (!m_preselectedSecurityIds || m_securityInput == SecurityInput::NotLoaded)
        return;
    const QStringList ids = *std::exchange(m_preselectedSecurityIds, std::nullopt);

    if (m_securityInput == SecurityInput::Ids) {
        m_ui->securityIdsEdit->setPlainText(ids.join(QLatin1Char('\n')));
        return;
    }

    QStringList found;
    {
        QListWidget *list = m_ui->securityList;
        const QSignalBlocker blocker(list);
        for (int row = 0; row < list->count(); ++row) {
            QListWidgetItem *item = list->item(row);
            const QString id = item->data(kIdRole).toString();
            const bool checked = ids.contains(id, Qt::CaseInsensitive);
            item->setCheckState(checked ? Qt::Checked : Qt::Unchecked);
            if (checked)
                found.append(id.toLower());
        }
    }
    for (const QString &id : ids) {
        if (!found.contains(id.toLower())) {
            addNote(tr("The security template %1 is not in the list of templates your account may use, "
                       "so it was not chosen.")
                        .arg(id));
        }
    }
    updateValidity();
}

QStringList UploadForm::checkedSecurityIds() const
{
    QStringList ids;
    const QListWidget *list = m_ui->securityList;
    for (int row = 0; row < list->count(); ++row) {
        const QListWidgetItem *item = list->item(row);
        if (item->checkState() == Qt::Checked)
            ids.append(item->data(kIdRole).toString());
    }
    return ids;
}

std::optional<QStringList> UploadForm::securityTemplateIds(QString *error) const
{
    auto fail = [error](const QString &message) -> std::optional<QStringList> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    QStringList ids;
    switch (m_securityInput) {
    case SecurityInput::NotLoaded: {
        const LookUp lookUp{LookUp::Kind::SecurityTemplates, QString()};
        if (m_pending.contains(lookUp))
            return fail(tr("Wait until the security templates have loaded."));
        for (const Failure &failure : m_failures) {
            if (failure.lookUp == lookUp)
                return fail(tr("The security templates could not be loaded. Press Retry."));
        }
        return fail(tr("Sign in to load the security templates."));
    }
    case SecurityInput::List:
        ids = checkedSecurityIds();
        if (ids.isEmpty())
            return fail(tr("Choose at least one security template."));
        break;
    case SecurityInput::Ids: {
        const QStringList typed = splitIds(m_ui->securityIdsEdit->toPlainText());
        if (typed.isEmpty())
            return fail(tr("Enter at least one security template id."));
        for (const QString &id : typed) {
            if (!isUuid(id)) {
                return fail(tr("“%1” is not a valid security template id. Enter ids like "
                               "969b726b-b60f-4996-af26-36c90b3af636, separated by commas or new lines.")
                                .arg(id));
            }
            if (!ids.contains(id, Qt::CaseInsensitive))
                ids.append(id);
        }
        break;
    }
    }

    if (ids.size() > kMaxSecurityTemplates) {
        return fail(tr("%1 security templates are chosen, but Tenovos takes at most %2 per asset. "
                       "Choose fewer.")
                        .arg(ids.size())
                        .arg(kMaxSecurityTemplates));
    }
    return ids;
}

QStringList UploadForm::lastSecurityTemplateIds() const
{
    QStringList ids = QSettings().value(lastSecurityTemplateIdsKey()).toStringList();
    ids.removeIf([](const QString &id) { return !isUuid(id); });
    return ids;
}

// --- Metadata template and fields -------------------------------------------

QString UploadForm::currentMetadataTemplateId() const
{
    return m_ui->metadataTemplateCombo->currentData().toString();
}

void UploadForm::selectMetadataTemplate(const QString &templateId)
{
    // Failures of another template's look-ups no longer matter.
    m_failures.removeIf([&templateId](const Failure &failure) {
        return (failure.lookUp.kind == LookUp::Kind::MetadataTemplate && failure.lookUp.id != templateId)
            || failure.lookUp.kind == LookUp::Kind::Vocabulary;
    });

    if (templateId.isEmpty()) {
        m_ui->metadataFields->clear(tr("Choose a metadata template to see its fields."));
    } else if (const auto cached = m_templates.constFind(templateId); cached != m_templates.cend()) {
        showMetadataTemplate(*cached);
    } else {
        m_ui->metadataFields->clear(tr("Loading the metadata template…"));
        startLookUp({LookUp::Kind::MetadataTemplate, templateId});
    }

    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::showMetadataTemplate(const MetadataTemplate &metadataTemplate)
{
    MetadataFieldsWidget *fields = m_ui->metadataFields;
    fields->setTemplate(metadataTemplate);

    const QStringList vocabularyIds = fields->vocabularyIds();
    for (const QString &vocabularyId : vocabularyIds) {
        if (const auto cached = m_vocabularies.constFind(vocabularyId); cached != m_vocabularies.cend())
            fields->setVocabulary(*cached);
        else
            startLookUp({LookUp::Kind::Vocabulary, vocabularyId});
    }

    // Vocabulary fields keep their preselected values until their values
    // arrive.
    if (m_preselectedMeta)
        fields->applyValues(*std::exchange(m_preselectedMeta, std::nullopt));
}

// --- Modes and the asset of the new-version mode ----------------------------

UploadMode UploadForm::mode() const
{
    if (m_ui->newVersionRadio->isChecked())
        return UploadMode::NewVersion;
    if (m_ui->metadataOnlyRadio->isChecked())
        return UploadMode::MetadataOnly;
    return UploadMode::NewAsset;
}

void UploadForm::setMode(UploadMode mode)
{
    switch (mode) {
    case UploadMode::NewAsset:
        m_ui->newAssetRadio->setChecked(true);
        break;
    case UploadMode::NewVersion:
        m_ui->newVersionRadio->setChecked(true);
        break;
    case UploadMode::MetadataOnly:
        m_ui->metadataOnlyRadio->setChecked(true);
        break;
    }
}

void UploadForm::updateModeWidgets()
{
    const UploadMode current = mode();
    m_ui->versionPanel->setVisible(current == UploadMode::NewVersion);
    m_ui->metadataOnlyPanel->setVisible(current == UploadMode::MetadataOnly);
}

void UploadForm::lookUpAsset()
{
    const QString id = m_ui->objectIdEdit->text().trimmed();
    resetAsset();
    if (id.isEmpty())
        return;

    m_assetId = id;
    if (!isUuid(id)) {
        m_assetError = tr("“%1” is not an object id. Object ids look like "
                          "2c1d0732-5b8e-4f6a-9c3d-7e1f2a4b6c8d.")
                           .arg(id);
    } else if (!m_engine) {
        m_assetError = tr("Sign in to look up the asset %1.").arg(id);
    } else {
        m_assetPending = true;
        qCDebug(lcUi) << "Looking up asset" << id;
        invokeOnEngine(m_engine.data(), [id](UploadEngine *target) { target->loadAsset(id); });
    }

    showAsset();
    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::onAssetLoaded(const QString &id, const Result<AssetInfo> &result)
{
    if (!m_assetPending || id != m_assetId)
        return;
    m_assetPending = false;

    if (result) {
        m_asset = result.value();
        qCDebug(lcUi) << "Asset" << id << "has the file" << m_asset->filename;
    } else {
        qCInfo(lcUi) << "Looking up asset" << id << "failed:" << result.error().logMessage();
        m_assetError = result.error().userMessage();
    }

    showAsset();
    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::resetAsset()
{
    m_assetId.clear();
    m_asset.reset();
    m_assetError.clear();
    m_assetPending = false;
    showAsset();
    updateStatus();
    updateReady();
    updateValidity();
}

void UploadForm::showAsset()
{
    QString text;
    QString toolTip;
    if (m_assetPending) {
        text = tr("Looking up the asset %1…").arg(m_assetId);
    } else if (m_asset) {
        const QString size = m_asset->fileSizeInBytes >= 0
                                 ? QLocale().formattedDataSize(m_asset->fileSizeInBytes)
                                 : tr("no content yet");
        text = tr("Current file: %1 (%2)").arg(m_asset->filename, size);
        toolTip = tr("Object id %1, file id %2").arg(m_asset->objectId, m_asset->fileId);
    } else {
        text = m_assetError;
    }
    m_ui->assetLabel->setText(text);
    m_ui->assetLabel->setToolTip(toolTip);
    m_ui->assetLabel->setVisible(!text.isEmpty());
}

std::optional<QString> UploadForm::versionObjectId(QString *error) const
{
    auto fail = [error](const QString &message) -> std::optional<QString> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    const QString id = m_ui->objectIdEdit->text().trimmed();
    if (id.isEmpty())
        return fail(tr("Enter the object id of the asset that gets the new version."));
    if (id != m_assetId)
        return fail(tr("Press Look Up to check the asset %1 before uploading.").arg(id));
    if (m_assetPending)
        return fail(tr("Wait until the asset %1 has been looked up.").arg(id));
    if (!m_asset)
        return fail(m_assetError);
    return m_asset->objectId.isEmpty() ? id : m_asset->objectId;
}

// --- The batch ---------------------------------------------------------------

std::optional<UploadBatch> UploadForm::batchSettings(QString *error) const
{
    auto fail = [error](const QString &message) -> std::optional<UploadBatch> {
        if (error)
            *error = message;
        return std::nullopt;
    };

    UploadBatch batch;
    batch.mode = mode();

    if (batch.mode == UploadMode::NewVersion) {
        const std::optional<QString> objectId = versionObjectId(error);
        if (!objectId)
            return std::nullopt;
        batch.versionOfObjectId = *objectId;
    } else if (batch.mode == UploadMode::MetadataOnly) {
        const QString name = m_ui->metadataOnlyNameEdit->text().trimmed();
        if (name.isEmpty())
            return fail(tr("Enter a name for the metadata-only asset."));
        if (name.contains(QLatin1Char('/')) || name.contains(QLatin1Char('\\')))
            return fail(tr("The name “%1” contains “/” or “\\”, which a file name cannot. Remove them.").arg(name));
        batch.metadataOnlyName = name;
    }

    const std::optional<QStringList> securityIds = securityTemplateIds(error);
    if (!securityIds)
        return std::nullopt;
    batch.securityTemplateIds = *securityIds;

    const QString templateId = currentMetadataTemplateId();
    if (templateId.isEmpty()) {
        if (m_pending.contains(LookUp{LookUp::Kind::MetadataTemplates, QString()}))
            return fail(tr("Wait until the metadata templates have loaded."));
        if (m_ui->metadataTemplateCombo->count() == 0 && !m_failures.isEmpty())
            return fail(tr("The metadata templates could not be loaded. Press Retry."));
        return fail(tr("Choose a metadata template."));
    }
    if (m_ui->metadataFields->metadataTemplate().id != templateId) {
        if (m_pending.contains(LookUp{LookUp::Kind::MetadataTemplate, templateId})) {
            return fail(tr("Wait until the metadata template “%1” has loaded.")
                            .arg(m_ui->metadataTemplateCombo->currentText()));
        }
        return fail(tr("The metadata template “%1” could not be loaded. Press Retry.")
                        .arg(m_ui->metadataTemplateCombo->currentText()));
    }
    const std::optional<QJsonArray> metadata = m_ui->metadataFields->metadata(error);
    if (!metadata)
        return std::nullopt;
    batch.metadataTemplateId = templateId;
    batch.metadata = *metadata;
    return batch;
}

void UploadForm::rememberBatch(const UploadBatch &batch)
{
    QSettings settings;
    settings.setValue(lastSecurityTemplateIdsKey(), batch.securityTemplateIds);
    settings.setValue(lastMetadataTemplateIdKey(), batch.metadataTemplateId);

    const QStringList lastIds = lastSecurityTemplateIds();
    m_ui->lastIdsButton->setVisible(m_securityInput == SecurityInput::Ids && !lastIds.isEmpty());
    m_ui->lastIdsButton->setToolTip(
        tr("Fill in the ids of the last upload: %1").arg(lastIds.join(QLatin1String(", "))));
}

void UploadForm::preselect(const QStringList &securityTemplateIds, const QString &metadataTemplateId,
                           const QList<QPair<QString, QString>> &meta)
{
    m_notes.clear();
    if (!securityTemplateIds.isEmpty())
        m_preselectedSecurityIds = securityTemplateIds;
    if (!meta.isEmpty())
        m_preselectedMeta = meta;
    m_preselectedTemplateId = metadataTemplateId;

    // Apply at once what has loaded already; the rest waits for its look-up.
    applyPreselectedSecurityIds();

    QComboBox *combo = m_ui->metadataTemplateCombo;
    MetadataFieldsWidget *fields = m_ui->metadataFields;
    const bool templateListLoaded = combo->count() > 0;
    if (!metadataTemplateId.isEmpty() && templateListLoaded) {
        m_preselectedTemplateId.clear();
        const int index = combo->findData(metadataTemplateId);
        if (index < 0) {
            addNote(tr("The metadata template %1 is not available to your account; choose another one.")
                        .arg(metadataTemplateId));
        } else if (index != combo->currentIndex()) {
            combo->setCurrentIndex(index); // builds the fields, which applies meta
        }
    }
    if (m_preselectedMeta && fields->hasTemplate() && fields->metadataTemplate().id == currentMetadataTemplateId()
        && (metadataTemplateId.isEmpty() || metadataTemplateId == currentMetadataTemplateId())) {
        fields->applyValues(*std::exchange(m_preselectedMeta, std::nullopt));
    }

    updateStatus();
    updateValidity();
}

// --- State shown around the fields -------------------------------------------

void UploadForm::addNote(const QString &note)
{
    qCInfo(lcUi) << "Upload form:" << note;
    m_notes.append(note);
    while (m_notes.size() > kMaxNotes)
        m_notes.removeFirst();
    updateStatus();
}

bool UploadForm::hasPendingLookUps() const
{
    return !m_pending.isEmpty() || m_assetPending;
}

bool UploadForm::isReady() const
{
    return m_ready;
}

void UploadForm::updateStatus()
{
    const bool busy = hasPendingLookUps();
    m_ui->busyBar->setVisible(busy);

    QStringList lines;
    for (const Failure &failure : std::as_const(m_failures))
        lines.append(failure.message);
    lines.append(m_notes);
    if (lines.isEmpty() && busy)
        lines.append(tr("Loading from Tenovos…"));
    if (lines.isEmpty() && !m_started)
        lines.append(tr("Sign in to load the security and metadata templates."));

    m_ui->statusLabel->setText(lines.join(QLatin1Char('\n')));
    m_ui->statusLabel->setVisible(!lines.isEmpty());
    m_ui->retryButton->setVisible(!m_failures.isEmpty());
}

void UploadForm::updateReady()
{
    const bool ready = m_engine && m_started && !hasPendingLookUps();
    if (ready == m_ready)
        return;
    m_ready = ready;
    Q_EMIT readyChanged(ready);
}

void UploadForm::updateValidity()
{
    const bool valid = batchSettings(nullptr).has_value();
    if (valid == m_valid)
        return;
    m_valid = valid;
    Q_EMIT validityChanged(valid);
}

} // namespace tenovos
