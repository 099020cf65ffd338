// Tests of the upload form against an in-process sandbox on 127.0.0.1 and a
// real engine, running in its own thread and signed in to the sandbox. The
// ids below are the sandbox's demo catalog (tests/sandbox/democatalog.cpp).

#include "democatalog.h"
#include "enginethread.h"
#include "metadatafieldeditor.h"
#include "sandboxconfig.h"
#include "sandboxserver.h"
#include "uploadengine.h"
#include "uploadform.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDateEdit>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using namespace tenovos;
using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr int kTimeoutMs = 15000;

QString latin1(const char *text)
{
    return QString::fromLatin1(text);
}

const QString kInternalTemplateId = latin1(DemoCatalog::marketingInternalTemplateId);
const QString kPublicTemplateId = latin1(DemoCatalog::marketingPublicTemplateId);
const QString kMarketingTemplateId = latin1(DemoCatalog::marketingAssetTemplateId);

// Attributes of the "Marketing Asset" metadata template.
const QString kTitleId = QStringLiteral("ecab53e7-9621-4b7f-8700-e484e96bfb3d");       // text, required
const QString kDescriptionId = QStringLiteral("f30e18be-c77b-42ac-b4b8-23e7bea34060"); // text
const QString kEmbargoId = QStringLiteral("08eb2844-b7e8-44c1-ad8d-022608e5c9f9");     // date
const QString kRegionId = QStringLiteral("7452a4cd-3566-413c-8950-47b42b4d355f");      // vocabulary, required
const QString kChannelsId = QStringLiteral("d18a47ec-83a1-4be8-9581-9c19a9588d7e");    // vocabulary, multiple
const QString kAssetNumberId = QStringLiteral("85864ca7-6d17-4517-96cc-f868acfb831a"); // text, read-only
const QString kInternalRefId = QStringLiteral("03c1bedd-46b4-45ec-9784-fa7d3c26aa24"); // text, hidden

// Vocabulary values.
const QString kEmeaId = QStringLiteral("4eb680f3-0a68-4337-adfd-ae163403a9b9");
const QString kNorthAmericaId = QStringLiteral("d0d7af44-83ba-4be5-b8fc-61fc287def6e");
const QString kWebId = QStringLiteral("f053df9c-b597-495d-9cf7-db3dae88280e");
const QString kSocialId = QStringLiteral("f6826f15-88fd-4270-bc87-408b4df2b1d2");
const QString kPrintId = QStringLiteral("f90b2402-ecca-4750-9723-201b49e792de");
const QString kEmailId = QStringLiteral("f87920f8-b5ea-4d21-b268-102b905bb1c7");

QJsonObject valueId(const QString &id)
{
    return QJsonObject{{QStringLiteral("valueId"), id}};
}

// The item of metadata for attributeId; an empty object when there is none.
QJsonObject findItem(const QJsonArray &metadata, const QString &attributeId)
{
    for (const QJsonValue &item : metadata) {
        if (item.toObject().value(QStringLiteral("metadataDefinitionId")).toString() == attributeId)
            return item.toObject();
    }
    return QJsonObject();
}

QByteArray toJson(const QJsonValue &value)
{
    if (value.isUndefined())
        return QByteArrayLiteral("(omitted)");
    return QJsonDocument(QJsonArray{value}).toJson(QJsonDocument::Compact);
}

MetadataFieldEditor *fieldEditor(const UploadForm &form, const QString &attributeId)
{
    return form.findChild<MetadataFieldEditor *>(QStringLiteral("metadataField_") + attributeId);
}

