// UploadEngine end to end against an in-process SandboxServer. The stored
// content must be byte-identical (same MD5) to the source for every size
// around the multipart threshold and the part size. Cancel, pause, retry,
// faults, pre-request checks and the parallel caps are covered as well.
//
// The sandbox and the engine use 5 MiB parts (the smallest S3 allows), so
// multipart files stay small.

#include "enginethread.h"
#include "uploadengine.h"

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

#include "uploadfixture.h"

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

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
    // "Product Photo" requires only "Product Name"; the ids come from the
    // sandbox's own catalog.
    const QString templateId = QString::fromLatin1(DemoCatalog::productPhotoTemplateId);
    UploadBatch batch;
    batch.securityTemplateIds = {QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)};
    batch.metadataTemplateId = templateId;
    for (const auto &group : DemoCatalog::instance().metadataTemplate(templateId)->groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.required) {
                batch.metadata.append(QJsonObject{{QStringLiteral("metadataDefinitionId"), attribute.id},
                                                  {QStringLiteral("metadataDefinitionValue"),
                                                   QStringLiteral("Engine test")}});
            }
        }
    }
    return batch;
}

// Runs the event loop until condition() holds, waking up for each signal
// spy records. QTRY_* and QTest::qWaitFor() sleep 10 ms between event
// loop passes, which throttles an engine running in this thread.
bool waitUntil(QSignalSpy &spy, const std::function<bool()> &condition, int timeoutMs = kWaitMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        spy.wait(int(qMax<qint64>(1, deadline.remainingTime())));
    }
    return true;
}

} // namespace

class tst_UploadEngine : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void storesExactBytes_data();
    void storesExactBytes();
    void unicodeFileNames_data();
    void unicodeFileNames();
    void progressMonotonic();
    void transientFaultsRecovered_data();
    void transientFaultsRecovered();
    void expiredUrlFails();
    void cancelMidUpload();
    void cancelQueued();
    void pauseAndResume();
    void newVersion();
    void newVersionOfUnknownAsset();
    void metadataOnly();
    void preRequestChecks_data();
    void preRequestChecks();
    void unreadableFile();
    void partCountMismatch();
    void fileChangedDuringUpload();
    void parallelCaps();
    void retryAfterFailure();
    void removeTask();
    void removeActiveTask();
    void signOutCancelsUploads();
    void waitsForSignIn();
    void runsInEngineThread();

private:
    void startSandbox(qint64 serverPartSize = kPartSize);
    void startEngine(bool signIn = true);
    UploadResult upload(const QString &id, const QString &path,
                        const UploadBatch &batch = productPhotoBatch());
    UploadResult waitForResult(const QString &id);
    QJsonObject sandboxAsset(const QString &objectId) const;
    QJsonObject lastVersion(const QString &objectId) const;
    int countRequests(const QString &method, const QString &path) const;

    QTemporaryDir m_dir;
    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<UploadEngine> m_engine;
    std::unique_ptr<QSignalSpy> m_finished;
    std::unique_ptr<QSignalSpy> m_requests;
    EngineSettings m_settings;
};

void tst_UploadEngine::initTestCase()
{
    QVERIFY(m_dir.isValid());
}

void tst_UploadEngine::startSandbox(qint64 serverPartSize)
{
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = serverPartSize;
    config.minPartSize = kPartSize;
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_sandbox->listen(0), qPrintable(m_sandbox->errorString()));
    m_requests = std::make_unique<QSignalSpy>(m_sandbox.get(), &SandboxServer::requestFinished);
}

