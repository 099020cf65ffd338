// LogFile (rotation by size, filter rules, the last-lines buffer, logging
// from several threads) and LogScrubber (each kind of secret it masks).

#include "logfile.h"
#include "logscrubber.h"

#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

using namespace tenovos;

namespace {

Q_LOGGING_CATEGORY(lcTest, "tenovos.test")
Q_LOGGING_CATEGORY(lcOther, "other.test")

QByteArray readAll(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return file.readAll();
}

} // namespace

class tst_LogFile : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void writesIntoDataFolder();
    void rotatesBySize();
    void defaultRulesHideDebug();
    void customRulesShowDebug();
    void lastLinesKeepsNewest();
    void threadsWriteWholeLines();
    void scrubbedBeforeWriting();
    void scrubber_data();
    void scrubber();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_LogFile::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    LogFile::setDataDirectory(m_dir->path());
}

void tst_LogFile::cleanup()
{
    LogFile::uninstall();
    LogFile::setDataDirectory(QString());
    QLoggingCategory::setFilterRules(QString());
}

void tst_LogFile::writesIntoDataFolder()
{
    LogFile::Options options;
    options.echoToStderr = false;
    QString error;
    QVERIFY2(LogFile::install(options, &error), qPrintable(error));
    QCOMPARE(LogFile::filePath(), QDir(m_dir->path()).filePath(QStringLiteral("logs/tenovos.log")));

    qCInfo(lcTest) << "first line";
    const QByteArray text = readAll(LogFile::filePath());
    QVERIFY2(text.contains(" I tenovos.test: first line\n"), text.constData());
    const QFile::Permissions others = QFile::ReadGroup | QFile::WriteGroup | QFile::ReadOther | QFile::WriteOther;
    QCOMPARE(QFileInfo(LogFile::filePath()).permissions() & others, QFile::Permissions());
}

void tst_LogFile::rotatesBySize()
{
    LogFile::Options options;
    options.echoToStderr = false;
    options.maxFileBytes = 2000;
    options.keptFiles = 2;
    QVERIFY(LogFile::install(options));

    for (int i = 0; i < 200; ++i)
        qCInfo(lcTest).noquote() << QStringLiteral("line %1 ").arg(i, 3, 10, QLatin1Char('0')) + QString(40, QLatin1Char('x'));

    const QString path = LogFile::filePath();
    QVERIFY(QFile::exists(path));
    QVERIFY(QFile::exists(path + QStringLiteral(".1")));
    QVERIFY(QFile::exists(path + QStringLiteral(".2")));
    QVERIFY(!QFile::exists(path + QStringLiteral(".3")));
    QCOMPARE(LogFile::allFilePaths().size(), 3);
    for (const QString &file : LogFile::allFilePaths())
        QVERIFY2(QFileInfo(file).size() <= options.maxFileBytes, qPrintable(file));

    // The newest line is in the current file, older ones in .1, the oldest
    // kept in .2; the first lines are gone.
    QVERIFY(readAll(path).contains("line 199 "));
    QVERIFY(!readAll(path + QStringLiteral(".1")).contains("line 199 "));
    QVERIFY(!readAll(path).contains("line 000 "));
    QVERIFY(!readAll(path + QStringLiteral(".1")).contains("line 000 "));
    QVERIFY(!readAll(path + QStringLiteral(".2")).contains("line 000 "));
}

void tst_LogFile::defaultRulesHideDebug()
{
    LogFile::Options options;
    options.echoToStderr = false;
    QVERIFY(LogFile::install(options));

    qCDebug(lcTest) << "debug line";
    qCInfo(lcTest) << "info line";
    qCWarning(lcTest) << "warning line";

    const QByteArray text = readAll(LogFile::filePath());
    QVERIFY(!text.contains("debug line"));
    QVERIFY(text.contains("info line"));
    QVERIFY(text.contains(" W tenovos.test: warning line"));
}

void tst_LogFile::customRulesShowDebug()
{
    LogFile::Options options;
    options.echoToStderr = false;
    options.rules = QStringLiteral("tenovos.*.debug=true\nother.*.info=false");
    QVERIFY(LogFile::install(options));

    qCDebug(lcTest) << "debug line";
    qCInfo(lcOther) << "hidden info line";
    qCWarning(lcOther) << "shown warning line";

    const QByteArray text = readAll(LogFile::filePath());
    QVERIFY(text.contains(" D tenovos.test: debug line"));
    QVERIFY(!text.contains("hidden info line"));
    QVERIFY(text.contains("shown warning line"));
}

void tst_LogFile::lastLinesKeepsNewest()
{
    LogFile::Options options;
    options.echoToStderr = false;
    QVERIFY(LogFile::install(options));

    for (int i = 0; i < 600; ++i)
        qCInfo(lcTest).noquote() << QStringLiteral("entry %1").arg(i);

    const QStringList lines = LogFile::lastLines(3);
    QCOMPARE(lines.size(), 3);
    QVERIFY(lines.at(0).endsWith(QStringLiteral("entry 597")));
    QVERIFY(lines.at(2).endsWith(QStringLiteral("entry 599")));
    QCOMPARE(LogFile::lastLines(10000).size(), 500);
}