// Enters value into the attribute's field the way a user would: text typed,
// a date (yyyy-MM-dd) picked with its check box, vocabulary values chosen
// by name (several separated by ';'). False when the field is missing,
// disabled or lacks the value.
bool fillField(UploadForm &form, const QString &attributeId, const QString &value)
{
    MetadataFieldEditor *editor = fieldEditor(form, attributeId);
    if (!editor || !editor->isEnabled())
        return false;

    if (auto *dateEdit = editor->findChild<QDateEdit *>()) {
        auto *check = editor->findChild<QCheckBox *>();
        const QDate date = QDate::fromString(value, Qt::ISODate);
        if (!check || !date.isValid())
            return false;
        check->setChecked(true);
        dateEdit->setDate(date);
        return dateEdit->date() == date;
    }
    if (auto *combo = editor->findChild<QComboBox *>()) {
        const int index = combo->findText(value);
        combo->setCurrentIndex(index);
        return index >= 0;
    }
    if (auto *list = editor->findChild<QListWidget *>()) {
        const QStringList names = value.split(QLatin1Char(';'));
        int checked = 0;
        for (int row = 0; row < list->count(); ++row) {
            QListWidgetItem *item = list->item(row);
            const bool selected = names.contains(item->text());
            item->setCheckState(selected ? Qt::Checked : Qt::Unchecked);
            checked += selected ? 1 : 0;
        }
        return checked == names.size();
    }
    if (auto *lineEdit = editor->findChild<QLineEdit *>()) {
        lineEdit->clear();
        QTest::keyClicks(lineEdit, value);
        return lineEdit->text() == value;
    }
    return false;
}

bool checkSecurityTemplate(UploadForm &form, const QString &templateId)
{
    auto *list = form.findChild<QListWidget *>(QStringLiteral("securityList"));
    for (int row = 0; list && row < list->count(); ++row) {
        if (list->item(row)->data(Qt::UserRole).toString() == templateId) {
            list->item(row)->setCheckState(Qt::Checked);
            return true;
        }
    }
    return false;
}

} // namespace

class tst_UploadForm : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanupTestCase();

    void busyWhileLoading();
    void requiredFieldsMarked();
    void requiredFieldMissing_data();
    void requiredFieldMissing();
    void noSecurityTemplateChosen();
    void forbiddenListOffersLastIds();
    void securityIdsParsed_data();
    void securityIdsParsed();
    void metadataItem_data();
    void metadataItem();
    void readOnlyAndHiddenNotSent_data();
    void readOnlyAndHiddenNotSent();
    void preselectAppliesValues();
    void reloadKeepsChoices();
    void rememberedTemplateChosenAgain();
    void newVersionShowsFileName();
    void newVersionRejectsAsset_data();
    void newVersionRejectsAsset();
    void metadataOnlyRequiresName();
    void failedLookUpOffersRetry();
    void batchAcceptedBySandbox();

private:
    UploadEngine *engine() const { return m_engineThread->engine(); }
    std::unique_ptr<UploadForm> createForm();
    bool waitUntilReady(UploadForm &form);
    bool chooseMetadataTemplate(UploadForm &form, const QString &templateId);
    // Chooses a security template and the Marketing Asset template and
    // fills in its required fields.
    bool fillRequired(UploadForm &form);
    void setSecurityListForbidden(bool forbidden);
    // Uploads through the engine and returns the finished file's result.
    std::optional<UploadResult> upload(const UploadItem &item, const UploadBatch &batch);

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_filesDir;
    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<EngineThread> m_engineThread;
};

void tst_UploadForm::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QVERIFY(m_filesDir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("TenovosUploaderTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_uploadform"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());

    m_server = std::make_unique<SandboxServer>(SandboxConfig::demo());
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));

    m_engineThread = std::make_unique<EngineThread>();
    UploadEngine *target = engine();
    EngineSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.apiKey = m_server->config().apiKey;
    settings.maxRetries = 0; // a fault injected into a look-up fails it at once
    QMetaObject::invokeMethod(
        target, [target, settings] { target->configure(settings); }, Qt::QueuedConnection);

    bool signedIn = false;
    QString signInError;
    const QMetaObject::Connection signedInConnection =
        connect(target, &UploadEngine::signedIn, this, [&signedIn] { signedIn = true; });
    const QMetaObject::Connection failedConnection = connect(
        target, &UploadEngine::signInFailed, this,
        [&signInError](const ApiError &error) { signInError = error.logMessage(); });
    const SandboxConfig config = m_server->config();
    QMetaObject::invokeMethod(
        target, [target, config] { target->signIn(config.username, config.password); },
        Qt::QueuedConnection);
    QTRY_VERIFY_WITH_TIMEOUT(signedIn || !signInError.isEmpty(), kTimeoutMs);
    disconnect(signedInConnection);
    disconnect(failedConnection);
    QVERIFY2(signedIn, qPrintable(signInError));
}