void tst_UploadEngine::startEngine(bool signIn)
{
    m_engine = std::make_unique<UploadEngine>();
    m_finished = std::make_unique<QSignalSpy>(m_engine.get(), &UploadEngine::taskFinished);
    m_settings = EngineSettings();
    m_settings.baseUrl = m_sandbox->baseUrl();
    m_settings.apiKey = m_sandbox->config().apiKey;
    m_settings.partSize = kPartSize;
    m_settings.multipartThreshold = 5 * kMiB;
    m_settings.retryDelayMs = 50;
    m_settings.transferTimeoutMs = 20000;
    m_engine->configure(m_settings);
    if (!signIn)
        return;
    QSignalSpy signedIn(m_engine.get(), &UploadEngine::signedIn);
    m_engine->signIn(m_sandbox->config().username, m_sandbox->config().password);
    QVERIFY(signedIn.wait(kWaitMs));
}

void tst_UploadEngine::init()
{
    startSandbox();
    startEngine();
}

void tst_UploadEngine::cleanup()
{
    m_finished.reset();
    m_engine.reset();
    m_requests.reset();
    m_sandbox.reset();
}

UploadResult tst_UploadEngine::waitForResult(const QString &id)
{
    auto findResult = [this, &id]() -> std::optional<UploadResult> {
        for (const QList<QVariant> &arguments : std::as_const(*m_finished)) {
            if (arguments.at(0).toString() == id)
                return arguments.at(1).value<UploadResult>();
        }
        return std::nullopt;
    };
    if (!waitUntil(*m_finished, [&findResult] { return findResult().has_value(); }))
        qWarning("No result for %s within %d ms", qPrintable(id), kWaitMs);
    return findResult().value_or(UploadResult());
}

UploadResult tst_UploadEngine::upload(const QString &id, const QString &path, const UploadBatch &batch)
{
    m_engine->enqueue({UploadItem{id, path}}, batch);
    return waitForResult(id);
}

QJsonObject tst_UploadEngine::sandboxAsset(const QString &objectId) const
{
    const QJsonArray assets = m_sandbox->assets();
    for (const QJsonValue &asset : assets) {
        if (asset.toObject().value(QLatin1String("objectId")).toString() == objectId)
            return asset.toObject();
    }
    return QJsonObject();
}

QJsonObject tst_UploadEngine::lastVersion(const QString &objectId) const
{
    return sandboxAsset(objectId).value(QLatin1String("versions")).toArray().last().toObject();
}

int tst_UploadEngine::countRequests(const QString &method, const QString &path) const
{
    int count = 0;
    for (const QList<QVariant> &arguments : std::as_const(*m_requests)) {
        if (arguments.at(0).toString() == method && arguments.at(1).toString() == path)
            ++count;
    }
    return count;
}

void tst_UploadEngine::storesExactBytes_data()
{
    QTest::addColumn<qint64>("size");
    QTest::addColumn<int>("expectedParts");

    QTest::addRow("empty") << qint64(0) << 1;
    QTest::addRow("one byte") << qint64(1) << 1;
    QTest::addRow("threshold - 1") << 5 * kMiB - 1 << 1;
    QTest::addRow("threshold, exactly one part") << 5 * kMiB << 1;
    QTest::addRow("one part + 1 byte") << 5 * kMiB + 1 << 2;
    QTest::addRow("several parts") << 3 * kPartSize + 12345 << 4;
}

void tst_UploadEngine::storesExactBytes()
{
    QFETCH(qint64, size);
    QFETCH(int, expectedParts);

    const SourceFile source =
        testing::writeSourceFile(m_dir.filePath(QStringLiteral("exact-%1.bin").arg(size)), size, quint32(size));
    QSignalSpy planned(m_engine.get(), &UploadEngine::taskPartsPlanned);
    const UploadResult result = upload(QStringLiteral("file"), source.path);

    QCOMPARE(result.state, TaskState::Done);
    QVERIFY2(!result.error.isError(), qPrintable(result.error.logMessage()));
    QVERIFY(!result.objectId.isEmpty());
    QVERIFY(!result.fileId.isEmpty());
    QCOMPARE(planned.size(), 1);
    QCOMPARE(planned.constFirst().at(1).toInt(), expectedParts);

    const QByteArray stored = m_sandbox->contentMd5(result.objectId);
    QCOMPARE(stored, source.md5);
    QCOMPARE(lastVersion(result.objectId).value(QLatin1String("state")).toString(), QStringLiteral("complete"));
    QCOMPARE(lastVersion(result.objectId).value(QLatin1String("fileSize")).toInteger(), size);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
}

