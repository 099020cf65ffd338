// How the engine survives faults that an in-process SandboxServer injects.
// The cases: part retries with backoff and Retry-After, stalled parts, parts
// without ETag, failed completes and creates, creates and completes whose
// response is lost, permanent errors, a proxy's
// 413, expired part URLs and Retry as a new version, session renewal and a
// lost session, pause and resume, files that change mid-upload and a
// network outage.
//
// After each case the test checks the sandbox: stored bytes equal the source
// (MD5), one asset per file, no multipart upload left open, and the message
// the user was shown. Parts are 5 MiB (the smallest S3 allows) and backoff
// starts at 50 ms, so the suite stays fast.

#include "uploadengine.h"
#include "journalkey.h"
#include "uploadjournal.h"

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include "uploadfixture.h"

#include <optional>

using namespace tenovos;
using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kPartSize = 5 * kMiB;
constexpr int kWaitMs = 60000;

using tenovos::testing::SourceFile;

UploadBatch productPhotoBatch()
{
    const QString templateId = QString::fromLatin1(DemoCatalog::productPhotoTemplateId);
    UploadBatch batch;
    batch.securityTemplateIds = {QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)};
    batch.metadataTemplateId = templateId;
    for (const auto &group : DemoCatalog::instance().metadataTemplate(templateId)->groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.required) {
                batch.metadata.append(
                    QJsonObject{{QStringLiteral("metadataDefinitionId"), attribute.id},
                                {QStringLiteral("metadataDefinitionValue"),
                                 QStringLiteral("Reliability test")}});
            }
        }
    }
    return batch;
}

// Runs the event loop until condition() holds, waking up for each signal the
// spy records.
bool waitUntil(QSignalSpy &spy, const std::function<bool()> &condition, int timeoutMs = kWaitMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        spy.wait(int(qMax<qint64>(1, qMin<qint64>(deadline.remainingTime(), 200))));
    }
    return true;
}

} // namespace

class tst_Reliability : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void partRetriedAlone_data();
    void partRetriedAlone();
    void retryAfterHonoured();
    void retriesExhausted();
    void stalledPartRetried_data();
    void stalledPartRetried();
    void permanentErrorFailsAtOnce_data();
    void permanentErrorFailsAtOnce();
    void proxyLimitNamed();
    void completeRetriedWithoutParts();
    void completeTimeoutRetried();
    void apiCallRetried_data();
    void apiCallRetried();
    void lostCreateAdopted_data();
    void lostCreateAdopted();
    void lostCreateUnsearchable();
    void lostCompleteConfirmed();
    void interruptedCreateResumed();
    void owedCancelSentLater();
    void unreadableLinksRestartAsVersion();
    void expiredLinksRetryAsVersion_data();
    void expiredLinksRetryAsVersion();
    void tokenRenewedBeforeExpiry();
    void tokenRenewedAfter401();
    void renewalOutageRetried();
    void lostSessionPausesQueue_data();
    void lostSessionPausesQueue();
    void pauseAndResume_data();
    void pauseAndResume();
    void fileChangedMidUpload_data();
    void fileChangedMidUpload();
    void networkOutageBridged();

private:
    void startSandbox(const SandboxConfig &config);
    void startEngine(int transferTimeoutMs = 20000, int maxParallelParts = 4,
                     int retryDelayMs = 50);
    void addFault(const QString &rule);
    UploadResult waitForResult(const QString &id);
    std::optional<UploadResult> resultOf(const QString &id) const;
    QJsonObject sandboxAsset(const QString &objectId) const;
    QMap<int, int> putCounts(const QString &objectId, int version = -1) const;
    int countRequests(const QString &method, const QString &path, int status = -1) const;
    bool partReached(const QSignalSpy &spy, const QString &id, int part, PartState state) const;
    // Checks that each of parts 1 to partCount of the asset's newest version
    // got exactly one PUT.
    void verifyEachPartSentOnce(const QString &objectId, int partCount) const;
    // Starts a new engine, as a restarted program would, and opens the
    // journal in directory; returns what it offers to resume.
    JournalSummaryList restartWithJournal(const QString &directory);

    QTemporaryDir m_dir;
    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<UploadEngine> m_engine;
    std::unique_ptr<QSignalSpy> m_finished;
    std::unique_ptr<QSignalSpy> m_requests;
};

void tst_Reliability::startSandbox(const SandboxConfig &config)
{
    m_finished.reset();
    m_engine.reset();
    m_requests.reset();
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_sandbox->listen(0), qPrintable(m_sandbox->errorString()));
    m_requests = std::make_unique<QSignalSpy>(m_sandbox.get(), &SandboxServer::requestFinished);
}