void tst_UploadForm::init()
{
    QString error;
    QVERIFY2(m_server->setConfig(SandboxConfig::demo(), &error), qPrintable(error));
    m_server->clearFaults();
    QSettings().clear();
}

void tst_UploadForm::cleanupTestCase()
{
    m_engineThread.reset();
    m_server.reset();
}

std::unique_ptr<UploadForm> tst_UploadForm::createForm()
{
    auto form = std::make_unique<UploadForm>();
    form->setEngine(engine());
    form->reload();
    return form;
}

bool tst_UploadForm::waitUntilReady(UploadForm &form)
{
    return QTest::qWaitFor([&form] { return form.isReady(); }, kTimeoutMs);
}

bool tst_UploadForm::chooseMetadataTemplate(UploadForm &form, const QString &templateId)
{
    auto *combo = form.findChild<QComboBox *>(QStringLiteral("metadataTemplateCombo"));
    const int index = combo ? combo->findData(templateId) : -1;
    if (index < 0)
        return false;
    combo->setCurrentIndex(index);
    return waitUntilReady(form);
}

bool tst_UploadForm::fillRequired(UploadForm &form)
{
    return checkSecurityTemplate(form, kInternalTemplateId)
        && chooseMetadataTemplate(form, kMarketingTemplateId)
        && fillField(form, kTitleId, QStringLiteral("Spring launch"))
        && fillField(form, kRegionId, QStringLiteral("EMEA"));
}

void tst_UploadForm::setSecurityListForbidden(bool forbidden)
{
    SandboxConfig config = m_server->config();
    config.securityTemplateListForbidden = forbidden;
    QString error;
    QVERIFY2(m_server->setConfig(config, &error), qPrintable(error));
}

std::optional<UploadResult> tst_UploadForm::upload(const UploadItem &item, const UploadBatch &batch)
{
    std::optional<UploadResult> finished;
    const QMetaObject::Connection connection =
        connect(engine(), &UploadEngine::taskFinished, this,
                [&finished, &item](const QString &id, const UploadResult &result) {
                    if (id == item.id)
                        finished = result;
                });
    UploadEngine *target = engine();
    QMetaObject::invokeMethod(
        target, [target, item, batch] { target->enqueue({item}, batch); }, Qt::QueuedConnection);
    if (!QTest::qWaitFor([&finished] { return finished.has_value(); }, kTimeoutMs))
        qWarning("Upload of %s did not finish within %d ms", qPrintable(item.id), kTimeoutMs);
    disconnect(connection);
    return finished;
}

void tst_UploadForm::busyWhileLoading()
{
    auto form = createForm();
    auto *busyBar = form->findChild<QWidget *>(QStringLiteral("busyBar"));
    QVERIFY(busyBar);
    QVERIFY(!form->isReady());
    QVERIFY(busyBar->isVisibleTo(form.get()));

    QVERIFY(waitUntilReady(*form));
    QVERIFY(!busyBar->isVisibleTo(form.get()));
}

void tst_UploadForm::requiredFieldsMarked()
{
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(chooseMetadataTemplate(*form, kMarketingTemplateId));

    MetadataFieldEditor *title = fieldEditor(*form, kTitleId);
    MetadataFieldEditor *description = fieldEditor(*form, kDescriptionId);
    QVERIFY(title);
    QVERIFY(description);
    QCOMPARE(title->inputWidget()->accessibleDescription(), QStringLiteral("Required"));
    QVERIFY(description->inputWidget()->accessibleDescription().isEmpty());

    QLabel *titleLabel = nullptr;
    const QList<QLabel *> labels = form->findChildren<QLabel *>();
    for (QLabel *label : labels) {
        if (label->buddy() == title->inputWidget())
            titleLabel = label;
    }
    QVERIFY(titleLabel);
    QCOMPARE(titleLabel->text(), QStringLiteral("Title *"));
}