void tst_UploadEngine::unicodeFileNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<qint64>("size");
    QTest::addRow("umlaut and brackets, multipart")
        << QStringLiteral("Präsentation Q3 (final).bin") << 6 * kMiB;
    QTest::addRow("emoji, single") << QStringLiteral("launch 🚀 plan.txt") << qint64(4096);
    QTest::addRow("space and ampersand") << QStringLiteral("apples & pears.jpg") << qint64(1000);
    QTest::addRow("CJK, multipart") << QStringLiteral("製品カタログ 2024.pdf") << 5 * kMiB + 7;
    QTest::addRow("percent and plus") << QStringLiteral("100% + more.bin") << qint64(10);
}

void tst_UploadEngine::unicodeFileNames()
{
    QFETCH(QString, name);
    QFETCH(qint64, size);

    const SourceFile source = testing::writeSourceFile(m_dir.filePath(name), size, 7);
    const UploadResult result = upload(QStringLiteral("unicode"), source.path);
    QCOMPARE(result.state, TaskState::Done);
    QCOMPARE(result.filename, name);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(lastVersion(result.objectId).value(QLatin1String("filename")).toString(), name);
}

void tst_UploadEngine::progressMonotonic()
{
    // Part 2's first PUT gets a 503 after its body was sent, so its bytes
    // go up twice but count once.
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:status=503")));
    const qint64 size = 3 * kPartSize + 999;
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("progress.bin")), size, 11);
    QSignalSpy taskProgress(m_engine.get(), &UploadEngine::taskProgress);
    QSignalSpy partProgress(m_engine.get(), &UploadEngine::partProgress);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);

    const UploadResult result = upload(QStringLiteral("p"), source.path);
    QCOMPARE(result.state, TaskState::Done);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);

    QVERIFY(!taskProgress.isEmpty());
    qint64 previous = 0;
    for (const QList<QVariant> &arguments : std::as_const(taskProgress)) {
        const qint64 sent = arguments.at(1).toLongLong();
        QCOMPARE(arguments.at(2).toLongLong(), size);
        QVERIFY2(sent >= previous, qPrintable(QStringLiteral("%1 after %2").arg(sent).arg(previous)));
        previous = sent;
    }
    QCOMPARE(previous, size);

    QHash<int, qint64> partPrevious;
    for (const QList<QVariant> &arguments : std::as_const(partProgress)) {
        const int part = arguments.at(1).toInt();
        const qint64 sent = arguments.at(2).toLongLong();
        QVERIFY(sent >= partPrevious.value(part));
        QVERIFY(sent <= arguments.at(3).toLongLong());
        partPrevious[part] = sent;
    }
    QCOMPARE(partPrevious.size(), 4);
    QCOMPARE(partPrevious.value(4), qint64(999));

    bool part2Retried = false;
    for (const QList<QVariant> &arguments : std::as_const(partStates)) {
        if (arguments.at(1).toInt() == 2 && arguments.at(2).value<PartState>() == PartState::Retrying)
            part2Retried = true;
    }
    QVERIFY(part2Retried);
}

