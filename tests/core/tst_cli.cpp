// tenovos-upload run as a separate process against an in-process
// SandboxServer: JSON lines, exit statuses, the failure summary, metadata
// look-ups, modes and Ctrl+C.

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <csignal>
#endif

using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr int kWaitMs = 60000;

struct Run
{
    int exitCode = -1;
    QByteArray out;
    QByteArray err;
    QList<QJsonObject> jsonLines;
};

QByteArray writeFile(const QString &path, qint64 size, char seed)
{
    QByteArray content(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        content[i] = char(seed + i % 97);
    QFile file(path);
    if (file.open(QIODevice::WriteOnly))
        file.write(content);
    return QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex();
}

// The first value of a vocabulary attribute of "Marketing Asset", by name.
QString vocabularyValueName(const QString &attributeName)
{
    const DemoCatalog &catalog = DemoCatalog::instance();
    const auto *metadataTemplate =
        catalog.metadataTemplate(QString::fromLatin1(DemoCatalog::marketingAssetTemplateId));
    for (const auto &group : metadataTemplate->groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.name == attributeName)
                return catalog.vocabulary(attribute.vocabularyId)->values.constFirst().name;
        }
    }
    return QString();
}

} // namespace

class tst_Cli : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void jsonLinesAndFailureSummary();
    void folderRecursionSkipsHidden();
    void usageErrors_data();
    void usageErrors();
    void connectionRefusedNamesHost();
    void unknownMetadataName();
    void invalidVocabularyValue();
    void missingRequiredMetadata();
    void wrongPassword();
    void onlyMissingFilesExit();
    void versionAndHelp();
    void metadataOnly();
    void newVersion();
    void interruptCancels();

private:
    QStringList commonArguments() const;
    QStringList metadataArguments() const;
    QProcess *start(const QStringList &arguments);
    Run finish(QProcess *process);
    Run run(const QStringList &arguments);

    QTemporaryDir m_dir;
    std::unique_ptr<SandboxServer> m_sandbox;
};

void tst_Cli::init()
{
    QVERIFY(m_dir.isValid());
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = 5 * kMiB;
    config.minPartSize = 5 * kMiB;
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_sandbox->listen(0), qPrintable(m_sandbox->errorString()));
}

void tst_Cli::cleanup()
{
    m_sandbox.reset();
}

QStringList tst_Cli::commonArguments() const
{
    const SandboxConfig config = m_sandbox->config();
    return {QStringLiteral("--api-url"), m_sandbox->baseUrl().toString(),
            QStringLiteral("--api-key"), config.apiKey,
            QStringLiteral("--username"), config.username,
            QStringLiteral("--security-template"), QString::fromLatin1(DemoCatalog::marketingInternalTemplateId),
            QStringLiteral("--security-template"), QString::fromLatin1(DemoCatalog::marketingPublicTemplateId),
            QStringLiteral("--metadata-template"), QString::fromLatin1(DemoCatalog::marketingAssetTemplateId),
            QStringLiteral("--part-size"), QString::number(5 * kMiB)};
}

QStringList tst_Cli::metadataArguments() const
{
    return {QStringLiteral("--meta"), QStringLiteral("Title=CLI test"),
            QStringLiteral("--meta"), QStringLiteral("Region=") + vocabularyValueName(QStringLiteral("Region")),
            QStringLiteral("--meta"), QStringLiteral("Embargo Date=2024-03-31")};
}

QProcess *tst_Cli::start(const QStringList &arguments)
{
    auto *process = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TENOVOS_PASSWORD"), m_sandbox->config().password);
    environment.remove(QStringLiteral("TENOVOS_API_KEY"));
    // The journal and the log go to the test's folder, not the user's.
    environment.insert(QStringLiteral("TENOVOS_DATA_DIR"), m_dir.filePath(QStringLiteral("data")));
    process->setProcessEnvironment(environment);
    process->setProgram(QStringLiteral(TENOVOS_UPLOAD_EXECUTABLE));
    process->setArguments(arguments);
    process->start();
    return process;
}

