// The window's offer to resume uploads that the journal recorded as
// unfinished. An in-process engine starts an upload into the journal and is
// destroyed mid-transfer, as a crash would leave it. Then a MainWindow opens
// on the same data folder (TENOVOS_DATA_DIR).

#include "accountmanager.h"
#include "appoptions.h"
#include "democatalog.h"
#include "mainwindow.h"
#include "queuemodel.h"
#include "sandboxconfig.h"
#include "sandboxserver.h"
#include "uploadengine.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageBox>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using tenovos::AccountManager;
using tenovos::AppOptions;
using tenovos::MainWindow;
using tenovos::QueueModel;
using tenovos::UploadEngine;
using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kPartSize = 5 * 1024 * 1024;
constexpr int kPartCount = 4;
constexpr int kWaitMs = 30000;

} // namespace

class tst_ResumeOffer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void resumeSendsRemainingParts();
    void discardCancelsUpload();
    void noOfferWithEmptyJournal();

private:
    AppOptions connectionOptions() const;
    void leaveInterruptedUpload(int confirmedParts);
    int confirmedPartsInJournal() const;
    QMessageBox *waitForOffer(MainWindow *window);
    QMap<int, int> putCounts() const;

    QTemporaryDir m_settingsDir;
    std::unique_ptr<QTemporaryDir> m_dir;
    std::unique_ptr<SandboxServer> m_server;
    QString m_filePath;
    QByteArray m_fileMd5;
};

void tst_ResumeOffer::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("TenovosTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_resumeoffer"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

void tst_ResumeOffer::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    QSettings().clear();
    qputenv("TENOVOS_DATA_DIR", QFile::encodeName(m_dir->filePath(QStringLiteral("data"))));

    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    m_server = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));

    m_filePath = m_dir->filePath(QStringLiteral("launch film.mov"));
    QByteArray content(kPartCount * kPartSize - 999, Qt::Uninitialized);
    QRandomGenerator(99).fillRange(reinterpret_cast<quint32 *>(content.data()), content.size() / 4);
    QFile file(m_filePath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(content), content.size());
    m_fileMd5 = QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex();
}

void tst_ResumeOffer::cleanup()
{
    m_server.reset();
    m_dir.reset();
    qunsetenv("TENOVOS_DATA_DIR");
}

AppOptions tst_ResumeOffer::connectionOptions() const
{
    const SandboxConfig config = m_server->config();
    AppOptions options;
    options.apiUrl = m_server->baseUrl();
    options.apiKey = config.apiKey;
    options.username = config.username;
    options.password = config.password;
    options.partSize = kPartSize;
    return options;
}

int tst_ResumeOffer::confirmedPartsInJournal() const
{
    QFile file(QDir(m_dir->filePath(QStringLiteral("data"))).filePath(QStringLiteral("upload-journal.json")));
    if (!file.open(QIODevice::ReadOnly))
        return -1;
    const QJsonArray entries = QJsonDocument::fromJson(file.readAll()).object().value(QLatin1String("entries")).toArray();
    if (entries.isEmpty())
        return -1;
    return int(entries.first().toObject().value(QLatin1String("confirmedParts")).toArray().size());
}