void tst_UploadEngine::transientFaultsRecovered_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<qint64>("size");
    QTest::addRow("part gets 503") << QStringLiteral("put@2#1:status=503") << 2 * kPartSize + 5;
    QTest::addRow("part without ETag") << QStringLiteral("put@1#1:no-etag") << 2 * kPartSize + 5;
    QTest::addRow("connection dropped mid-part") << QStringLiteral("put@2#1:drop=65536") << 2 * kPartSize + 5;
    QTest::addRow("single upload gets 500") << QStringLiteral("put#1:status=500") << qint64(2000);
    QTest::addRow("create gets 503") << QStringLiteral("create#1:status=503") << qint64(2000);
    QTest::addRow("complete gets 503") << QStringLiteral("complete#1:status=503") << 2 * kPartSize + 5;
    QTest::addRow("create gets 429") << QStringLiteral("create#1:status=429") << qint64(10);
}

void tst_UploadEngine::transientFaultsRecovered()
{
    QFETCH(QString, rule);
    QFETCH(qint64, size);

    QString error;
    QVERIFY2(m_sandbox->addFault(rule, &error), qPrintable(error));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("transient.bin")), size, 3);
    const UploadResult result = upload(QStringLiteral("t"), source.path);
    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
}

void tst_UploadEngine::expiredUrlFails()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@1:expired")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("expired.bin")), 2 * kPartSize, 5);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    const UploadResult result = upload(QStringLiteral("e"), source.path);

    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::UrlExpired);
    QVERIFY(result.error.userMessage().contains(QStringLiteral("expired.bin")));
    QVERIFY(result.error.userMessage().contains(QStringLiteral("expired")));
    // An expired URL cannot succeed when sent again, so part 1 is not retried.
    for (const QList<QVariant> &arguments : std::as_const(partStates)) {
        if (arguments.at(1).toInt() == 1)
            QVERIFY(arguments.at(2).value<PartState>() != PartState::Retrying);
    }
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QCOMPARE(lastVersion(result.objectId).value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
    QVERIFY(m_sandbox->contentMd5(result.objectId).isEmpty());
}

void tst_UploadEngine::cancelMidUpload()
{
    // Part 2 is held by the sandbox, so the cancel lands while it is in flight.
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:stall=8")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("cancel me.bin")), 3 * kPartSize, 9);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("c"), source.path}}, productPhotoBatch());

    auto partDone = [&partStates](int part) {
        for (const QList<QVariant> &arguments : std::as_const(partStates)) {
            if (arguments.at(1).toInt() == part && arguments.at(2).value<PartState>() == PartState::Done)
                return true;
        }
        return false;
    };
    QVERIFY(waitUntil(partStates, [&partDone] { return partDone(1) && partDone(3); }));
    QVERIFY(!partDone(2));

    m_engine->cancel(QStringLiteral("c"));
    const UploadResult result = waitForResult(QStringLiteral("c"));
    QCOMPARE(result.state, TaskState::Cancelled);
    QVERIFY(!result.objectId.isEmpty());
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(lastVersion(result.objectId).value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
    QVERIFY(m_sandbox->contentMd5(result.objectId).isEmpty());
    QVERIFY(waitUntil(*m_requests, [this] {
        return countRequests(QStringLiteral("POST"), QStringLiteral("/v1/asset/complete")) == 1;
    }));
}

void tst_UploadEngine::cancelQueued()
{
    m_engine->setMaxParallelFiles(1);
    const SourceFile first = testing::writeSourceFile(m_dir.filePath(QStringLiteral("first.bin")), 1000, 1);
    const SourceFile second = testing::writeSourceFile(m_dir.filePath(QStringLiteral("second.bin")), 1000, 2);
    m_engine->enqueue({UploadItem{QStringLiteral("1"), first.path}, UploadItem{QStringLiteral("2"), second.path}},
                      productPhotoBatch());
    m_engine->cancel(QStringLiteral("2"));
    const UploadResult cancelled = waitForResult(QStringLiteral("2"));
    QCOMPARE(cancelled.state, TaskState::Cancelled);
    QVERIFY(cancelled.objectId.isEmpty());
    QCOMPARE(waitForResult(QStringLiteral("1")).state, TaskState::Done);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 1);
}