void tst_UploadForm::requiredFieldMissing_data()
{
    QTest::addColumn<QString>("filledId");
    QTest::addColumn<QString>("filledValue");
    QTest::addColumn<QString>("expectedError");

    QTest::addRow("title empty") << kRegionId << QStringLiteral("EMEA")
                                 << QStringLiteral("Fill in the required field “Title”.");
    QTest::addRow("region empty") << kTitleId << QStringLiteral("Spring launch")
                                  << QStringLiteral("Fill in the required field “Region”.");
}

void tst_UploadForm::requiredFieldMissing()
{
    QFETCH(QString, filledId);
    QFETCH(QString, filledValue);
    QFETCH(QString, expectedError);

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(checkSecurityTemplate(*form, kInternalTemplateId));
    QVERIFY(chooseMetadataTemplate(*form, kMarketingTemplateId));
    QVERIFY(fillField(*form, filledId, filledValue));

    QString error;
    QVERIFY(!form->batchSettings(&error));
    QCOMPARE(error, expectedError);
    QVERIFY(!form->isValid());
}

void tst_UploadForm::noSecurityTemplateChosen()
{
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(chooseMetadataTemplate(*form, kMarketingTemplateId));
    QVERIFY(fillField(*form, kTitleId, QStringLiteral("Spring launch")));
    QVERIFY(fillField(*form, kRegionId, QStringLiteral("EMEA")));

    QString error;
    QVERIFY(!form->batchSettings(&error));
    QCOMPARE(error, QStringLiteral("Choose at least one security template."));
    QVERIFY(!form->isValid());

    QSignalSpy validity(form.get(), &UploadForm::validityChanged);
    QVERIFY(checkSecurityTemplate(*form, kPublicTemplateId));
    QCOMPARE(validity.count(), 1);
    QCOMPARE(validity.constFirst().constFirst().toBool(), true);
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->securityTemplateIds, QStringList{kPublicTemplateId});
}

void tst_UploadForm::forbiddenListOffersLastIds()
{
    setSecurityListForbidden(true);
    QSettings().setValue(UploadForm::lastSecurityTemplateIdsKey(), QStringList{kPublicTemplateId});

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));

    auto *list = form->findChild<QListWidget *>(QStringLiteral("securityList"));
    auto *idsEdit = form->findChild<QPlainTextEdit *>(QStringLiteral("securityIdsEdit"));
    auto *message = form->findChild<QLabel *>(QStringLiteral("securityMessageLabel"));
    auto *lastIdsButton = form->findChild<QPushButton *>(QStringLiteral("lastIdsButton"));
    QVERIFY(list && idsEdit && message && lastIdsButton);
    QVERIFY(!list->isVisibleTo(form.get()));
    QVERIFY(idsEdit->isVisibleTo(form.get()));
    QVERIFY(message->isVisibleTo(form.get()));
    QVERIFY2(message->text().contains(QStringLiteral("security template"), Qt::CaseInsensitive),
             qPrintable(message->text()));

    // The ids of the last batch are filled in and offered on a button.
    QCOMPARE(idsEdit->toPlainText().trimmed(), kPublicTemplateId);
    QVERIFY(lastIdsButton->isVisibleTo(form.get()));
    idsEdit->clear();
    QTest::mouseClick(lastIdsButton, Qt::LeftButton);
    QCOMPARE(idsEdit->toPlainText().trimmed(), kPublicTemplateId);

    QVERIFY(chooseMetadataTemplate(*form, kMarketingTemplateId));
    QVERIFY(fillField(*form, kTitleId, QStringLiteral("Spring launch")));
    QVERIFY(fillField(*form, kRegionId, QStringLiteral("EMEA")));
    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->securityTemplateIds, QStringList{kPublicTemplateId});
}

