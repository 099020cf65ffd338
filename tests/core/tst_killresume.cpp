// tenovos-upload killed with SIGKILL and continued with --resume, against an
// in-process SandboxServer: the journal is the only thing that survives a
// kill, so these tests read it from disk exactly as the next run does.

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QtTest>

using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kPartSize = 5 * kMiB;
constexpr int kPartCount = 12;
constexpr int kKills = 10;
constexpr int kWaitMs = 60000;

// Confirmed parts of one journal entry: part number -> ETag.
using ConfirmedParts = QMap<int, QByteArray>;

struct JournalState
{
    bool readable = false;
    QStringList fileIds;
    QHash<QString, ConfirmedParts> confirmed; // by file id
};

QByteArray writeRandomFile(const QString &path, qint64 size, quint32 seed)
{
    QRandomGenerator generator(seed);
    QByteArray content(size, Qt::Uninitialized);
    generator.fillRange(reinterpret_cast<quint32 *>(content.data()), content.size() / 4);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly) || file.write(content) != size)
        return QByteArray();
    return QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex();
}

// Runs the event loop, which the in-process sandbox needs to accept
// connections, until the process ended; QProcess::waitForFinished() would
// block it.
bool waitForExit(QProcess *process)
{
    return QTest::qWaitFor([process] { return process->state() == QProcess::NotRunning; }, kWaitMs);
}

} // namespace

class tst_KillResume : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void killedTenTimesThenResumed();
    void changedFileCancelledOnResume();
    void expiredLinksFailOnResume();
    void resumeWithEmptyJournal();

private:
    QStringList connectionArguments() const;
    QStringList uploadArguments(const QString &filePath) const;
    QStringList resumeArguments() const;
    QProcess *start(const QStringList &arguments);
    JournalState readJournal() const;
    int confirmedCount() const;
    QMap<int, int> putCounts(const QString &fileId) const;
    void killAfterConfirmed(QProcess *process, int confirmedParts, bool *exitedFirst);

    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_dataDir;
    std::unique_ptr<SandboxServer> m_sandbox;
};

void tst_KillResume::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_dataDir = m_dir->filePath(QStringLiteral("data"));
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_sandbox->listen(0), qPrintable(m_sandbox->errorString()));
    // Each part takes at least 0.3 s, so a kill lands while parts are
    // still to be sent.
    QString error;
    QVERIFY2(m_sandbox->addFault(QStringLiteral("put:stall=0.3"), &error), qPrintable(error));
}

void tst_KillResume::cleanup()
{
    const QList<QProcess *> processes = findChildren<QProcess *>();
    for (QProcess *process : processes) {
        if (process->state() != QProcess::NotRunning) {
            process->kill();
            process->waitForFinished(5000);
        }
        delete process;
    }
    m_sandbox.reset();
    m_dir.reset();
}

QStringList tst_KillResume::connectionArguments() const
{
    const SandboxConfig config = m_sandbox->config();
    return {QStringLiteral("--api-url"), m_sandbox->baseUrl().toString(),
            QStringLiteral("--api-key"), config.apiKey,
            QStringLiteral("--username"), config.username,
            QStringLiteral("--part-size"), QString::number(kPartSize),
            QStringLiteral("--parallel"), QStringLiteral("1"),
            QStringLiteral("--data-dir"), m_dataDir};
}

QStringList tst_KillResume::uploadArguments(const QString &filePath) const
{
    return connectionArguments()
        + QStringList{QStringLiteral("--security-template"), QString::fromLatin1(DemoCatalog::marketingInternalTemplateId),
                      QStringLiteral("--metadata-template"), QString::fromLatin1(DemoCatalog::productPhotoTemplateId),
                      QStringLiteral("--meta"), QStringLiteral("Product Name=Kill and resume"),
                      filePath};
}

QStringList tst_KillResume::resumeArguments() const
{
    return connectionArguments() + QStringList{QStringLiteral("--resume")};
}

QProcess *tst_KillResume::start(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TENOVOS_PASSWORD"), m_sandbox->config().password);
    environment.remove(QStringLiteral("TENOVOS_DATA_DIR"));
    process->setProcessEnvironment(environment);
    process->setProgram(QStringLiteral(TENOVOS_UPLOAD_EXECUTABLE));
    process->setArguments(arguments);
    process->start();
    return process;
}

JournalState tst_KillResume::readJournal() const
{
    JournalState state;
    QFile file(QDir(m_dataDir).filePath(QStringLiteral("upload-journal.json")));
    if (!file.open(QIODevice::ReadOnly))
        return state;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll());
    if (!document.isObject())
        return state;
    state.readable = true;
    const QJsonArray entries = document.object().value(QLatin1String("entries")).toArray();
    for (const QJsonValue &value : entries) {
        const QJsonObject entry = value.toObject();
        const QString fileId = entry.value(QLatin1String("fileId")).toString();
        state.fileIds.append(fileId);
        ConfirmedParts &parts = state.confirmed[fileId];
        for (const QJsonValue &part : entry.value(QLatin1String("confirmedParts")).toArray()) {
            parts.insert(part.toObject().value(QLatin1String("partNumber")).toInt(),
                         part.toObject().value(QLatin1String("etag")).toString().toLatin1());
        }
    }
    return state;
}