void tst_UploadEngine::pauseAndResume()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:stall=5")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("pause.bin")), 2 * kPartSize + 100, 13);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    QSignalSpy states(m_engine.get(), &UploadEngine::taskStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("p"), source.path}}, productPhotoBatch());

    auto partDone = [&partStates](int part) {
        for (const QList<QVariant> &arguments : std::as_const(partStates)) {
            if (arguments.at(1).toInt() == part && arguments.at(2).value<PartState>() == PartState::Done)
                return true;
        }
        return false;
    };
    QVERIFY(waitUntil(partStates, [&partDone] { return partDone(1) && partDone(3); }));
    m_engine->pause(QStringLiteral("p"));
    QCOMPARE(states.constLast().at(1).value<TaskState>(), TaskState::Paused);
    QVERIFY(m_finished->isEmpty());

    m_engine->resume(QStringLiteral("p"));
    const UploadResult result = waitForResult(QStringLiteral("p"));
    QCOMPARE(result.state, TaskState::Done);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 1);
}

void tst_UploadEngine::newVersion()
{
    const SourceFile original = testing::writeSourceFile(m_dir.filePath(QStringLiteral("brochure.pdf")), 3000, 21);
    const UploadResult first = upload(QStringLiteral("v1"), original.path);
    QCOMPARE(first.state, TaskState::Done);

    const SourceFile update = testing::writeSourceFile(m_dir.filePath(QStringLiteral("brochure v2.pdf")), 6 * kMiB, 22);
    UploadBatch batch = productPhotoBatch();
    batch.mode = UploadMode::NewVersion;
    batch.versionOfObjectId = first.objectId;
    const UploadResult second = upload(QStringLiteral("v2"), update.path, batch);
    QVERIFY2(second.state == TaskState::Done, qPrintable(second.error.logMessage()));
    QCOMPARE(second.objectId, first.objectId);
    QVERIFY(second.fileId != first.fileId);

    const QJsonArray versions = sandboxAsset(first.objectId).value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 2);
    QCOMPARE(versions.at(1).toObject().value(QLatin1String("originalFileId")).toString(), first.fileId);
    QCOMPARE(m_sandbox->contentMd5(first.objectId), update.md5);
}

void tst_UploadEngine::newVersionOfUnknownAsset()
{
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("orphan.bin")), 10, 1);
    UploadBatch batch = productPhotoBatch();
    batch.mode = UploadMode::NewVersion;
    batch.versionOfObjectId = QStringLiteral("00000000-0000-0000-0000-00000000dead");
    const UploadResult result = upload(QStringLiteral("v"), source.path, batch);
    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::NotFound);
    QVERIFY(result.error.userMessage().contains(batch.versionOfObjectId));
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 0);
}

void tst_UploadEngine::metadataOnly()
{
    UploadBatch batch = productPhotoBatch();
    batch.mode = UploadMode::MetadataOnly;
    batch.metadataOnlyName = QStringLiteral("Placeholder – spring shoot.indd");
    const UploadResult result = upload(QStringLiteral("m"), QString(), batch);
    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QVERIFY(!result.objectId.isEmpty());
    QCOMPARE(result.filename, batch.metadataOnlyName);

    const QJsonObject version = lastVersion(result.objectId);
    QCOMPARE(version.value(QLatin1String("filename")).toString(), batch.metadataOnlyName);
    QCOMPARE(version.value(QLatin1String("state")).toString(), QStringLiteral("pending"));
    QVERIFY(m_sandbox->contentMd5(result.objectId).isEmpty());
    for (const QList<QVariant> &arguments : std::as_const(*m_requests))
        QVERIFY(arguments.at(0).toString() != QStringLiteral("PUT"));
}

void tst_UploadEngine::preRequestChecks_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<QString>("expectedText");
    QTest::addRow("missing file") << QStringLiteral("missing") << QStringLiteral("does not exist");
    QTest::addRow("folder") << QStringLiteral("folder") << QStringLiteral("folder");
    QTest::addRow("larger than 5 GiB") << QStringLiteral("huge") << QStringLiteral("5 GiB");
}