Run tst_Cli::finish(QProcess *process)
{
    Run result;
    // Wait with the event loop running: the sandbox accepts connections on
    // this thread, so waitForFinished() would block it.
    if (process->state() != QProcess::NotRunning) {
        QSignalSpy finished(process, &QProcess::finished);
        if (!finished.wait(kWaitMs)) {
            process->kill();
            process->waitForFinished();
        }
    }
    result.exitCode = process->exitStatus() == QProcess::NormalExit ? process->exitCode() : -1;
    result.out = process->readAllStandardOutput();
    result.err = process->readAllStandardError();
    for (const QByteArray &line : result.out.split('\n')) {
        const QJsonDocument document = QJsonDocument::fromJson(line);
        if (document.isObject())
            result.jsonLines.append(document.object());
    }
    process->deleteLater();
    return result;
}

Run tst_Cli::run(const QStringList &arguments)
{
    return finish(start(arguments));
}

void tst_Cli::jsonLinesAndFailureSummary()
{
    const QString small = m_dir.filePath(QStringLiteral("small photo.jpg"));
    const QString big = m_dir.filePath(QStringLiteral("big video.mp4"));
    const QString missing = m_dir.filePath(QStringLiteral("not here.png"));
    const QByteArray smallMd5 = writeFile(small, 1000, 'a');
    const QByteArray bigMd5 = writeFile(big, 6 * kMiB, 'b');

    const Run result = run(commonArguments() + metadataArguments()
                           + QStringList{QStringLiteral("--json"), small, big, missing});
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.jsonLines.size(), 3);

    QHash<QString, QJsonObject> byFile;
    for (const QJsonObject &line : result.jsonLines)
        byFile.insert(line.value(QLatin1String("file")).toString(), line);
    const QJsonObject smallLine = byFile.value(QDir::toNativeSeparators(small));
    const QJsonObject bigLine = byFile.value(QDir::toNativeSeparators(big));
    const QJsonObject missingLine = byFile.value(QDir::toNativeSeparators(missing));

    QCOMPARE(smallLine.value(QLatin1String("status")).toString(), QStringLiteral("done"));
    QVERIFY(smallLine.value(QLatin1String("error")).isNull());
    QVERIFY(!smallLine.value(QLatin1String("fileId")).toString().isEmpty());
    QCOMPARE(m_sandbox->contentMd5(smallLine.value(QLatin1String("objectId")).toString()), smallMd5);

    QCOMPARE(bigLine.value(QLatin1String("status")).toString(), QStringLiteral("done"));
    QCOMPARE(m_sandbox->contentMd5(bigLine.value(QLatin1String("objectId")).toString()), bigMd5);

    QCOMPARE(missingLine.value(QLatin1String("status")).toString(), QStringLiteral("failed"));
    QVERIFY(missingLine.value(QLatin1String("objectId")).isNull());
    QVERIFY(missingLine.value(QLatin1String("error")).toString().contains(QStringLiteral("does not exist")));

    const QString errors = QString::fromLocal8Bit(result.err);
    QVERIFY2(errors.contains(QStringLiteral("Uploaded 2 of 3 files")), qPrintable(errors));
    QVERIFY(errors.contains(QDir::toNativeSeparators(missing)));
    QVERIFY(!errors.contains(QDir::toNativeSeparators(small) + QLatin1Char(':')));
}