void tst_UploadForm::securityIdsParsed_data()
{
    QTest::addColumn<QString>("typed");
    QTest::addColumn<QStringList>("expectedIds");
    QTest::addColumn<QString>("expectedError");

    const QString both = kInternalTemplateId + QStringLiteral(", ") + kPublicTemplateId;
    QTest::addRow("comma separated") << both << QStringList{kInternalTemplateId, kPublicTemplateId} << QString();
    QTest::addRow("newline separated") << kInternalTemplateId + QStringLiteral("\n") + kPublicTemplateId
                                       << QStringList{kInternalTemplateId, kPublicTemplateId} << QString();
    QTest::addRow("duplicate dropped") << kInternalTemplateId + QStringLiteral("\n") + kInternalTemplateId
                                       << QStringList{kInternalTemplateId} << QString();
    QTest::addRow("not a uuid") << kInternalTemplateId + QStringLiteral(", marketing") << QStringList()
                                << QStringLiteral("“marketing” is not a valid security template id. Enter ids "
                                                  "like 969b726b-b60f-4996-af26-36c90b3af636, separated by "
                                                  "commas or new lines.");
    QTest::addRow("empty") << QStringLiteral(" \n ") << QStringList()
                           << QStringLiteral("Enter at least one security template id.");
}

void tst_UploadForm::securityIdsParsed()
{
    QFETCH(QString, typed);
    QFETCH(QStringList, expectedIds);
    QFETCH(QString, expectedError);

    setSecurityListForbidden(true);
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(chooseMetadataTemplate(*form, kMarketingTemplateId));
    QVERIFY(fillField(*form, kTitleId, QStringLiteral("Spring launch")));
    QVERIFY(fillField(*form, kRegionId, QStringLiteral("EMEA")));
    auto *idsEdit = form->findChild<QPlainTextEdit *>(QStringLiteral("securityIdsEdit"));
    QVERIFY(idsEdit);
    idsEdit->setPlainText(typed);

    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QCOMPARE(error, expectedError);
    QCOMPARE(batch.has_value(), expectedError.isEmpty());
    if (batch)
        QCOMPARE(batch->securityTemplateIds, expectedIds);
}

void tst_UploadForm::metadataItem_data()
{
    QTest::addColumn<QString>("attributeId");
    QTest::addColumn<QString>("input");
    QTest::addColumn<QJsonValue>("expected"); // undefined: no item

    QTest::addRow("text") << kDescriptionId << QStringLiteral("Posters for the spring launch")
                          << QJsonValue(QStringLiteral("Posters for the spring launch"));
    QTest::addRow("text trimmed") << kDescriptionId << QStringLiteral("  Posters  ")
                                  << QJsonValue(QStringLiteral("Posters"));
    QTest::addRow("date") << kEmbargoId << QStringLiteral("2024-03-31") << QJsonValue(QStringLiteral("03/31/2024"));
    QTest::addRow("single vocabulary") << kRegionId << QStringLiteral("North America")
                                       << QJsonValue(valueId(kNorthAmericaId));
    QTest::addRow("multi vocabulary") << kChannelsId << QStringLiteral("Web;Print")
                                      << QJsonValue(QJsonArray{valueId(kWebId), valueId(kPrintId)});
    QTest::addRow("multi vocabulary one value") << kChannelsId << QStringLiteral("Email")
                                                << QJsonValue(QJsonArray{valueId(kEmailId)});
    QTest::addRow("empty optional text omitted") << kDescriptionId << QString() << QJsonValue(QJsonValue::Undefined);
    QTest::addRow("empty optional date omitted") << kEmbargoId << QString() << QJsonValue(QJsonValue::Undefined);
    QTest::addRow("empty optional multi omitted") << kChannelsId << QString() << QJsonValue(QJsonValue::Undefined);
}

void tst_UploadForm::metadataItem()
{
    QFETCH(QString, attributeId);
    QFETCH(QString, input);
    QFETCH(QJsonValue, expected);

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    if (!input.isEmpty())
        QVERIFY(fillField(*form, attributeId, input));

    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->metadataTemplateId, kMarketingTemplateId);
    const QJsonObject item = findItem(batch->metadata, attributeId);
    if (expected.isUndefined()) {
        QVERIFY2(item.isEmpty(), QJsonDocument(item).toJson(QJsonDocument::Compact).constData());
        return;
    }
    QCOMPARE(item.size(), 2);
    QCOMPARE(toJson(item.value(QStringLiteral("metadataDefinitionValue"))), toJson(expected));
}

