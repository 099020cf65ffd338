// The network goes away mid-upload: the sandbox stops listening and drops
// every connection (SandboxServer::close()), then listens again on the same
// port. The queue keeps retrying with backoff meanwhile and finishes the file
// byte for byte, as one asset, without re-sending a part confirmed before the
// outage.
//
// During the parts, the comeback is driven by the engine's own signals: the
// sandbox returns after the engine has reported a number of failed part
// attempts. During complete, a timer in the test's event loop brings it back.

#include "uploadengine.h"
#include "uploadfixture.h"

#include "sandboxserver.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

using namespace tenovos;
using namespace tenovos::testing;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kPartSize = 5 * kMiB;
constexpr int kWaitMs = 60000;
constexpr int kRetriesBeforeComeback = 3;

} // namespace

class tst_NetworkAway : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void queueWaitsAndFinishes_data();
    void queueWaitsAndFinishes();
    void outageDuringComplete();

private:
    EngineSettings engineSettings(const SandboxServer &sandbox) const;
};

EngineSettings tst_NetworkAway::engineSettings(const SandboxServer &sandbox) const
{
    EngineSettings settings;
    settings.baseUrl = sandbox.baseUrl();
    settings.apiKey = sandbox.config().apiKey;
    settings.partSize = kPartSize;
    settings.multipartThreshold = kPartSize;
    // Backoff 50, 100, 200 ms ...: 8 retries span about 13 s, far longer
    // than the outages below.
    settings.retryDelayMs = 50;
    settings.maxRetries = 8;
    settings.transferTimeoutMs = 5000;
    settings.requestTimeoutMs = 5000;
    return settings;
}

void tst_NetworkAway::queueWaitsAndFinishes_data()
{
    QTest::addColumn<int>("parallelParts");
    QTest::addColumn<int>("partCount");
    QTest::addColumn<int>("retriesBeforeComeback");
    QTest::addColumn<int>("maxRetries");

    // One part at a time, so the outage falls between confirmed and
    // unconfirmed parts.
    QTest::addRow("one part in flight") << 1 << 4 << kRetriesBeforeComeback << 8;
    // Parts in flight cut off at once, then new attempts refused. With 8
    // parts, some are still unsent when the first is confirmed.
    QTest::addRow("four parts in flight") << 4 << 8 << 2 * kRetriesBeforeComeback << 8;
    // The outage outlasts maxRetries: attempts that reach no server go on
    // for the outage tolerance, so the file still finishes.
    QTest::addRow("longer than the retries") << 1 << 4 << 6 << 2;
}