void tst_Reliability::startEngine(int transferTimeoutMs, int maxParallelParts, int retryDelayMs)
{
    m_finished.reset();
    m_engine = std::make_unique<UploadEngine>();
    m_finished = std::make_unique<QSignalSpy>(m_engine.get(), &UploadEngine::taskFinished);
    EngineSettings settings;
    settings.baseUrl = m_sandbox->baseUrl();
    settings.apiKey = m_sandbox->config().apiKey;
    settings.partSize = kPartSize;
    settings.multipartThreshold = 5 * kMiB;
    settings.retryDelayMs = retryDelayMs;
    settings.transferTimeoutMs = transferTimeoutMs;
    settings.maxParallelParts = maxParallelParts;
    m_engine->configure(settings);
    QSignalSpy signedIn(m_engine.get(), &UploadEngine::signedIn);
    m_engine->signIn(m_sandbox->config().username, m_sandbox->config().password);
    QVERIFY(signedIn.wait(kWaitMs));
}

void tst_Reliability::init()
{
    QVERIFY(m_dir.isValid());
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    startSandbox(config);
    startEngine();
}

void tst_Reliability::cleanup()
{
    m_finished.reset();
    m_engine.reset();
    m_requests.reset();
    m_sandbox.reset();
}

void tst_Reliability::addFault(const QString &rule)
{
    QString error;
    QVERIFY2(m_sandbox->addFault(rule, &error), qPrintable(error));
}

void tst_Reliability::verifyEachPartSentOnce(const QString &objectId, int partCount) const
{
    const QMap<int, int> counts = putCounts(objectId);
    for (int part = 1; part <= partCount; ++part)
        QCOMPARE(counts.value(part), 1);
}

JournalSummaryList tst_Reliability::restartWithJournal(const QString &directory)
{
    startEngine();
    QSignalSpy loaded(m_engine.get(), &UploadEngine::journalLoaded);
    m_engine->openJournal(directory);
    if (loaded.isEmpty() && !loaded.wait(kWaitMs))
        return {};
    return loaded.at(0).at(0).value<JournalSummaryList>();
}

std::optional<UploadResult> tst_Reliability::resultOf(const QString &id) const
{
    // The last result counts, because Retry finishes a file a second time.
    std::optional<UploadResult> found;
    for (const QList<QVariant> &arguments : std::as_const(*m_finished)) {
        if (arguments.at(0).toString() == id)
            found = arguments.at(1).value<UploadResult>();
    }
    return found;
}

UploadResult tst_Reliability::waitForResult(const QString &id)
{
    if (!waitUntil(*m_finished, [this, &id] { return resultOf(id).has_value(); }))
        qWarning("No result for %s within %d ms", qPrintable(id), kWaitMs);
    return resultOf(id).value_or(UploadResult());
}

QJsonObject tst_Reliability::sandboxAsset(const QString &objectId) const
{
    const QJsonArray assets = m_sandbox->assets();
    for (const QJsonValue &asset : assets) {
        if (asset.toObject().value(QLatin1String("objectId")).toString() == objectId)
            return asset.toObject();
    }
    return QJsonObject();
}

QMap<int, int> tst_Reliability::putCounts(const QString &objectId, int version) const
{
    const QJsonArray versions = sandboxAsset(objectId).value(QLatin1String("versions")).toArray();
    if (versions.isEmpty())
        return {};
    const QJsonObject chosen =
        (version < 0 ? versions.last() : versions.at(version)).toObject();
    QMap<int, int> counts;
    const QJsonObject object = chosen.value(QLatin1String("putCounts")).toObject();
    for (auto it = object.begin(); it != object.end(); ++it)
        counts.insert(it.key().toInt(), it.value().toInt());
    return counts;
}

int tst_Reliability::countRequests(const QString &method, const QString &path, int status) const
{
    int count = 0;
    for (const QList<QVariant> &arguments : std::as_const(*m_requests)) {
        if (arguments.at(0).toString() == method && arguments.at(1).toString() == path
            && (status < 0 || arguments.at(2).toInt() == status)) {
            ++count;
        }
    }
    return count;
}

bool tst_Reliability::partReached(const QSignalSpy &spy, const QString &id, int part,
                                  PartState state) const
{
    for (const QList<QVariant> &arguments : spy) {
        if (arguments.at(0).toString() == id && arguments.at(1).toInt() == part
            && arguments.at(2).value<PartState>() == state) {
            return true;
        }
    }
    return false;
}

// --- Part retries -------------------------------------------------------------

void tst_Reliability::partRetriedAlone_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("faultedPart");

    QTest::addRow("503") << QStringLiteral("put@2#1:status=503,retry-after=0") << 2;
    QTest::addRow("500") << QStringLiteral("put@2#1:status=500") << 2;
    QTest::addRow("429") << QStringLiteral("put@2#1:status=429,retry-after=0") << 2;
    QTest::addRow("408") << QStringLiteral("put@2#1:status=408") << 2;
    QTest::addRow("connection dropped") << QStringLiteral("put@1#1:drop=0") << 1;
    QTest::addRow("dropped mid-body") << QStringLiteral("put@2#1:drop=65536") << 2;
    QTest::addRow("no ETag") << QStringLiteral("put@2#1:no-etag") << 2;
}