void tst_Cli::folderRecursionSkipsHidden()
{
    const QString root = m_dir.filePath(QStringLiteral("campaign"));
    QVERIFY(QDir().mkpath(root + QStringLiteral("/sub/.cache")));
    writeFile(root + QStringLiteral("/a.txt"), 10, 'a');
    writeFile(root + QStringLiteral("/sub/b.txt"), 20, 'b');
    writeFile(root + QStringLiteral("/.DS_Store"), 5, 'c');
    writeFile(root + QStringLiteral("/sub/.cache/c.txt"), 5, 'd');
#ifdef Q_OS_UNIX
    // A symbolic link back to the top folder must not loop.
    QVERIFY(QFile::link(root, root + QStringLiteral("/sub/loop")));
#endif

    const Run result = run(commonArguments() + metadataArguments()
                           + QStringList{QStringLiteral("--json"), root});
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.jsonLines.size(), 2);
    QStringList files;
    for (const QJsonObject &line : result.jsonLines) {
        files.append(QFileInfo(line.value(QLatin1String("file")).toString()).fileName());
        QCOMPARE(line.value(QLatin1String("status")).toString(), QStringLiteral("done"));
    }
    files.sort();
    QCOMPARE(files, QStringList({QStringLiteral("a.txt"), QStringLiteral("b.txt")}));
}

void tst_Cli::usageErrors_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<QString>("expected");

    const QString file = QStringLiteral("file.txt");
    const QString security = QString::fromLatin1(DemoCatalog::marketingInternalTemplateId);
    const QString metadata = QString::fromLatin1(DemoCatalog::marketingAssetTemplateId);
    const QStringList base{QStringLiteral("--api-key"), QStringLiteral("k"), QStringLiteral("--username"),
                           QStringLiteral("u"), QStringLiteral("--security-template"), security,
                           QStringLiteral("--metadata-template"), metadata};

    // Rejected before any connection, so no address other than loopback is
    // ever contacted.
    QTest::addRow("plain http to a remote host")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://tenovos.invalid/v1"), file})
        << QStringLiteral("https://");
    QTest::addRow("missing API URL") << (base + QStringList{file}) << QStringLiteral("--api-url");
    QTest::addRow("parallel out of range")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1"),
                               QStringLiteral("--parallel"), QStringLiteral("17"), file})
        << QStringLiteral("--parallel");
    QTest::addRow("no files")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1")})
        << QStringLiteral("No files");
    QTest::addRow("meta without value")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1"),
                               QStringLiteral("--meta"), QStringLiteral("Title"), file})
        << QStringLiteral("NAME=VALUE");
    QTest::addRow("API URL without scheme")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("127.0.0.1:44069/v1"), file})
        << QStringLiteral("\"127.0.0.1:44069/v1\" does not start with a scheme. Start it with https://");
    QTest::addRow("unknown option")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1"),
                               QStringLiteral("--no-such-option"), file})
        << QStringLiteral("no-such-option");
    const QString emptyFolder = m_dir.filePath(QStringLiteral("empty folder"));
    QDir().mkpath(emptyFolder + QStringLiteral("/.hidden"));
    QTest::addRow("folder without files")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1"),
                               emptyFolder})
        << QStringLiteral("No files were found in \"%1\"").arg(QDir::toNativeSeparators(emptyFolder));
    QTest::addRow("metadata-only with files")
        << (base + QStringList{QStringLiteral("--api-url"), QStringLiteral("http://127.0.0.1:1/v1"),
                               QStringLiteral("--metadata-only"), QStringLiteral("x"), file})
        << QStringLiteral("--metadata-only");
}

void tst_Cli::usageErrors()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const Run result = run(arguments);
    QCOMPARE(result.exitCode, 2);
    QVERIFY2(QString::fromLocal8Bit(result.err).contains(expected), result.err.constData());
    QVERIFY(m_sandbox->assets().isEmpty());
}