void tst_UploadEngine::preRequestChecks()
{
    QFETCH(QString, kind);
    QFETCH(QString, expectedText);

    QString path = m_dir.filePath(QStringLiteral("check-") + kind);
    if (kind == QLatin1String("folder")) {
        QVERIFY(QDir().mkpath(path));
    } else if (kind == QLatin1String("huge")) {
        // A sparse file: 5 GiB + 1 byte of size, almost no disk space.
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        QVERIFY(file.resize(5368709120LL + 1));
    }

    const UploadResult result = upload(QStringLiteral("x"), path);
    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::LocalFile);
    QVERIFY2(result.error.userMessage().contains(expectedText), qPrintable(result.error.userMessage()));
    QVERIFY(result.error.userMessage().contains(QDir::toNativeSeparators(path)));
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 0);
    QFile::remove(path);
}

void tst_UploadEngine::unreadableFile()
{
#ifdef Q_OS_UNIX
    if (::geteuid() == 0)
        QSKIP("Running as root, which reads files whatever their permissions.");
#endif
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("locked.bin")), 10, 1);
    QVERIFY(QFile::setPermissions(source.path, QFileDevice::Permissions()));
    const UploadResult result = upload(QStringLiteral("u"), source.path);
    QFile::setPermissions(source.path, QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::LocalFile);
    QVERIFY(result.error.userMessage().contains(QStringLiteral("cannot be read")));
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/assets/asset")), 0);
}

void tst_UploadEngine::partCountMismatch()
{
    // The server cuts 6 MiB parts, the client 5 MiB ones: 2 URLs for a file
    // the client would send in 3 parts.
    cleanup();
    startSandbox(6 * kMiB);
    startEngine();
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("mismatch.bin")), 12 * kMiB, 4);
    const UploadResult result = upload(QStringLiteral("m"), source.path);
    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(result.error.userMessage().contains(QStringLiteral("part size")));
    QVERIFY(result.error.userMessage().contains(QStringLiteral("mismatch.bin")));
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    for (const QList<QVariant> &arguments : std::as_const(*m_requests))
        QVERIFY(arguments.at(0).toString() != QStringLiteral("PUT"));
}

void tst_UploadEngine::fileChangedDuringUpload()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:stall=2")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("growing.log")), 2 * kPartSize, 8);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    m_engine->enqueue({UploadItem{QStringLiteral("g"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&partStates] {
        return !partStates.isEmpty() && partStates.constLast().at(2).value<PartState>() == PartState::Done;
    }));

    // Same size, new modification time: someone wrote to the file.
    QFile file(source.path);
    QVERIFY(file.open(QIODevice::ReadWrite));
    QVERIFY(file.setFileTime(QDateTime::currentDateTime().addSecs(60), QFileDevice::FileModificationTime));
    file.close();

    const UploadResult result = waitForResult(QStringLiteral("g"));
    QCOMPARE(result.state, TaskState::Failed);
    QCOMPARE(result.error.kind(), ApiError::Kind::LocalFile);
    QVERIFY(result.error.userMessage().contains(QStringLiteral("changed during the upload")));
    QVERIFY(waitUntil(*m_requests, [this] { return m_sandbox->openUploadCount() == 0; }));
    QVERIFY(m_sandbox->contentMd5(result.objectId).isEmpty());
}