void tst_Reliability::partRetriedAlone()
{
    QFETCH(QString, rule);
    QFETCH(int, faultedPart);

    addFault(rule);
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("retried.bin")), 2 * kPartSize + 4321, 21);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("r"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("r"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QVERIFY(!result.error.isError());
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QVERIFY(partReached(partStates, QStringLiteral("r"), faultedPart, PartState::Retrying));

    // Only the faulted part went up twice.
    const QMap<int, int> counts = putCounts(result.objectId);
    QCOMPARE(counts.size(), 3);
    for (int part = 1; part <= 3; ++part)
        QCOMPARE(counts.value(part), part == faultedPart ? 2 : 1);
}

void tst_Reliability::retryAfterHonoured()
{
    addFault(QStringLiteral("put@1#1:status=503,retry-after=1"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("slow down.bin")), 2 * kPartSize, 22);

    QElapsedTimer clock;
    clock.start();
    qint64 retryingAt = -1;
    qint64 resentAt = -1;
    connect(m_engine.get(), &UploadEngine::partStateChanged, this,
            [&](const QString &, int part, PartState state) {
                if (part != 1)
                    return;
                if (state == PartState::Retrying && retryingAt < 0)
                    retryingAt = clock.elapsed();
                else if (state == PartState::Uploading && retryingAt >= 0 && resentAt < 0)
                    resentAt = clock.elapsed();
            });
    m_engine->enqueue({UploadItem{QStringLiteral("s"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("s"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QVERIFY(retryingAt >= 0);
    QVERIFY(resentAt >= 0);
    // Retry-After: 1 wins over the 50 ms backoff (a little timer slack allowed).
    QVERIFY2(resentAt - retryingAt >= 950,
             qPrintable(QStringLiteral("re-sent after %1 ms").arg(resentAt - retryingAt)));
    QCOMPARE(putCounts(result.objectId).value(1), 2);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

void tst_Reliability::retriesExhausted()
{
    // The default of 4 retries makes 5 attempts; then the file fails with
    // the storage's message. Its multipart upload stays open with the
    // confirmed parts, and Retry sends only the part that failed.
    addFault(QStringLiteral("put@2:status=500"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("always 500.bin")), 2 * kPartSize, 23);
    m_engine->enqueue({UploadItem{QStringLiteral("x"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("x"));

    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::Server);
    const QString message = result.error.userMessage();
    QVERIFY2(message.contains(QStringLiteral("always 500.bin")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("HTTP 500")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("retrying the file sends only the rest")), qPrintable(message));
    QCOMPARE(putCounts(result.objectId).value(2), EngineSettings().maxRetries + 1);
    QCOMPARE(EngineSettings().maxRetries + 1, 5);
    QCOMPARE(m_sandbox->openUploadCount(), 1);

    m_sandbox->clearFaults();
    m_finished->clear();
    m_engine->retry(QStringLiteral("x"));
    const UploadResult retried = waitForResult(QStringLiteral("x"));

    QVERIFY2(retried.state == TaskState::Done, qPrintable(retried.error.logMessage()));
    QCOMPARE(retried.objectId, result.objectId);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(m_sandbox->contentMd5(retried.objectId), source.md5);
    QCOMPARE(putCounts(retried.objectId).value(1), 1);
}

void tst_Reliability::stalledPartRetried_data()
{
    QTest::addColumn<qint64>("size");
    // Multipart parts go over RawHttpPut, single uploads over
    // QNetworkAccessManager; both must time out a stalled PUT.
    QTest::addRow("multipart part") << 2 * kPartSize;
    QTest::addRow("single upload") << qint64(3000);
}

void tst_Reliability::stalledPartRetried()
{
    QFETCH(qint64, size);

    startEngine(1000);
    addFault(QStringLiteral("put@1#1:stall=3"));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("stalled.bin")), size, 24);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("st"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("st"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QVERIFY(partReached(partStates, QStringLiteral("st"), 1, PartState::Retrying));
    QCOMPARE(putCounts(result.objectId).value(1), 2);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

void tst_Reliability::permanentErrorFailsAtOnce_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("kind");
    QTest::addColumn<QString>("storageText");

    QTest::addRow("403")
        << QStringLiteral("put@1#1:status=403") << int(ApiError::Kind::Forbidden)
        << QStringLiteral("AccessDenied");
    QTest::addRow("400")
        << QStringLiteral("put@1#1:status=400") << int(ApiError::Kind::InvalidRequest)
        << QStringLiteral("Bad Request");
}

void tst_Reliability::permanentErrorFailsAtOnce()
{
    QFETCH(QString, rule);
    QFETCH(int, kind);
    QFETCH(QString, storageText);

    addFault(rule);
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("refused.bin")), 2 * kPartSize, 25);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("f"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("f"));

    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(int(result.error.kind()), kind);
    QVERIFY2(result.error.userMessage().contains(storageText), qPrintable(result.error.userMessage()));
    QVERIFY2(result.error.userMessage().contains(QStringLiteral("refused.bin")),
             qPrintable(result.error.userMessage()));
    QVERIFY(!partReached(partStates, QStringLiteral("f"), 1, PartState::Retrying));
    QCOMPARE(putCounts(result.objectId).value(1), 1);
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QCOMPARE(m_sandbox->assets().size(), 1);
    QVERIFY(m_sandbox->contentMd5(result.objectId).isEmpty());
}

void tst_Reliability::proxyLimitNamed()
{
    addFault(QStringLiteral("put@1#1:status=413"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("too big for the proxy.bin")), 2 * kPartSize, 26);
    m_engine->enqueue({UploadItem{QStringLiteral("p"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("p"));

    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.httpStatus(), 413);
    const QString message = result.error.userMessage();
    QVERIFY2(message.contains(QStringLiteral("too big for the proxy.bin")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("proxy")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("body size limit")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("413")), qPrintable(message));
    QCOMPARE(putCounts(result.objectId).value(1), 1);
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QCOMPARE(m_sandbox->assets().size(), 1);
}

// --- Tenovos API calls ----------------------------------------------------------

void tst_Reliability::completeRetriedWithoutParts()
{
    addFault(QStringLiteral("complete#1:status=500"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("complete twice.bin")), 2 * kPartSize + 1, 27);
    m_engine->enqueue({UploadItem{QStringLiteral("c"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("c"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/asset/complete")), 2);
    verifyEachPartSentOnce(result.objectId, 3);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

void tst_Reliability::completeTimeoutRetried()
{
    // The first complete times out on the client after 500 ms, and the
    // sandbox drops it when the connection closes during its 1 s stall. The
    // retry, about 1.5 s later, completes the upload without sending a part.
    EngineSettings settings = m_engine->settings();
    settings.requestTimeoutMs = 500;
    settings.retryDelayMs = 1500;
    m_engine->configure(settings);
    addFault(QStringLiteral("complete#1:stall=1"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("slow complete.bin")), 2 * kPartSize + 9, 38);
    m_engine->enqueue({UploadItem{QStringLiteral("l"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("l"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/asset/complete")), 2);
    verifyEachPartSentOnce(result.objectId, 3);
    if (QTest::currentTestFailed())
        return;
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

void tst_Reliability::apiCallRetried_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("mode");

    QTest::addRow("create 503") << QStringLiteral("create#1:status=503,retry-after=0")
                                << int(UploadMode::NewAsset);
    QTest::addRow("create 429") << QStringLiteral("create#1:status=429,retry-after=0")
                                << int(UploadMode::NewAsset);
    QTest::addRow("look-up 502") << QStringLiteral("lookup#1:status=502") << int(UploadMode::NewVersion);
    QTest::addRow("look-up dropped") << QStringLiteral("lookup#1:drop=0") << int(UploadMode::NewVersion);
}

void tst_Reliability::apiCallRetried()
{
    QFETCH(QString, rule);
    QFETCH(int, mode);

    UploadBatch batch = productPhotoBatch();
    QString existingObjectId;
    if (UploadMode(mode) == UploadMode::NewVersion) {
        const SourceFile first = testing::writeSourceFile(m_dir.filePath(QStringLiteral("v1.bin")), 100, 28);
        m_engine->enqueue({UploadItem{QStringLiteral("v1"), first.path}}, batch);
        const UploadResult firstResult = waitForResult(QStringLiteral("v1"));
        QCOMPARE(firstResult.state, TaskState::Done);
        existingObjectId = firstResult.objectId;
        batch.mode = UploadMode::NewVersion;
        batch.versionOfObjectId = existingObjectId;
    }

    addFault(rule);
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("api retry.bin")), 2000, 29);
    m_engine->enqueue({UploadItem{QStringLiteral("a"), source.path}}, batch);
    const UploadResult result = waitForResult(QStringLiteral("a"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    if (!existingObjectId.isEmpty())
        QCOMPARE(result.objectId, existingObjectId);
    const QJsonArray rules = m_sandbox->faults();
    QCOMPARE(rules.size(), 1);
    QVERIFY(rules.at(0).toObject().value(QLatin1String("selected")).toInt() >= 2);
}

// --- Creates and completes whose response is lost ------------------------------------

void tst_Reliability::lostCreateAdopted_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<int>("mode");
    QTest::addColumn<qint64>("size");

    QTest::addRow("multipart, connection closed") << QStringLiteral("create#1:lost")
                                                  << int(UploadMode::NewAsset) << 2 * kPartSize + 5;
    QTest::addRow("multipart, 502 after acting") << QStringLiteral("create#1:lost=502")
                                                 << int(UploadMode::NewAsset) << 2 * kPartSize + 5;
    QTest::addRow("twice in a row") << QStringLiteral("create#1-2:lost") << int(UploadMode::NewAsset)
                                    << 2 * kPartSize + 5;
    QTest::addRow("single upload") << QStringLiteral("create#1:lost") << int(UploadMode::NewAsset)
                                   << qint64(3000);
    QTest::addRow("new version") << QStringLiteral("create#1:lost") << int(UploadMode::NewVersion)
                                 << 2 * kPartSize + 5;
    QTest::addRow("metadata only") << QStringLiteral("create#1:lost")
                                   << int(UploadMode::MetadataOnly) << qint64(0);
}

void tst_Reliability::lostCreateAdopted()
{
    QFETCH(QString, rule);
    QFETCH(int, mode);
    QFETCH(qint64, size);

    UploadBatch batch = productPhotoBatch();
    QString existingObjectId;
    if (UploadMode(mode) == UploadMode::NewVersion) {
        const SourceFile first = testing::writeSourceFile(m_dir.filePath(QStringLiteral("lost v1.bin")), 100, 40);
        m_engine->enqueue({UploadItem{QStringLiteral("v1"), first.path}}, batch);
        QCOMPARE(waitForResult(QStringLiteral("v1")).state, TaskState::Done);
        existingObjectId = m_sandbox->assets().at(0).toObject().value(QLatin1String("objectId")).toString();
        batch.mode = UploadMode::NewVersion;
        batch.versionOfObjectId = existingObjectId;
    }
    const int createsBefore = countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset"));

    addFault(rule);
    SourceFile source;
    UploadItem item{QStringLiteral("l"), QString()};
    if (UploadMode(mode) == UploadMode::MetadataOnly) {
        batch.mode = UploadMode::MetadataOnly;
        batch.metadataOnlyName = QStringLiteral("lost placeholder.txt");
    } else {
        source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("lost answer.bin")), size, 41);
        item.filePath = source.path;
    }
    m_engine->enqueue({item}, batch);
    const UploadResult result = waitForResult(QStringLiteral("l"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    if (!existingObjectId.isEmpty())
        QCOMPARE(result.objectId, existingObjectId);
    if (UploadMode(mode) != UploadMode::MetadataOnly)
        QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QVERIFY(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/search/keyword")) >= 1);

    // Each lost create reached the sandbox once: the network stack did not
    // send it again behind the engine's back. Only a successful create
    // follows, except for a metadata-only asset, which the lost one was.
    const int lostCreates = m_sandbox->faults().at(0).toObject().value(QLatin1String("hits")).toInt();
    const int creates = countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")) - createsBefore;
    QCOMPARE(creates, lostCreates + (UploadMode(mode) == UploadMode::MetadataOnly ? 0 : 1));
}

void tst_Reliability::lostCreateUnsearchable()
{
    // The create's response is lost and the search for the asset is refused,
    // so the engine cannot tell whether the asset exists. It fails the file
    // with a message naming where to look rather than risk a second asset.
    addFault(QStringLiteral("create#1:lost"));
    addFault(QStringLiteral("lookup:status=403"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("unsearchable.bin")), 2 * kPartSize, 42);
    m_engine->enqueue({UploadItem{QStringLiteral("u"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("u"));

    QCOMPARE(result.state, TaskState::Failed);
    const QString message = result.error.userMessage();
    QVERIFY2(message.contains(QStringLiteral("\"unsearchable.bin\"")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("searching Tenovos for it failed")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("before you retry")), qPrintable(message));
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 1);
    QCOMPARE(m_sandbox->assets().size(), 1);
}

void tst_Reliability::lostCompleteConfirmed()
{
    // The first complete finishes the upload and its response is lost. The
    // engine finds the file complete instead of failing it.
    addFault(QStringLiteral("complete#1:lost"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("lost complete.bin")), 2 * kPartSize + 3, 43);
    m_engine->enqueue({UploadItem{QStringLiteral("k"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("k"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    verifyEachPartSentOnce(result.objectId, 3);
    if (QTest::currentTestFailed())
        return;
}

void tst_Reliability::interruptedCreateResumed()
{
    // The program stops after Tenovos made the asset but before the response
    // arrived. The journal entry written before the create lets the next
    // run find that asset, cancel its upload and finish the file as a new
    // version of it.
    const QString journalDirectory = m_dir.filePath(QStringLiteral("interrupted create journal"));
    // Backoff of 5 s: the first engine is gone before it would search.
    startEngine(20000, 4, 5000);
    m_engine->openJournal(journalDirectory);
    addFault(QStringLiteral("create#1:lost"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("interrupted create.bin")), 2 * kPartSize + 11, 44);
    m_engine->enqueue({UploadItem{QStringLiteral("i"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(*m_requests, [this] {
        return countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")) == 1;
    }));
    // Like a kill: nothing more reaches the server.
    m_finished.reset();
    m_engine.reset();
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 1);

    const JournalSummaryList summaries = restartWithJournal(journalDirectory);
    QCOMPARE(summaries.size(), 1);
    QCOMPARE(summaries.at(0).state, JournalEntry::State::Creating);
    m_engine->resumeFromJournal({{summaries.at(0).key, QStringLiteral("i")}});
    const UploadResult result = waitForResult(QStringLiteral("i"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    const QJsonArray versions = sandboxAsset(result.objectId).value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(0).toObject().value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
}

void tst_Reliability::owedCancelSentLater()
{
    // A file fails and cancelling its upload fails too: the journal keeps
    // the cancel, and the next run sends it without asking the user.
    const QString journalDirectory = m_dir.filePath(QStringLiteral("owed cancel journal"));
    m_engine->openJournal(journalDirectory);
    addFault(QStringLiteral("put@1:status=403"));
    addFault(QStringLiteral("cancel:status=500"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("owed cancel.bin")), 2 * kPartSize, 45);
    m_engine->enqueue({UploadItem{QStringLiteral("o"), source.path}}, productPhotoBatch());
    QCOMPARE(waitForResult(QStringLiteral("o")).state, TaskState::Failed);
    QCOMPARE(m_sandbox->openUploadCount(), 1);
    m_finished.reset();
    m_engine.reset();

    m_sandbox->clearFaults();
    QVERIFY(restartWithJournal(journalDirectory).isEmpty());
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QCOMPARE(m_sandbox->assets().size(), 1);
}

void tst_Reliability::unreadableLinksRestartAsVersion()
{
    // The journal's key is gone from the keychain after the program stopped,
    // so the part links cannot be rebuilt. The next run cancels the old
    // upload and sends the file again as a new version of the same asset.
    const QString journalDirectory = m_dir.filePath(QStringLiteral("lost key journal"));
    m_engine->openJournal(journalDirectory);
    addFault(QStringLiteral("put@2#1:stall=30"));
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("lost key.bin")), 2 * kPartSize + 21, 46);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("k"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&] {
        return partReached(partStates, QStringLiteral("k"), 1, PartState::Done)
            && partReached(partStates, QStringLiteral("k"), 3, PartState::Done);
    }));
    m_finished.reset();
    m_engine.reset();
    QCOMPARE(JournalKeychain().remove(journalDirectory), QString());

    m_sandbox->clearFaults();
    const JournalSummaryList summaries = restartWithJournal(journalDirectory);
    QCOMPARE(summaries.size(), 1);
    QVERIFY(!summaries.at(0).urlsUsable);
    m_engine->resumeFromJournal({{summaries.at(0).key, QStringLiteral("k")}});
    const UploadResult result = waitForResult(QStringLiteral("k"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    const QJsonArray versions = sandboxAsset(result.objectId).value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(0).toObject().value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
}

// --- Expired part URLs -----------------------------------------------------------

void tst_Reliability::expiredLinksRetryAsVersion_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addRow("request has expired") << QStringLiteral("put@2#1:expired");
    QTest::addRow("expired token") << QStringLiteral("put@2#1:expired-token");
}

void tst_Reliability::expiredLinksRetryAsVersion()
{
    QFETCH(QString, rule);

    addFault(rule);
    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("expiring.bin")), 2 * kPartSize + 77, 30);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("e"), source.path}}, productPhotoBatch());
    const UploadResult failed = waitForResult(QStringLiteral("e"));

    QCOMPARE(failed.state, TaskState::Failed);
    QCOMPARE(failed.error.kind(), ApiError::Kind::UrlExpired);
    const QString message = failed.error.userMessage();
    QVERIFY2(message.contains(QStringLiteral("expiring.bin")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("upload links expired")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("Retry starts the file again")), qPrintable(message));
    QVERIFY(!partReached(partStates, QStringLiteral("e"), 2, PartState::Retrying));
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));

    m_finished->clear();
    m_engine->retry(QStringLiteral("e"));
    const UploadResult retried = waitForResult(QStringLiteral("e"));

    QVERIFY2(retried.state == TaskState::Done, qPrintable(retried.error.logMessage()));
    QCOMPARE(retried.objectId, failed.objectId);
    QVERIFY(retried.fileId != failed.fileId);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->contentMd5(retried.objectId), source.md5);
    QCOMPARE(m_sandbox->openUploadCount(), 0);

    const QJsonArray versions =
        sandboxAsset(retried.objectId).value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(0).toObject().value(QLatin1String("state")).toString(),
             QStringLiteral("cancelled"));
    QCOMPARE(versions.at(1).toObject().value(QLatin1String("state")).toString(),
             QStringLiteral("complete"));
    QCOMPARE(versions.at(1).toObject().value(QLatin1String("originalFileId")).toString(),
             failed.fileId);
}

// --- Sessions -------------------------------------------------------------------

void tst_Reliability::tokenRenewedBeforeExpiry()
{
    SandboxConfig config = m_sandbox->config();
    config.accessTokenLifetimeSeconds = 4;
    startSandbox(config);
    startEngine();

    // With 4 s tokens the engine renews about every 2 s, before each expiry.
    const QString tokenPath = QStringLiteral("/v1/auth/token");
    QVERIFY(waitUntil(*m_requests, [&] { return countRequests(QStringLiteral("POST"), tokenPath) >= 3; },
                      15000));

    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("renewed.bin")), 2 * kPartSize, 31);
    m_engine->enqueue({UploadItem{QStringLiteral("t"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("t"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    // Renewal ahead of expiry means no call met an expired token.
    int unauthorized = 0;
    for (const QList<QVariant> &arguments : std::as_const(*m_requests))
        unauthorized += arguments.at(2).toInt() == 401 ? 1 : 0;
    QCOMPARE(unauthorized, 0);
}

void tst_Reliability::tokenRenewedAfter401()
{
    addFault(QStringLiteral("create#1:expired"));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("after 401.bin")), 1234, 32);
    m_engine->enqueue({UploadItem{QStringLiteral("u"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("u"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    // The sign-in and one renewal.
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/auth/token")), 2);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset"), 401), 1);
}

void tst_Reliability::renewalOutageRetried()
{
    // The renewal after a 401 fails five times with 503, which exhausts the
    // token call's own retries. The create is then repeated later instead
    // of failing, and goes through once the token endpoint is back.
    addFault(QStringLiteral("create#1:expired"));
    addFault(QStringLiteral("token#1-5:status=503,retry-after=0"));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("outage renewal.bin")), 4321, 39);
    m_engine->enqueue({UploadItem{QStringLiteral("o"), source.path}}, productPhotoBatch());
    const UploadResult result = waitForResult(QStringLiteral("o"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/auth/token"), 503), 5);
    QVERIFY(m_engine->isSignedIn());
}

void tst_Reliability::lostSessionPausesQueue_data()
{
    QTest::addColumn<QString>("callRule");
    QTest::addColumn<qint64>("size");
    QTest::addRow("at create") << QStringLiteral("create#1:expired") << qint64(3000);
    QTest::addRow("at complete") << QStringLiteral("complete#1:expired") << 2 * kPartSize + 3;
}

void tst_Reliability::lostSessionPausesQueue()
{
    QFETCH(QString, callRule);
    QFETCH(qint64, size);

    // The call meets an expired token, and the renewal is refused: the
    // session is over until the user signs in again. Rules count from when
    // they are added, after the sign-in, so token#1 is the renewal.
    addFault(callRule);
    addFault(QStringLiteral("token#1:status=401"));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("waits.bin")), size, 33);
    QSignalSpy signInRequired(m_engine.get(), &UploadEngine::signInRequired);
    QSignalSpy states(m_engine.get(), &UploadEngine::taskStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("w"), source.path}}, productPhotoBatch());

    QVERIFY(waitUntil(signInRequired, [&] { return !signInRequired.isEmpty(); }));
    QCOMPARE(signInRequired.constFirst().at(0).toString(), m_sandbox->config().username);
    QVERIFY(waitUntil(states, [&] {
        return !states.isEmpty() && states.constLast().at(1).value<TaskState>() == TaskState::Queued;
    }));
    QVERIFY(!m_engine->isSignedIn());
    QVERIFY(m_finished->isEmpty());

    m_engine->signIn(m_sandbox->config().username, m_sandbox->config().password);
    const UploadResult result = waitForResult(QStringLiteral("w"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    // Parts confirmed before the session ended are not sent again.
    const QMap<int, int> counts = putCounts(result.objectId);
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        QCOMPARE(it.value(), 1);
}

// --- Pause and resume ---------------------------------------------------------------

void tst_Reliability::pauseAndResume_data()
{
    QTest::addColumn<bool>("wholeQueue");
    QTest::addRow("one file") << false;
    QTest::addRow("whole queue") << true;
}

void tst_Reliability::pauseAndResume()
{
    QFETCH(bool, wholeQueue);

    // One part at a time, and part 2 held by the sandbox, so the pause finds
    // part 1 confirmed and part 2 in flight.
    startEngine(20000, 1);
    addFault(QStringLiteral("put@2#1:stall=5"));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("paused.bin")), 4 * kPartSize, 34);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    QSignalSpy states(m_engine.get(), &UploadEngine::taskStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("pa"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&] {
        return partReached(partStates, QStringLiteral("pa"), 2, PartState::Uploading);
    }));
    QVERIFY(partReached(partStates, QStringLiteral("pa"), 1, PartState::Done));

    if (wholeQueue)
        m_engine->pauseAll();
    else
        m_engine->pause(QStringLiteral("pa"));
    QVERIFY(!states.isEmpty());
    QCOMPARE(states.constLast().at(1).value<TaskState>(), TaskState::Paused);

    // While paused, no PUT starts.
    const int putsBefore = [this] {
        int count = 0;
        for (const QList<QVariant> &arguments : std::as_const(*m_requests))
            count += arguments.at(0).toString() == QLatin1String("PUT") ? 1 : 0;
        return count;
    }();
    QTest::qWait(500);
    QVERIFY(!partReached(partStates, QStringLiteral("pa"), 3, PartState::Uploading));
    int putsAfter = 0;
    for (const QList<QVariant> &arguments : std::as_const(*m_requests))
        putsAfter += arguments.at(0).toString() == QLatin1String("PUT") ? 1 : 0;
    // The aborted part 2 may still be logged by the sandbox, but no new PUT.
    QVERIFY(putsAfter <= putsBefore + 1);

    if (wholeQueue)
        m_engine->resumeAll();
    else
        m_engine->resume(QStringLiteral("pa"));
    const UploadResult result = waitForResult(QStringLiteral("pa"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    const QMap<int, int> counts = putCounts(result.objectId);
    QCOMPARE(counts.value(1), 1); // confirmed before the pause: not sent again
    // In flight at the pause, so sent again. The sandbox counts a PUT once
    // its stall ends, and the stalled first one may be cut off before that.
    QVERIFY(counts.value(2) == 1 || counts.value(2) == 2);
    QCOMPARE(counts.value(3), 1);
    QCOMPARE(counts.value(4), 1);
}

// --- Files that change --------------------------------------------------------------

void tst_Reliability::fileChangedMidUpload_data()
{
    QTest::addColumn<bool>("deleteFile");
    QTest::addColumn<QString>("expectedText");
    QTest::addRow("appended") << false << QStringLiteral("changed during the upload");
    QTest::addRow("deleted") << true << QStringLiteral("moved or deleted during the upload");
}

void tst_Reliability::fileChangedMidUpload()
{
    QFETCH(bool, deleteFile);
    QFETCH(QString, expectedText);

    // Part 1 is held while the test changes the file.
    addFault(QStringLiteral("put@1#1:stall=3"));
    const SourceFile changing =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("changing.bin")), 3 * kPartSize, 35);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("ch"), changing.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&] {
        return partReached(partStates, QStringLiteral("ch"), 2, PartState::Done);
    }));

    if (deleteFile) {
        QVERIFY(QFile::remove(changing.path));
    } else {
        QFile file(changing.path);
        QVERIFY(file.open(QIODevice::Append));
        QVERIFY(file.write(QByteArrayLiteral("more bytes")) > 0);
        file.close();
    }

    // Another file goes on meanwhile.
    const SourceFile other = testing::writeSourceFile(m_dir.filePath(QStringLiteral("other.bin")), 2500, 36);
    m_engine->enqueue({UploadItem{QStringLiteral("ok"), other.path}}, productPhotoBatch());

    const UploadResult failed = waitForResult(QStringLiteral("ch"));
    QCOMPARE(failed.state, TaskState::Failed);
    QCOMPARE(failed.error.kind(), ApiError::Kind::LocalFile);
    QVERIFY2(failed.error.userMessage().contains(QStringLiteral("changing.bin")),
             qPrintable(failed.error.userMessage()));
    QVERIFY2(failed.error.userMessage().contains(expectedText), qPrintable(failed.error.userMessage()));

    const UploadResult done = waitForResult(QStringLiteral("ok"));
    QVERIFY2(done.state == TaskState::Done, qPrintable(done.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(done.objectId), other.md5);

    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QCOMPARE(m_sandbox->assets().size(), 2);
    QVERIFY(m_sandbox->contentMd5(failed.objectId).isEmpty());
}

// --- Network outage ------------------------------------------------------------------

void tst_Reliability::networkOutageBridged()
{
    // Backoff of 400, 800, 1600 and 3200 ms spans the one-second outage.
    startEngine(20000, 4, 400);
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("outage.bin")), 3 * kPartSize, 37);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("n"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&] {
        return partReached(partStates, QStringLiteral("n"), 1, PartState::Uploading);
    }));

    const quint16 port = m_sandbox->port();
    m_sandbox->close();
    QVERIFY(waitUntil(partStates, [&] {
        return partReached(partStates, QStringLiteral("n"), 1, PartState::Retrying);
    }));
    QTimer::singleShot(1000, m_sandbox.get(), [this, port] {
        QVERIFY2(m_sandbox->listen(port), qPrintable(m_sandbox->errorString()));
    });
    const UploadResult result = waitForResult(QStringLiteral("n"));

    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

QTEST_GUILESS_MAIN(tst_Reliability)
#include "tst_reliability.moc"
