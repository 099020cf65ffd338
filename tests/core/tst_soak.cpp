// Seeded soak: 20 files of mixed sizes, from 0 bytes to four 5 MiB parts,
// go up in one batch. Meanwhile the sandbox injects a random fault (500,
// 503, a dropped connection, a PUT without ETag) into a fifth of all
// requests. Every file must end either stored byte for byte as exactly one
// asset, or failed with a message for the user. No multipart upload may stay
// open.
//
// The fault seed is fixed, so a run selects the same share of requests;
// which request gets which fault still depends on the order in which
// parallel requests reach the sandbox.

#include "uploadengine.h"
#include "uploadfixture.h"

#include "sandboxserver.h"

#include <QDir>
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
constexpr int kWaitMs = 120000;
constexpr quint64 kFaultSeed = 20261204;

} // namespace

class tst_Soak : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void randomFaultsOnFifthOfRequests();
};

void tst_Soak::randomFaultsOnFifthOfRequests()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());

    const QList<qint64> sizes = {0,
                                 1,
                                 777,
                                 4096,
                                 kMiB,
                                 2 * kMiB + 5,
                                 3 * kMiB,
                                 kPartSize - 1,
                                 kPartSize,
                                 kPartSize + 1,
                                 7 * kMiB,
                                 9 * kMiB,
                                 2 * kPartSize,
                                 2 * kPartSize + 3,
                                 11 * kMiB + 11,
                                 12 * kMiB,
                                 14 * kMiB - 1,
                                 3 * kPartSize,
                                 16 * kMiB,
                                 4 * kPartSize};
    QCOMPARE(sizes.size(), 20);

    QHash<QString, SourceFile> sources; // by item id
    UploadItemList items;
    for (int i = 0; i < sizes.size(); ++i) {
        const QString id = QStringLiteral("file-%1").arg(i, 2, 10, QLatin1Char('0'));
        const SourceFile source = writeSourceFile(dir.filePath(id + QStringLiteral(".bin")), sizes.at(i), quint32(100 + i));
        QVERIFY2(!source.md5.isEmpty(), qPrintable(source.path));
        sources.insert(id, source);
        items.append({id, source.path});
    }

    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    config.faultSeed = kFaultSeed;
    SandboxServer sandbox(config);
    QVERIFY2(sandbox.listen(0), qPrintable(sandbox.errorString()));

    UploadEngine engine;
    QSignalSpy finished(&engine, &UploadEngine::taskFinished);
    QSignalSpy queueFinished(&engine, &UploadEngine::queueFinished);
    EngineSettings settings;
    settings.baseUrl = sandbox.baseUrl();
    settings.apiKey = sandbox.config().apiKey;
    settings.partSize = kPartSize;
    settings.multipartThreshold = kPartSize;
    settings.retryDelayMs = 50;
    settings.transferTimeoutMs = 5000;
    settings.requestTimeoutMs = 5000;
    engine.configure(settings);

    QSignalSpy signedIn(&engine, &UploadEngine::signedIn);
    engine.signIn(sandbox.config().username, sandbox.config().password);
    QVERIFY(signedIn.wait(kWaitMs));

    // The faults start after sign-in: a session is the precondition here,
    // and sign-in retries are covered elsewhere.
    QString error;
    QVERIFY2(sandbox.addFault(QStringLiteral("any~0.2:random"), &error), qPrintable(error));

    engine.enqueue(items, productPhotoBatch());
    QVERIFY(waitUntil(finished, [&finished, &items] { return finished.size() == items.size(); }, kWaitMs));
    QVERIFY(waitUntil(queueFinished, [&queueFinished] { return !queueFinished.isEmpty(); }, kWaitMs));

    const QList<int> hits = sandbox.faultHits();
    QCOMPARE(hits.size(), 1);
    QVERIFY2(hits.constFirst() >= 5, qPrintable(QStringLiteral("only %1 faults injected").arg(hits.constFirst())));

    // Assets by file name (each source file has its own name).
    QHash<QString, QStringList> objectIdsByName;
    const QJsonArray assets = sandbox.assets();
    for (const QJsonValue &asset : assets) {
        const QJsonArray versions = asset.toObject().value(QStringLiteral("versions")).toArray();
        const QString filename = versions.first().toObject().value(QStringLiteral("filename")).toString();
        objectIdsByName[filename].append(asset.toObject().value(QStringLiteral("objectId")).toString());
    }

    int done = 0;
    QSet<QString> seenIds;
    for (const QList<QVariant> &arguments : std::as_const(finished)) {
        const auto result = arguments.at(1).value<UploadResult>();
        QVERIFY2(!seenIds.contains(result.id), qPrintable(result.id));
        seenIds.insert(result.id);
        const SourceFile source = sources.value(result.id);
        const QString name = QFileInfo(source.path).fileName();

        QVERIFY2(objectIdsByName.value(name).size() <= 1, qPrintable(name + QStringLiteral(" has several assets")));
        if (result.state == TaskState::Done) {
            ++done;
            QCOMPARE(objectIdsByName.value(name), QStringList{result.objectId});
            QCOMPARE(sandbox.contentMd5(result.objectId), source.md5);
        } else {
            QCOMPARE(result.state, TaskState::Failed);
            QVERIFY2(!result.error.userMessage().isEmpty(), qPrintable(name));
            qInfo().noquote() << name << "failed:" << result.error.logMessage();
        }
    }
    QCOMPARE(seenIds.size(), items.size());
    QCOMPARE(sandbox.openUploadCount(), 0);
    // Retries must carry the files through: a request fails for good only
    // after 5 faulted attempts in a row, which has a chance of 0.2^5 (about
    // 0.03 %) per request. With about a hundred requests, one failed file is
    // rare and two are rarer still.
    qInfo("%d of %d files uploaded, %d faults injected", done, int(items.size()), hits.constFirst());
    QVERIFY2(done >= items.size() - 1, qPrintable(QStringLiteral("only %1 of 20 files uploaded").arg(done)));
}

QTEST_GUILESS_MAIN(tst_Soak)
#include "tst_soak.moc"