int tst_KillResume::confirmedCount() const
{
    const JournalState state = readJournal();
    return state.fileIds.isEmpty() ? -1 : int(state.confirmed.value(state.fileIds.constFirst()).size());
}

QMap<int, int> tst_KillResume::putCounts(const QString &fileId) const
{
    QMap<int, int> counts;
    const QJsonArray assets = m_sandbox->assets();
    for (const QJsonValue &asset : assets) {
        for (const QJsonValue &version : asset.toObject().value(QLatin1String("versions")).toArray()) {
            if (version.toObject().value(QLatin1String("fileId")).toString() != fileId)
                continue;
            const QJsonObject perPart = version.toObject().value(QLatin1String("putCounts")).toObject();
            for (auto it = perPart.constBegin(); it != perPart.constEnd(); ++it)
                counts.insert(it.key().toInt(), it.value().toInt());
        }
    }
    return counts;
}

// Waits until the journal on disk lists at least confirmedParts confirmed
// parts (and an entry at all), then sends SIGKILL. *exitedFirst is set when
// the process ended by itself before that.
void tst_KillResume::killAfterConfirmed(QProcess *process, int confirmedParts, bool *exitedFirst)
{
    *exitedFirst = false;
    const bool reached = QTest::qWaitFor(
        [&] { return process->state() == QProcess::NotRunning || confirmedCount() >= confirmedParts; }, kWaitMs);
    QVERIFY2(reached, "the journal never reached the kill point");
    if (process->state() == QProcess::NotRunning) {
        *exitedFirst = true;
        return;
    }
    process->kill(); // SIGKILL on Unix
    QVERIFY(waitForExit(process));
    QCOMPARE(process->exitStatus(), QProcess::CrashExit);
}

void tst_KillResume::killedTenTimesThenResumed()
{
    const QString path = m_dir->filePath(QStringLiteral("campaign.mov"));
    const QByteArray sourceMd5 = writeRandomFile(path, kPartCount * kPartSize - 12345, 20261204);
    QVERIFY(!sourceMd5.isEmpty());

    QRandomGenerator random(4242); // seeded: the same kill points on every run
    QString fileId;
    QHash<int, QByteArray> etagAtKill;  // part -> ETag the journal confirmed before a kill
    QHash<int, int> putCountAtKill;     // part -> PUTs the sandbox had received by then
    int kills = 0;

    for (int run = 0; run < kKills; ++run) {
        QProcess *process = start(run == 0 ? uploadArguments(path) : resumeArguments());
        // The first run must have created its upload before it dies, or
        // there is nothing to resume. Later runs may die anywhere, also
        // before they confirmed a part or even signed in.
        const int before = qMax(0, confirmedCount());
        const int target = qMin(kPartCount - 1, before + (run == 0 ? 1 : int(random.bounded(2))));
        bool exitedFirst = false;
        killAfterConfirmed(process, target, &exitedFirst);
        if (QTest::currentTestFailed())
            return;
        QVERIFY2(!exitedFirst, qPrintable(QStringLiteral("run %1 finished before it was killed: %2")
                                              .arg(run)
                                              .arg(QString::fromLocal8Bit(process->readAllStandardError()))));
        ++kills;

        const JournalState journal = readJournal();
        QVERIFY2(journal.readable, "the journal is unreadable after a kill");
        QCOMPARE(journal.fileIds.size(), 1);
        if (fileId.isEmpty())
            fileId = journal.fileIds.constFirst();
        QCOMPARE(journal.fileIds.constFirst(), fileId); // no second upload was started

        const ConfirmedParts confirmed = journal.confirmed.value(fileId);
        const QMap<int, int> counts = putCounts(fileId);
        for (auto it = confirmed.cbegin(); it != confirmed.cend(); ++it) {
            if (etagAtKill.contains(it.key())) {
                QCOMPARE(it.value(), etagAtKill.value(it.key()));
                continue;
            }
            etagAtKill.insert(it.key(), it.value());
            putCountAtKill.insert(it.key(), counts.value(it.key()));
        }
        // A part confirmed before one kill is still confirmed after the next.
        for (auto it = etagAtKill.cbegin(); it != etagAtKill.cend(); ++it)
            QVERIFY2(confirmed.contains(it.key()), qPrintable(QStringLiteral("part %1 lost").arg(it.key())));
    }
    QCOMPARE(kills, kKills);

    QProcess *last = start(resumeArguments());
    QVERIFY(waitForExit(last));
    const QString output = QString::fromLocal8Bit(last->readAllStandardOutput());
    const QString errors = QString::fromLocal8Bit(last->readAllStandardError());
    QVERIFY2(last->exitStatus() == QProcess::NormalExit && last->exitCode() == 0,
             qPrintable(output + errors));
    QVERIFY2(output.contains(QStringLiteral("resuming")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("uploaded")), qPrintable(output));

    // Exactly one asset, stored byte for byte, nothing left open.
    const QJsonArray assets = m_sandbox->assets();
    QCOMPARE(assets.size(), 1);
    const QJsonObject asset = assets.first().toObject();
    QCOMPARE(asset.value(QLatin1String("versions")).toArray().size(), 1);
    QCOMPARE(asset.value(QLatin1String("currentFileId")).toString(), fileId);
    QCOMPARE(m_sandbox->contentMd5(asset.value(QLatin1String("objectId")).toString()), sourceMd5);
    QCOMPARE(m_sandbox->openUploadCount(), 0);

    // No part confirmed in the journal before a kill was sent again.
    const QMap<int, int> finalCounts = putCounts(fileId);
    QVERIFY(!putCountAtKill.isEmpty());
    for (auto it = putCountAtKill.cbegin(); it != putCountAtKill.cend(); ++it) {
        QVERIFY2(finalCounts.value(it.key()) == it.value(),
                 qPrintable(QStringLiteral("part %1 was PUT %2 times in all, %3 by the kill that "
                                           "found it confirmed")
                                .arg(it.key())
                                .arg(finalCounts.value(it.key()))
                                .arg(it.value())));
    }
    for (int part = 1; part <= kPartCount; ++part)
        QVERIFY2(finalCounts.value(part) >= 1, qPrintable(QStringLiteral("part %1 never sent").arg(part)));

    // The finished upload left the journal.
    const JournalState journal = readJournal();
    QVERIFY(journal.readable);
    QVERIFY(journal.fileIds.isEmpty());
}