void tst_UploadForm::readOnlyAndHiddenNotSent_data()
{
    QTest::addColumn<QString>("attributeId");
    QTest::addColumn<QString>("attributeName");
    QTest::addColumn<bool>("shown");

    QTest::addRow("read-only") << kAssetNumberId << QStringLiteral("Asset Number") << true;
    QTest::addRow("hidden") << kInternalRefId << QStringLiteral("Internal Reference") << false;
}

void tst_UploadForm::readOnlyAndHiddenNotSent()
{
    QFETCH(QString, attributeId);
    QFETCH(QString, attributeName);
    QFETCH(bool, shown);

    auto form = std::make_unique<UploadForm>();
    form->setEngine(engine());
    form->preselect({kInternalTemplateId}, kMarketingTemplateId,
                    {{QStringLiteral("Title"), QStringLiteral("Spring launch")},
                     {QStringLiteral("Region"), QStringLiteral("EMEA")},
                     {attributeName, QStringLiteral("A-100")}});
    form->reload();
    QVERIFY(waitUntilReady(*form));

    MetadataFieldEditor *editor = fieldEditor(*form, attributeId);
    if (shown) {
        QVERIFY(editor);
        QVERIFY(!editor->isEnabled());
    } else {
        QVERIFY(!editor);
    }

    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QVERIFY(findItem(batch->metadata, attributeId).isEmpty());
    QVERIFY(!findItem(batch->metadata, kTitleId).isEmpty());

    // The status line names the field whose preselected value was dropped.
    auto *status = form->findChild<QLabel *>(QStringLiteral("statusLabel"));
    QVERIFY(status);
    QVERIFY2(status->text().contains(attributeName), qPrintable(status->text()));
}