// Uploads the test file with an engine in this thread until the journal
// lists confirmedParts parts, then destroys the engine without cancelling:
// the multipart upload stays open and its entry stays in the journal.
void tst_ResumeOffer::leaveInterruptedUpload(int confirmedParts)
{
    QString error;
    // The part after the confirmed ones hangs, so the upload cannot finish.
    QVERIFY2(m_server->addFault(QStringLiteral("put@%1:stall=60").arg(confirmedParts + 1), &error), qPrintable(error));

    auto engine = std::make_unique<UploadEngine>();
    tenovos::EngineSettings settings;
    settings.baseUrl = m_server->baseUrl();
    settings.apiKey = m_server->config().apiKey;
    settings.partSize = kPartSize;
    settings.maxParallelParts = 1;
    engine->configure(settings);
    engine->openJournal();
    QSignalSpy signedIn(engine.get(), &UploadEngine::signedIn);
    engine->signIn(m_server->config().username, m_server->config().password);
    QVERIFY(signedIn.wait(kWaitMs));

    tenovos::UploadBatch batch;
    batch.securityTemplateIds = {QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)};
    batch.metadataTemplateId = QString::fromLatin1(DemoCatalog::productPhotoTemplateId);
    batch.metadata = QJsonArray{QJsonObject{{QStringLiteral("metadataDefinitionId"),
                                             QStringLiteral("1aa093f4-e75f-48ec-b35a-6fd0f4cefd0e")},
                                            {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Launch")}}};
    engine->enqueue({tenovos::UploadItem{QStringLiteral("crashed"), m_filePath}}, batch);
    QTRY_VERIFY_WITH_TIMEOUT(confirmedPartsInJournal() >= confirmedParts, kWaitMs);
    engine.reset();
    m_server->clearFaults();
    QCOMPARE(m_server->openUploadCount(), 1);
}

QMessageBox *tst_ResumeOffer::waitForOffer(MainWindow *window)
{
    QMessageBox *box = nullptr;
    const bool shown = QTest::qWaitFor([&] {
        box = window->findChild<QMessageBox *>(QStringLiteral("resumeOfferBox"));
        return box && box->isVisible();
    }, kWaitMs);
    return shown ? box : nullptr;
}

QMap<int, int> tst_ResumeOffer::putCounts() const
{
    QMap<int, int> counts;
    const QJsonArray assets = m_server->assets();
    if (assets.isEmpty())
        return counts;
    const QJsonArray versions = assets.first().toObject().value(QLatin1String("versions")).toArray();
    const QJsonObject perPart = versions.first().toObject().value(QLatin1String("putCounts")).toObject();
    for (auto it = perPart.constBegin(); it != perPart.constEnd(); ++it)
        counts.insert(it.key().toInt(), it.value().toInt());
    return counts;
}

void tst_ResumeOffer::resumeSendsRemainingParts()
{
    leaveInterruptedUpload(2);
    if (QTest::currentTestFailed())
        return;
    const QMap<int, int> countsBefore = putCounts();

    MainWindow window(connectionOptions());
    window.show();
    window.start();
    QMessageBox *offer = waitForOffer(&window);
    QVERIFY2(offer, "no resume offer appeared");
    QVERIFY2(offer->informativeText().contains(QDir::toNativeSeparators(m_filePath)), qPrintable(offer->informativeText()));
    QVERIFY2(offer->informativeText().contains(QStringLiteral("of 4 parts")), qPrintable(offer->informativeText()));

    auto *resume = offer->findChild<QPushButton *>(QStringLiteral("resumeButton"));
    QVERIFY(resume);
    resume->click();

    QueueModel *model = window.queueModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->rowCount(), 1, kWaitMs);
    QTRY_COMPARE_WITH_TIMEOUT(model->summary().done, 1, kWaitMs);

    const QJsonArray assets = m_server->assets();
    QCOMPARE(assets.size(), 1);
    QCOMPARE(m_server->contentMd5(assets.first().toObject().value(QLatin1String("objectId")).toString()), m_fileMd5);
    QCOMPARE(m_server->openUploadCount(), 0);
    // The two parts confirmed before the crash were not sent again.
    const QMap<int, int> countsAfter = putCounts();
    QCOMPARE(countsAfter.value(1), countsBefore.value(1));
    QCOMPARE(countsAfter.value(2), countsBefore.value(2));
    QCOMPARE(confirmedPartsInJournal(), -1);
}

void tst_ResumeOffer::discardCancelsUpload()
{
    leaveInterruptedUpload(1);
    if (QTest::currentTestFailed())
        return;

    MainWindow window(connectionOptions());
    window.show();
    window.start();
    QMessageBox *offer = waitForOffer(&window);
    QVERIFY2(offer, "no resume offer appeared");
    auto *discard = offer->findChild<QPushButton *>(QStringLiteral("discardButton"));
    QVERIFY(discard);
    discard->click();

    QueueModel *model = window.queueModel();
    QTRY_COMPARE_WITH_TIMEOUT(model->summary().cancelled, 1, kWaitMs);
    QCOMPARE(m_server->openUploadCount(), 0);
    const QJsonArray assets = m_server->assets();
    QCOMPARE(assets.size(), 1);
    const QJsonArray versions = assets.first().toObject().value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.first().toObject().value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(confirmedPartsInJournal(), -1);
}

void tst_ResumeOffer::noOfferWithEmptyJournal()
{
    MainWindow window(connectionOptions());
    window.show();
    QSignalSpy signedIn(window.accountManager(), &AccountManager::signedIn);
    window.start();
    // The journal is read before sign-in starts, so its (empty) entry list
    // has been handled by the time sign-in succeeds.
    QVERIFY(signedIn.wait(kWaitMs));
    QVERIFY(!window.findChild<QMessageBox *>(QStringLiteral("resumeOfferBox")));
}

QTEST_MAIN(tst_ResumeOffer)
#include "tst_resumeoffer.moc"