void tst_UploadEngine::parallelCaps()
{
    m_engine->setMaxParallelParts(2);
    m_engine->setMaxParallelFiles(2);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    QSignalSpy taskStates(m_engine.get(), &UploadEngine::taskStateChanged);
    QSignalSpy queueFinished(m_engine.get(), &UploadEngine::queueFinished);

    UploadItemList items;
    QHash<QString, QByteArray> md5s;
    for (int i = 0; i < 4; ++i) {
        const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("cap-%1.bin").arg(i)),
                                            2 * kPartSize + 10, quint32(100 + i));
        const QString id = QString::number(i);
        items.append(UploadItem{id, source.path});
        md5s.insert(id, source.md5);
    }
    m_engine->enqueue(items, productPhotoBatch());
    QVERIFY(queueFinished.wait(kWaitMs));
    QCOMPARE(m_finished->size(), 4);
    for (const QList<QVariant> &arguments : std::as_const(*m_finished)) {
        const UploadResult result = arguments.at(1).value<UploadResult>();
        QCOMPARE(result.state, TaskState::Done);
        QCOMPARE(m_sandbox->contentMd5(result.objectId), md5s.value(result.id));
    }

    int partsInFlight = 0;
    int maxParts = 0;
    for (const QList<QVariant> &arguments : std::as_const(partStates)) {
        if (arguments.at(2).value<PartState>() == PartState::Uploading)
            ++partsInFlight;
        else
            --partsInFlight;
        maxParts = qMax(maxParts, partsInFlight);
    }
    QCOMPARE(maxParts, 2);

    QHash<QString, TaskState> states;
    int maxFiles = 0;
    for (const QList<QVariant> &arguments : std::as_const(taskStates)) {
        states.insert(arguments.at(0).toString(), arguments.at(1).value<TaskState>());
        int active = 0;
        for (const TaskState state : std::as_const(states)) {
            if (state == TaskState::Creating || state == TaskState::Uploading || state == TaskState::Completing)
                ++active;
        }
        maxFiles = qMax(maxFiles, active);
    }
    QVERIFY(maxFiles <= 2);
    QCOMPARE(queueFinished.size(), 1);
}

void tst_UploadEngine::retryAfterFailure()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put#1:expired")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("again.bin")), 100, 30);
    const UploadResult failed = upload(QStringLiteral("r"), source.path);
    QCOMPARE(failed.state, TaskState::Failed);

    m_finished->clear();
    m_engine->retry(QStringLiteral("r"));
    const UploadResult result = waitForResult(QStringLiteral("r"));
    QCOMPARE(result.state, TaskState::Done);
    // After expired links, Retry adds a version to the same asset.
    QCOMPARE(result.objectId, failed.objectId);
    QVERIFY(result.fileId != failed.fileId);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
}

void tst_UploadEngine::removeTask()
{
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("remove.bin")), 100, 31);
    QCOMPARE(upload(QStringLiteral("gone"), source.path).state, TaskState::Done);
    QSignalSpy removed(m_engine.get(), &UploadEngine::taskRemoved);
    m_engine->remove(QStringLiteral("gone"));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(removed.constFirst().constFirst().toString(), QStringLiteral("gone"));
    QVERIFY(m_engine->results().isEmpty());

    // The id is free again.
    m_finished->clear();
    QCOMPARE(upload(QStringLiteral("gone"), source.path).state, TaskState::Done);
}

void tst_UploadEngine::removeActiveTask()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@1#1:stall=5")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("drop me.bin")), 2 * kPartSize, 32);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    QSignalSpy removed(m_engine.get(), &UploadEngine::taskRemoved);
    m_engine->enqueue({UploadItem{QStringLiteral("d"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&partStates] {
        return !partStates.isEmpty() && partStates.constLast().at(2).value<PartState>() == PartState::Done;
    }));
    QCOMPARE(m_sandbox->openUploadCount(), 1);

    m_engine->remove(QStringLiteral("d"));
    QVERIFY(waitUntil(removed, [&removed] { return !removed.isEmpty(); }));
    QCOMPARE(removed.constFirst().constFirst().toString(), QStringLiteral("d"));
    QCOMPARE(waitForResult(QStringLiteral("d")).state, TaskState::Cancelled);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QVERIFY(m_engine->results().isEmpty());
}