void tst_NetworkAway::queueWaitsAndFinishes()
{
    QFETCH(int, parallelParts);
    QFETCH(int, partCount);
    QFETCH(int, retriesBeforeComeback);
    QFETCH(int, maxRetries);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const SourceFile source = writeSourceFile(dir.filePath(QStringLiteral("outage.bin")), partCount * kPartSize - 4321, 42);
    QVERIFY(!source.md5.isEmpty());

    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    SandboxServer sandbox(config);
    QVERIFY2(sandbox.listen(0), qPrintable(sandbox.errorString()));
    const quint16 port = sandbox.port();

    UploadEngine engine;
    QSignalSpy finished(&engine, &UploadEngine::taskFinished);
    QSignalSpy waiting(&engine, &UploadEngine::taskWaitingForServer);
    EngineSettings settings = engineSettings(sandbox);
    settings.maxParallelParts = parallelParts;
    settings.maxRetries = maxRetries;
    engine.configure(settings);

    QSignalSpy signedIn(&engine, &UploadEngine::signedIn);
    engine.signIn(sandbox.config().username, sandbox.config().password);
    QVERIFY(signedIn.wait(kWaitMs));

    // The scenario: the first confirmed part takes the network away, and the
    // retriesBeforeComeback-th failed attempt after that brings it back.
    QList<int> confirmedBeforeOutage;
    bool away = false;
    bool back = false;
    bool relistened = false;
    int retriesWhileAway = 0;
    connect(&engine, &UploadEngine::partStateChanged, this,
            [&](const QString &, int partNumber, PartState state) {
                if (!away && !back && state == PartState::Done) {
                    confirmedBeforeOutage.append(partNumber);
                    away = true;
                    sandbox.close();
                } else if (away && state == PartState::Retrying) {
                    ++retriesWhileAway;
                    if (retriesWhileAway == retriesBeforeComeback) {
                        relistened = sandbox.listen(port);
                        away = false;
                        back = true;
                    }
                }
            });

    engine.enqueue({{QStringLiteral("outage"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(finished, [&finished] { return finished.size() == 1; }, kWaitMs));

    QVERIFY(back);
    QVERIFY2(relistened, qPrintable(sandbox.errorString()));
    QCOMPARE(sandbox.port(), port);
    QCOMPARE(retriesWhileAway, retriesBeforeComeback);

    const auto result = finished.constFirst().at(1).value<UploadResult>();
    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(sandbox.contentMd5(result.objectId), source.md5);
    QCOMPARE(sandbox.assets().size(), 1);
    QCOMPARE(sandbox.openUploadCount(), 0);

    // The engine reported waiting for the server, then reported the end of the wait.
    QVERIFY(!waiting.isEmpty());
    QVERIFY(waiting.constFirst().at(1).toDateTime().isValid());
    QVERIFY(!waiting.constLast().at(1).toDateTime().isValid());

    // The part confirmed before the outage was sent once.
    QCOMPARE(confirmedBeforeOutage.size(), 1);
    const QMap<int, int> putCounts = sandbox.putCounts(result.fileId);
    QCOMPARE(putCounts.value(confirmedBeforeOutage.constFirst()), 1);
    QCOMPARE(putCounts.size(), partCount);
}

void tst_NetworkAway::outageDuringComplete()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const SourceFile source = writeSourceFile(dir.filePath(QStringLiteral("complete.bin")), 2 * kPartSize + 99, 43);
    QVERIFY(!source.md5.isEmpty());

    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    SandboxServer sandbox(config);
    QVERIFY2(sandbox.listen(0), qPrintable(sandbox.errorString()));
    const quint16 port = sandbox.port();

    UploadEngine engine;
    QSignalSpy finished(&engine, &UploadEngine::taskFinished);
    engine.configure(engineSettings(sandbox));
    QSignalSpy signedIn(&engine, &UploadEngine::signedIn);
    engine.signIn(sandbox.config().username, sandbox.config().password);
    QVERIFY(signedIn.wait(kWaitMs));

    // All parts are confirmed when the file turns Completing: the network
    // goes away before the complete call and comes back 300 ms later, a
    // timer in this event loop driving the scenario. No signal reports a
    // failed API attempt, so the comeback cannot wait for one.
    bool away = false;
    bool relistened = false;
    bool finishedWhileAway = false;
    connect(&engine, &UploadEngine::taskStateChanged, this,
            [&](const QString &, TaskState state, const ApiError &) {
                if (state == TaskState::Completing && !away) {
                    away = true;
                    sandbox.close();
                    QTimer::singleShot(300, this, [&] { relistened = sandbox.listen(port); });
                }
            });
    connect(&engine, &UploadEngine::taskFinished, this, [&] { finishedWhileAway = away && !relistened; });

    engine.enqueue({{QStringLiteral("complete"), source.path}}, productPhotoBatch());
    QVERIFY(waitUntil(finished, [&finished] { return finished.size() == 1; }, kWaitMs));

    QVERIFY(away);
    QVERIFY2(relistened, qPrintable(sandbox.errorString()));
    QVERIFY(!finishedWhileAway);
    const auto result = finished.constFirst().at(1).value<UploadResult>();
    QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
    QCOMPARE(sandbox.contentMd5(result.objectId), source.md5);
    QCOMPARE(sandbox.assets().size(), 1);
    QCOMPARE(sandbox.openUploadCount(), 0);

    // The parts were sent once each; only complete waited for the network.
    const QMap<int, int> putCounts = sandbox.putCounts(result.fileId);
    QCOMPARE(putCounts.size(), 3);
    for (auto it = putCounts.cbegin(); it != putCounts.cend(); ++it)
        QCOMPARE(it.value(), 1);
}

QTEST_GUILESS_MAIN(tst_NetworkAway)
#include "tst_networkaway.moc"