void tst_KillResume::changedFileCancelledOnResume()
{
    const QString path = m_dir->filePath(QStringLiteral("draft.mov"));
    QVERIFY(!writeRandomFile(path, 4 * kPartSize, 7).isEmpty());

    QProcess *first = start(uploadArguments(path));
    bool exitedFirst = false;
    killAfterConfirmed(first, 1, &exitedFirst);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!exitedFirst);
    QCOMPARE(m_sandbox->openUploadCount(), 1);

    // The file grows while no uploader runs.
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::Append));
        QCOMPARE(file.write("appended"), qint64(8));
    }

    QProcess *resumed = start(resumeArguments());
    QVERIFY(waitForExit(resumed));
    const QString output = QString::fromLocal8Bit(resumed->readAllStandardOutput());
    QCOMPARE(resumed->exitCode(), 1);
    QVERIFY2(output.contains(QStringLiteral("changed since its upload was interrupted")), qPrintable(output));
    QVERIFY2(output.contains(QDir::toNativeSeparators(path)), qPrintable(output));

    // The multipart upload was cancelled through /asset/complete, and only
    // the one asset exists.
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    const QJsonArray assets = m_sandbox->assets();
    QCOMPARE(assets.size(), 1);
    const QJsonArray versions = assets.first().toObject().value(QLatin1String("versions")).toArray();
    QCOMPARE(versions.size(), 1);
    QCOMPARE(versions.first().toObject().value(QLatin1String("state")).toString(), QStringLiteral("cancelled"));
    QVERIFY(readJournal().fileIds.isEmpty());
}

void tst_KillResume::expiredLinksFailOnResume()
{
    SandboxConfig config = m_sandbox->config();
    config.urlLifetimeSeconds = 2;
    QString error;
    QVERIFY2(m_sandbox->setConfig(config, &error), qPrintable(error));
    const QString path = m_dir->filePath(QStringLiteral("late.mov"));
    QVERIFY(!writeRandomFile(path, 3 * kPartSize, 11).isEmpty());

    const QDateTime started = QDateTime::currentDateTimeUtc();
    QProcess *first = start(uploadArguments(path));
    bool exitedFirst = false;
    killAfterConfirmed(first, 1, &exitedFirst);
    if (QTest::currentTestFailed())
        return;
    QVERIFY(!exitedFirst);

    // The URLs were signed after started and live 2 s; one more second
    // covers X-Amz-Date's whole-second precision.
    QVERIFY(QTest::qWaitFor([&] { return QDateTime::currentDateTimeUtc() > started.addSecs(3); }, kWaitMs));
    QProcess *resumed = start(resumeArguments());
    QVERIFY(waitForExit(resumed));
    const QString output = QString::fromLocal8Bit(resumed->readAllStandardOutput());
    QCOMPARE(resumed->exitCode(), 1);
    QVERIFY2(output.contains(QStringLiteral("expired")), qPrintable(output));
    QVERIFY2(output.contains(QStringLiteral("late.mov")), qPrintable(output));

    // The old multipart upload is cancelled and no second asset exists.
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(m_sandbox->assets().size(), 1);
    QVERIFY(readJournal().fileIds.isEmpty());
}

void tst_KillResume::resumeWithEmptyJournal()
{
    QProcess *process = start(resumeArguments());
    QVERIFY(waitForExit(process));
    const QString errors = QString::fromLocal8Bit(process->readAllStandardError());
    QCOMPARE(process->exitCode(), 0);
    QVERIFY2(errors.contains(QStringLiteral("Nothing to resume")), qPrintable(errors));
    QVERIFY(m_sandbox->assets().isEmpty());
}

QTEST_GUILESS_MAIN(tst_KillResume)
#include "tst_killresume.moc"