void tst_UploadEngine::signOutCancelsUploads()
{
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:stall=5")));
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("bye.bin")), 2 * kPartSize, 33);
    QSignalSpy partStates(m_engine.get(), &UploadEngine::partStateChanged);
    QSignalSpy signedOut(m_engine.get(), &UploadEngine::signedOut);
    m_engine->enqueue({UploadItem{QStringLiteral("s"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(partStates, [&partStates] {
        return !partStates.isEmpty() && partStates.constLast().at(2).value<PartState>() == PartState::Done;
    }));

    m_engine->signOut();
    QVERIFY(waitUntil(signedOut, [&signedOut] { return !signedOut.isEmpty(); }));
    QCOMPARE(waitForResult(QStringLiteral("s")).state, TaskState::Cancelled);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QVERIFY(!m_engine->isSignedIn());
    // The cancel went out before the session was revoked.
    QVERIFY(waitUntil(*m_requests, [this] {
        return countRequests(QStringLiteral("DELETE"), QStringLiteral("/v1/auth/token")) == 1;
    }));
    QCOMPARE(countRequests(QStringLiteral("POST"), QStringLiteral("/v1/asset/complete")), 1);
}

void tst_UploadEngine::waitsForSignIn()
{
    m_engine.reset();
    startEngine(false);
    m_requests->clear();
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("later.bin")), 100, 40);
    m_engine->enqueue({UploadItem{QStringLiteral("l"), source.path}}, productPhotoBatch());
    // Nothing may happen while signed out; give the engine time to misbehave.
    QVERIFY(!m_requests->wait(300));
    QVERIFY(m_finished->isEmpty());
    QCOMPARE(m_requests->size(), 0);

    m_engine->signIn(m_sandbox->config().username, m_sandbox->config().password);
    const UploadResult result = waitForResult(QStringLiteral("l"));
    QCOMPARE(result.state, TaskState::Done);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
}

void tst_UploadEngine::runsInEngineThread()
{
    m_engine.reset();
    const SourceFile source = testing::writeSourceFile(m_dir.filePath(QStringLiteral("threaded.bin")), 6 * kMiB, 50);

    EngineThread worker;
    UploadEngine *engine = worker.engine();
    QVERIFY(engine->thread() != QThread::currentThread());
    QSignalSpy signedIn(engine, &UploadEngine::signedIn);
    QSignalSpy finished(engine, &UploadEngine::taskFinished);
    QSignalSpy queueFinished(engine, &UploadEngine::queueFinished);
    QSignalSpy progress(engine, &UploadEngine::taskProgress);

    const EngineSettings settings = m_settings;
    const QString username = m_sandbox->config().username;
    const QString password = m_sandbox->config().password;
    QVERIFY(QMetaObject::invokeMethod(engine, "configure", Q_ARG(tenovos::EngineSettings, settings)));
    QVERIFY(QMetaObject::invokeMethod(engine, "signIn", Q_ARG(QString, username), Q_ARG(QString, password)));
    QVERIFY(signedIn.wait(kWaitMs));
    const UploadItemList items{UploadItem{QStringLiteral("t"), source.path}};
    QVERIFY(QMetaObject::invokeMethod(engine, "enqueue", Q_ARG(tenovos::UploadItemList, items),
                                      Q_ARG(tenovos::UploadBatch, productPhotoBatch())));
    QVERIFY(queueFinished.wait(kWaitMs));

    QCOMPARE(finished.size(), 1);
    const UploadResult result = finished.constFirst().at(1).value<UploadResult>();
    QCOMPARE(result.state, TaskState::Done);
    QCOMPARE(m_sandbox->contentMd5(result.objectId), source.md5);
    QCOMPARE(progress.constLast().at(1).toLongLong(), source.size);
}

QTEST_GUILESS_MAIN(tst_UploadEngine)
#include "tst_uploadengine.moc"