void tst_UploadForm::preselectAppliesValues()
{
    auto form = std::make_unique<UploadForm>();
    form->setEngine(engine());
    form->preselect({kPublicTemplateId}, kMarketingTemplateId,
                    {{QStringLiteral("title"), QStringLiteral("Spring launch")},
                     {kRegionId, QStringLiteral("EMEA")},
                     {QStringLiteral("Channels"), QStringLiteral("Web; Social")},
                     {QStringLiteral("Embargo Date"), QStringLiteral("04/01/2024")}});
    form->reload();
    QVERIFY(waitUntilReady(*form));

    auto *combo = form->findChild<QComboBox *>(QStringLiteral("metadataTemplateCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->currentData().toString(), kMarketingTemplateId);

    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->mode, UploadMode::NewAsset);
    QCOMPARE(batch->securityTemplateIds, QStringList{kPublicTemplateId});
    QCOMPARE(batch->metadataTemplateId, kMarketingTemplateId);
    QCOMPARE(findItem(batch->metadata, kTitleId).value(QStringLiteral("metadataDefinitionValue")),
             QJsonValue(QStringLiteral("Spring launch")));
    QCOMPARE(findItem(batch->metadata, kRegionId).value(QStringLiteral("metadataDefinitionValue")),
             QJsonValue(valueId(kEmeaId)));
    QCOMPARE(findItem(batch->metadata, kChannelsId).value(QStringLiteral("metadataDefinitionValue")),
             QJsonValue(QJsonArray{valueId(kWebId), valueId(kSocialId)}));
    QCOMPARE(findItem(batch->metadata, kEmbargoId).value(QStringLiteral("metadataDefinitionValue")),
             QJsonValue(QStringLiteral("04/01/2024")));
    QCOMPARE(batch->metadata.size(), 4);
}

void tst_UploadForm::reloadKeepsChoices()
{
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    QVERIFY(fillField(*form, kDescriptionId, QStringLiteral("Brief")));
    QVERIFY(fillField(*form, kEmbargoId, QStringLiteral("2024-06-30")));
    QVERIFY(fillField(*form, kChannelsId, QStringLiteral("Web;Email")));
    QString error;
    const std::optional<UploadBatch> before = form->batchSettings(&error);
    QVERIFY2(before, qPrintable(error));

    form->reload();
    QVERIFY(!form->isReady());
    QVERIFY(waitUntilReady(*form));

    const std::optional<UploadBatch> after = form->batchSettings(&error);
    QVERIFY2(after, qPrintable(error));
    QCOMPARE(after->securityTemplateIds, before->securityTemplateIds);
    QCOMPARE(after->metadataTemplateId, before->metadataTemplateId);
    QCOMPARE(QJsonDocument(after->metadata).toJson(QJsonDocument::Compact),
             QJsonDocument(before->metadata).toJson(QJsonDocument::Compact));
    QCOMPARE(after->metadata.size(), 5);
}

void tst_UploadForm::rememberedTemplateChosenAgain()
{
    UploadBatch accepted;
    accepted.securityTemplateIds = {kInternalTemplateId};
    accepted.metadataTemplateId = kMarketingTemplateId;
    {
        UploadForm form;
        form.rememberBatch(accepted);
    }
    QCOMPARE(QSettings().value(UploadForm::lastSecurityTemplateIdsKey()).toStringList(),
             QStringList{kInternalTemplateId});

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    auto *combo = form->findChild<QComboBox *>(QStringLiteral("metadataTemplateCombo"));
    QVERIFY(combo);
    QCOMPARE(combo->currentData().toString(), kMarketingTemplateId);
    QVERIFY(fieldEditor(*form, kTitleId));
}

void tst_UploadForm::newVersionShowsFileName()
{
    const QString path = m_filesDir.filePath(QStringLiteral("spring poster.txt"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QVERIFY(file.write(QByteArrayLiteral("first version of the poster\n")) > 0);
    file.close();

    UploadBatch seed;
    seed.securityTemplateIds = {kInternalTemplateId};
    seed.metadataTemplateId = kMarketingTemplateId;
    seed.metadata = {QJsonObject{{QStringLiteral("metadataDefinitionId"), kTitleId},
                                 {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Poster")}},
                     QJsonObject{{QStringLiteral("metadataDefinitionId"), kRegionId},
                                 {QStringLiteral("metadataDefinitionValue"), valueId(kEmeaId)}}};
    const std::optional<UploadResult> uploaded = upload({QStringLiteral("seed"), path}, seed);
    QVERIFY(uploaded);
    QVERIFY2(uploaded->state == TaskState::Done, qPrintable(uploaded->error.logMessage()));

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    form->setMode(UploadMode::NewVersion);
    auto *objectIdEdit = form->findChild<QLineEdit *>(QStringLiteral("objectIdEdit"));
    auto *lookUpButton = form->findChild<QPushButton *>(QStringLiteral("lookUpButton"));
    auto *assetLabel = form->findChild<QLabel *>(QStringLiteral("assetLabel"));
    QVERIFY(objectIdEdit && lookUpButton && assetLabel);
    QVERIFY(objectIdEdit->isVisibleTo(form.get()));

    QTest::keyClicks(objectIdEdit, uploaded->objectId);
    QString error;
    QVERIFY(!form->batchSettings(&error)); // not looked up yet
    QTest::mouseClick(lookUpButton, Qt::LeftButton);
    QVERIFY(!form->isReady());
    QVERIFY(waitUntilReady(*form));
    QVERIFY2(assetLabel->text().contains(QStringLiteral("spring poster.txt")), qPrintable(assetLabel->text()));
    QVERIFY(assetLabel->isVisibleTo(form.get()));

    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->mode, UploadMode::NewVersion);
    QCOMPARE(batch->versionOfObjectId, uploaded->objectId);
}

void tst_UploadForm::newVersionRejectsAsset_data()
{
    QTest::addColumn<QString>("objectId");

    QTest::addRow("unknown asset") << QStringLiteral("0f0e0d0c-0b0a-4908-8706-050403020100");
    QTest::addRow("not an id") << QStringLiteral("poster-42");
}

void tst_UploadForm::newVersionRejectsAsset()
{
    QFETCH(QString, objectId);

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    form->setMode(UploadMode::NewVersion);
    auto *objectIdEdit = form->findChild<QLineEdit *>(QStringLiteral("objectIdEdit"));
    auto *lookUpButton = form->findChild<QPushButton *>(QStringLiteral("lookUpButton"));
    auto *assetLabel = form->findChild<QLabel *>(QStringLiteral("assetLabel"));
    QVERIFY(objectIdEdit && lookUpButton && assetLabel);

    QTest::keyClicks(objectIdEdit, objectId);
    QTest::mouseClick(lookUpButton, Qt::LeftButton);
    QVERIFY(waitUntilReady(*form));
    QVERIFY2(assetLabel->text().contains(objectId), qPrintable(assetLabel->text()));

    QString error;
    QVERIFY(!form->batchSettings(&error));
    QCOMPARE(error, assetLabel->text());
}

void tst_UploadForm::metadataOnlyRequiresName()
{
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    QSignalSpy modeChanged(form.get(), &UploadForm::modeChanged);
    form->setMode(UploadMode::MetadataOnly);
    QCOMPARE(modeChanged.count(), 1);

    QString error;
    QVERIFY(!form->batchSettings(&error));
    QCOMPARE(error, QStringLiteral("Enter a name for the metadata-only asset."));

    auto *nameEdit = form->findChild<QLineEdit *>(QStringLiteral("metadataOnlyNameEdit"));
    QVERIFY(nameEdit);
    QVERIFY(nameEdit->isVisibleTo(form.get()));
    QTest::keyClicks(nameEdit, QStringLiteral("Spring brief.pdf"));
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    QCOMPARE(batch->mode, UploadMode::MetadataOnly);
    QCOMPARE(batch->metadataOnlyName, QStringLiteral("Spring brief.pdf"));
}

void tst_UploadForm::failedLookUpOffersRetry()
{
    QString error;
    QVERIFY2(m_server->addFault(QStringLiteral("lookup:status=500"), &error), qPrintable(error));

    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    auto *retryButton = form->findChild<QPushButton *>(QStringLiteral("retryButton"));
    auto *status = form->findChild<QLabel *>(QStringLiteral("statusLabel"));
    auto *list = form->findChild<QListWidget *>(QStringLiteral("securityList"));
    auto *combo = form->findChild<QComboBox *>(QStringLiteral("metadataTemplateCombo"));
    QVERIFY(retryButton && status && list && combo);
    QVERIFY(retryButton->isVisibleTo(form.get()));
    QVERIFY2(status->text().contains(QStringLiteral("could not be loaded")), qPrintable(status->text()));
    QVERIFY(!form->batchSettings(&error));
    QCOMPARE(error, QStringLiteral("The security templates could not be loaded. Press Retry."));

    m_server->clearFaults();
    QTest::mouseClick(retryButton, Qt::LeftButton);
    QVERIFY(!form->isReady());
    QVERIFY(waitUntilReady(*form));
    QVERIFY(!retryButton->isVisibleTo(form.get()));
    QVERIFY(list->isVisibleTo(form.get()));
    QCOMPARE(list->count(), 2);
    QCOMPARE(combo->count(), 2);
}

void tst_UploadForm::batchAcceptedBySandbox()
{
    auto form = createForm();
    QVERIFY(waitUntilReady(*form));
    QVERIFY(fillRequired(*form));
    QVERIFY(fillField(*form, kDescriptionId, QStringLiteral("Brief for the spring launch")));
    QVERIFY(fillField(*form, kEmbargoId, QStringLiteral("2024-05-01")));
    QVERIFY(fillField(*form, kChannelsId, QStringLiteral("Social;Email")));
    form->setMode(UploadMode::MetadataOnly);
    auto *nameEdit = form->findChild<QLineEdit *>(QStringLiteral("metadataOnlyNameEdit"));
    QVERIFY(nameEdit);
    QTest::keyClicks(nameEdit, QStringLiteral("Spring brief"));

    QString error;
    const std::optional<UploadBatch> batch = form->batchSettings(&error);
    QVERIFY2(batch, qPrintable(error));
    const std::optional<UploadResult> result = upload({QStringLiteral("metadata-only"), QString()}, *batch);
    QVERIFY(result);
    QVERIFY2(result->state == TaskState::Done, qPrintable(result->error.logMessage()));
    QCOMPARE(result->filename, QStringLiteral("Spring brief"));
}

QTEST_MAIN(tst_UploadForm)

#include "tst_uploadform.moc"