void tst_Cli::connectionRefusedNamesHost()
{
    // A port that was free a moment ago refuses connections on loopback.
    QTcpServer probe;
    QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
    const quint16 port = probe.serverPort();
    probe.close();

    const QString file = m_dir.filePath(QStringLiteral("f.txt"));
    writeFile(file, 10, 'x');
    QStringList arguments = commonArguments() + metadataArguments() + QStringList{file};
    arguments[arguments.indexOf(QStringLiteral("--api-url")) + 1] =
        QStringLiteral("http://127.0.0.1:%1/v1").arg(port);
    const Run result = run(arguments);
    QCOMPARE(result.exitCode, 3);
    const QString errors = QString::fromLocal8Bit(result.err);
    QVERIFY2(errors.contains(QStringLiteral("127.0.0.1:%1").arg(port)), qPrintable(errors));
    QVERIFY2(errors.contains(QStringLiteral("refused")), qPrintable(errors));
    QVERIFY2(errors.contains(QStringLiteral("that the server is running")), qPrintable(errors));
}

void tst_Cli::unknownMetadataName()
{
    const QString file = m_dir.filePath(QStringLiteral("f.txt"));
    writeFile(file, 10, 'x');
    const Run result = run(commonArguments() + metadataArguments()
                           + QStringList{QStringLiteral("--meta"), QStringLiteral("Colour=Blue"), file});
    QCOMPARE(result.exitCode, 2);
    const QString errors = QString::fromLocal8Bit(result.err);
    QVERIFY2(errors.contains(QStringLiteral("Colour")), qPrintable(errors));
    QVERIFY(errors.contains(QStringLiteral("Title")));
    QVERIFY(m_sandbox->assets().isEmpty());
}

void tst_Cli::invalidVocabularyValue()
{
    const QString file = m_dir.filePath(QStringLiteral("f.txt"));
    writeFile(file, 10, 'x');
    const Run result = run(commonArguments()
                           + QStringList{QStringLiteral("--meta"), QStringLiteral("Title=x"),
                                         QStringLiteral("--meta"), QStringLiteral("Region=Atlantis"), file});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(QString::fromLocal8Bit(result.err).contains(QStringLiteral("Atlantis")));
    QVERIFY(m_sandbox->assets().isEmpty());
}

void tst_Cli::missingRequiredMetadata()
{
    const QString file = m_dir.filePath(QStringLiteral("f.txt"));
    writeFile(file, 10, 'x');
    const Run result = run(commonArguments()
                           + QStringList{QStringLiteral("--meta"), QStringLiteral("Title=only the title"), file});
    QCOMPARE(result.exitCode, 2);
    QVERIFY(QString::fromLocal8Bit(result.err).contains(QStringLiteral("Region")));
    QVERIFY(m_sandbox->assets().isEmpty());
}

void tst_Cli::wrongPassword()
{
    const QString file = m_dir.filePath(QStringLiteral("f.txt"));
    writeFile(file, 10, 'x');
    QProcess *process = new QProcess(this);
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TENOVOS_PASSWORD"), QStringLiteral("not the password"));
    process->setProcessEnvironment(environment);
    process->setProgram(QStringLiteral(TENOVOS_UPLOAD_EXECUTABLE));
    process->setArguments(commonArguments() + metadataArguments() + QStringList{file});
    process->start();
    const Run result = finish(process);
    QCOMPARE(result.exitCode, 3);
    QVERIFY(QString::fromLocal8Bit(result.err).contains(QStringLiteral("password")));
}

void tst_Cli::onlyMissingFilesExit()
{
    const QString missing = m_dir.filePath(QStringLiteral("does not exist.mov"));
    const Run result = run(commonArguments() + metadataArguments() + QStringList{QStringLiteral("--json"), missing});
    // -1 means finish() had to kill a process that never exited.
    QCOMPARE(result.exitCode, 1);
    QCOMPARE(result.jsonLines.size(), 1);
    QCOMPARE(result.jsonLines.first().value(QStringLiteral("status")).toString(), QStringLiteral("failed"));
    QVERIFY(QString::fromLocal8Bit(result.err).contains(QStringLiteral("does not exist.mov")));
}