void tst_LogFile::threadsWriteWholeLines()
{
    LogFile::Options options;
    options.echoToStderr = false;
    QVERIFY(LogFile::install(options));

    constexpr int kThreads = 4;
    constexpr int kLinesPerThread = 500;
    QList<QThread *> threads;
    for (int t = 0; t < kThreads; ++t) {
        threads.append(QThread::create([t] {
            for (int i = 0; i < kLinesPerThread; ++i)
                qCInfo(lcTest).noquote() << QStringLiteral("thread %1 line %2 end").arg(t).arg(i);
        }));
    }
    for (QThread *thread : threads)
        thread->start();
    for (QThread *thread : threads) {
        QVERIFY(thread->wait(60000));
        delete thread;
    }

    const QList<QByteArray> lines = readAll(LogFile::filePath()).split('\n');
    int threadLines = 0;
    for (const QByteArray &line : lines) {
        if (!line.contains(" thread "))
            continue;
        ++threadLines;
        QVERIFY2(line.endsWith(" end"), line.constData());
    }
    QCOMPARE(threadLines, kThreads * kLinesPerThread);
}

void tst_LogFile::scrubbedBeforeWriting()
{
    LogFile::Options options;
    options.echoToStderr = false;
    QVERIFY(LogFile::install(options));

    qCInfo(lcTest).noquote() << "PUT http://127.0.0.1:1/bucket/key?partNumber=1&X-Amz-Signature=deadbeef01 failed";
    QVERIFY(!readAll(LogFile::filePath()).contains("deadbeef01"));
    QVERIFY(!LogFile::lastLines(1).constFirst().contains(QStringLiteral("deadbeef01")));
}

void tst_LogFile::scrubber_data()
{
    QTest::addColumn<QString>("line");
    QTest::addColumn<QString>("secret");
    QTest::addColumn<QString>("kept");

    QTest::addRow("url query") << QStringLiteral("PUT to http://127.0.0.1:8080/masters/a/b.bin?uploadId=u1&partNumber=2 failed")
                               << QStringLiteral("uploadId=u1") << QStringLiteral("http://127.0.0.1:8080/masters/a/b.bin?… failed");
    QTest::addRow("signature parameter") << QStringLiteral("signed with X-Amz-Signature=0a1b2c3d4e5f")
                                         << QStringLiteral("0a1b2c3d4e5f") << QStringLiteral("X-Amz-Signature=…");
    QTest::addRow("encoded security token") << QStringLiteral("query X-Amz-Security-Token%3DFwoG%2Babc%2Fdef%3D")
                                            << QStringLiteral("FwoG") << QStringLiteral("X-Amz-Security-Token%3D…");
    QTest::addRow("credential") << QStringLiteral("&X-Amz-Credential=ASIAEXAMPLE%2F20261204%2Fus-east-1")
                                << QStringLiteral("ASIAEXAMPLE") << QStringLiteral("X-Amz-Credential=…");
    QTest::addRow("bearer header") << QStringLiteral("Authorization: Bearer abc.def-ghi")
                                   << QStringLiteral("abc.def-ghi") << QStringLiteral("Authorization: Bearer …");
    QTest::addRow("access token header") << QStringLiteral("AccessToken: tok-123456 sent")
                                         << QStringLiteral("tok-123456") << QStringLiteral("AccessToken: … sent");
    QTest::addRow("api key header") << QStringLiteral("X-API-Key: sandbox-demo-key")
                                    << QStringLiteral("sandbox-demo-key") << QStringLiteral("X-API-Key: …");
    QTest::addRow("json refresh token") << QStringLiteral(R"({"refreshToken": "r3fr3sh", "username": "a"})")
                                        << QStringLiteral("r3fr3sh") << QStringLiteral("\"username\": \"a\"");
    QTest::addRow("json password") << QStringLiteral(R"({"password":"hunter2"})") << QStringLiteral("hunter2")
                                   << QStringLiteral("\"password\":\"…");
    QTest::addRow("jwt") << QStringLiteral("token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl in message")
                         << QStringLiteral("eyJzdWIiOiIxIn0") << QStringLiteral(" in message");
    QTest::addRow("aws authorization") << QStringLiteral("Authorization=AWS4-HMAC-SHA256 Credential=AKIA/x, SignedHeaders=host, Signature=ff00")
                                       << QStringLiteral("ff00") << QStringLiteral("Authorization=AWS4-HMAC-SHA256 …");
}

void tst_LogFile::scrubber()
{
    QFETCH(QString, line);
    QFETCH(QString, secret);
    QFETCH(QString, kept);

    const QString scrubbed = LogScrubber::scrub(line);
    QVERIFY2(!scrubbed.contains(secret), qPrintable(scrubbed));
    QVERIFY2(scrubbed.contains(kept), qPrintable(scrubbed));
}

QTEST_GUILESS_MAIN(tst_LogFile)
#include "tst_logfile.moc"