void tst_Cli::versionAndHelp()
{
    const Run version = run({QStringLiteral("--version")});
    QCOMPARE(version.exitCode, 0);
    QVERIFY(version.out.contains(TENOVOS_VERSION_STRING));

    const Run help = run({QStringLiteral("--help")});
    QCOMPARE(help.exitCode, 0);
    for (const char *expected : {"--api-url", "--security-template", "--meta", "--version-of",
                                 "--metadata-only", "--parallel", "--part-size", "BYTES", "--json",
                                 "--quiet", "TENOVOS_PASSWORD"}) {
        QVERIFY2(help.out.contains(expected), expected);
    }
}

void tst_Cli::metadataOnly()
{
    const Run result = run(commonArguments() + metadataArguments()
                           + QStringList{QStringLiteral("--json"), QStringLiteral("--metadata-only"),
                                         QStringLiteral("Placeholder.indd")});
    QVERIFY2(result.exitCode == 0, result.err.constData());
    QCOMPARE(result.jsonLines.size(), 1);
    const QJsonObject line = result.jsonLines.constFirst();
    QCOMPARE(line.value(QLatin1String("file")).toString(), QStringLiteral("Placeholder.indd"));
    QCOMPARE(line.value(QLatin1String("status")).toString(), QStringLiteral("done"));
    QVERIFY(m_sandbox->contentMd5(line.value(QLatin1String("objectId")).toString()).isEmpty());
}

void tst_Cli::newVersion()
{
    const QString first = m_dir.filePath(QStringLiteral("logo.svg"));
    writeFile(first, 100, 'l');
    const Run created = run(commonArguments() + metadataArguments()
                            + QStringList{QStringLiteral("--json"), first});
    QCOMPARE(created.exitCode, 0);
    const QString objectId = created.jsonLines.constFirst().value(QLatin1String("objectId")).toString();

    const QString second = m_dir.filePath(QStringLiteral("logo-2.svg"));
    const QByteArray md5 = writeFile(second, 200, 'm');
    const Run versioned = run(commonArguments() + metadataArguments()
                              + QStringList{QStringLiteral("--json"), QStringLiteral("--version-of"),
                                            objectId, second});
    QVERIFY2(versioned.exitCode == 0, versioned.err.constData());
    QCOMPARE(versioned.jsonLines.constFirst().value(QLatin1String("objectId")).toString(), objectId);
    QCOMPARE(m_sandbox->contentMd5(objectId), md5);
}

void tst_Cli::interruptCancels()
{
#ifndef Q_OS_UNIX
    QSKIP("Sends SIGINT, which only POSIX systems have.");
#else
    // Part 2 is held, so SIGINT arrives while the upload is under way.
    QVERIFY(m_sandbox->addFault(QStringLiteral("put@2#1:stall=20")));
    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    const QString file = m_dir.filePath(QStringLiteral("long.bin"));
    writeFile(file, 11 * kMiB, 'z');

    QProcess *process = start(commonArguments() + metadataArguments()
                              + QStringList{QStringLiteral("--json"), file});
    auto putsFinished = [&requests] {
        int count = 0;
        for (const QList<QVariant> &arguments : std::as_const(requests)) {
            if (arguments.at(0).toString() == QLatin1String("PUT"))
                ++count;
        }
        return count;
    };
    // Parts 1 and 3 finish; part 2 hangs.
    QTRY_VERIFY_WITH_TIMEOUT(putsFinished() >= 2, kWaitMs);
    QCOMPARE(m_sandbox->openUploadCount(), 1);

    ::kill(pid_t(process->processId()), SIGINT);
    const Run result = finish(process);
    QCOMPARE(result.exitCode, 130);
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(result.jsonLines.size(), 1);
    QCOMPARE(result.jsonLines.constFirst().value(QLatin1String("status")).toString(), QStringLiteral("cancelled"));
    const QString objectId = result.jsonLines.constFirst().value(QLatin1String("objectId")).toString();
    QVERIFY(m_sandbox->contentMd5(objectId).isEmpty());
#endif
}

QTEST_GUILESS_MAIN(tst_Cli)
#include "tst_cli.moc"
