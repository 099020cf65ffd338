// The window's command line: connection options as tenovos-upload takes
// them, the https rule for the API URL, --meta, --start and files.

#include "appoptions.h"

#include <QProcess>
#include <QTest>

using tenovos::AppOptions;
using tenovos::AppOptionsParser;

class tst_AppOptions : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void fullCommandLine();
    void checkStartOption();
    void apiUrlRule_data();
    void apiUrlRule();
    void metaNeedsEquals();
    void partSizeRange_data();
    void partSizeRange();
    void environmentDefaults();
    void printsOnly_data();
    void printsOnly();
    void printsWithoutDisplay_data();
    void printsWithoutDisplay();

private:
    static QStringList command(const QStringList &arguments)
    {
        return QStringList{QStringLiteral("tenovos-uploader")} + arguments;
    }
};

void tst_AppOptions::init()
{
    qunsetenv("TENOVOS_PASSWORD");
    qunsetenv("TENOVOS_API_KEY");
    qunsetenv("TENOVOS_USERNAME");
}

void tst_AppOptions::cleanup()
{
    init();
}

void tst_AppOptions::fullCommandLine()
{
    qputenv("TENOVOS_PASSWORD", "from-the-environment");
    AppOptions options;
    QString error;

    const bool ok = AppOptionsParser::parse(
        command({QStringLiteral("--api-url"), QStringLiteral("https://api.tenovos.io/v1"), QStringLiteral("--api-key"),
                 QStringLiteral("key-1"), QStringLiteral("--username"), QStringLiteral("ann@example.com"),
                 QStringLiteral("--security-template"), QStringLiteral("s1"), QStringLiteral("--security-template"),
                 QStringLiteral("s2"), QStringLiteral("--metadata-template"), QStringLiteral("m1"),
                 QStringLiteral("--meta"), QStringLiteral("Title=Spring = new"), QStringLiteral("--start"),
                 QStringLiteral("--parallel"), QStringLiteral("8"), QStringLiteral("a.jpg"),
                 QStringLiteral("folder")}),
        &options, &error);

    QVERIFY2(ok, qPrintable(error));
    QCOMPARE(options.apiUrl, QUrl(QStringLiteral("https://api.tenovos.io/v1")));
    QCOMPARE(options.apiKey, QStringLiteral("key-1"));
    QCOMPARE(options.username, QStringLiteral("ann@example.com"));
    QCOMPARE(options.password, QStringLiteral("from-the-environment"));
    QVERIFY(options.hasCredentials());
    QCOMPARE(options.securityTemplateIds, (QStringList{QStringLiteral("s1"), QStringLiteral("s2")}));
    QCOMPARE(options.metadataTemplateId, QStringLiteral("m1"));
    QCOMPARE(options.metadata.size(), 1);
    QCOMPARE(options.metadata.at(0).first, QStringLiteral("Title"));
    QCOMPARE(options.metadata.at(0).second, QStringLiteral("Spring = new"));
    QVERIFY(options.start);
    QVERIFY(!options.checkStart);
    QCOMPARE(options.parallelParts, 8);
    QCOMPARE(options.paths, (QStringList{QStringLiteral("a.jpg"), QStringLiteral("folder")}));
}

void tst_AppOptions::checkStartOption()
{
    AppOptions options;
    QString error;
    QVERIFY2(AppOptionsParser::parse(command({QStringLiteral("--check-start")}), &options, &error),
             qPrintable(error));
    QVERIFY(options.checkStart);
    QVERIFY(!options.start);
}

void tst_AppOptions::apiUrlRule_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("accepted");

    QTest::addRow("https") << QStringLiteral("https://api.tenovos.io/v1") << true;
    QTest::addRow("http loopback v4") << QStringLiteral("http://127.0.0.1:8080/v1") << true;
    QTest::addRow("http loopback v4 range") << QStringLiteral("http://127.1.2.3/v1") << true;
    QTest::addRow("http loopback v6") << QStringLiteral("http://[::1]:8080/v1") << true;
    QTest::addRow("http host name") << QStringLiteral("http://localhost/v1") << false;
    QTest::addRow("http remote") << QStringLiteral("http://api.tenovos.io/v1") << false;
    QTest::addRow("ftp") << QStringLiteral("ftp://127.0.0.1/v1") << false;
    QTest::addRow("no host") << QStringLiteral("https:///v1") << false;
}

void tst_AppOptions::apiUrlRule()
{
    QFETCH(QString, url);
    QFETCH(bool, accepted);
    AppOptions options;
    QString error;

    const bool ok = AppOptionsParser::parse(command({QStringLiteral("--api-url"), url}), &options, &error);

    QCOMPARE(ok, accepted);
    QCOMPARE(error.isEmpty(), accepted);
    if (!accepted)
        QVERIFY2(error.contains(QStringLiteral("https")) || error.contains(QStringLiteral("valid")), qPrintable(error));
}

void tst_AppOptions::metaNeedsEquals()
{
    AppOptions options;
    QString error;

    const bool ok = AppOptionsParser::parse(command({QStringLiteral("--meta"), QStringLiteral("Title")}), &options,
                                            &error);

    QVERIFY(!ok);
    QVERIFY2(error.contains(QStringLiteral("NAME=VALUE")), qPrintable(error));
}

void tst_AppOptions::partSizeRange_data()
{
    QTest::addColumn<QString>("value");
    QTest::addColumn<bool>("accepted");

    QTest::addRow("5 MiB") << QStringLiteral("5242880") << true;
    QTest::addRow("zero") << QStringLiteral("0") << false;
    QTest::addRow("not a number") << QStringLiteral("5MB") << false;
}

void tst_AppOptions::partSizeRange()
{
    QFETCH(QString, value);
    QFETCH(bool, accepted);
    AppOptions options;
    QString error;

    const bool ok = AppOptionsParser::parse(command({QStringLiteral("--part-size"), value}), &options, &error);

    QCOMPARE(ok, accepted);
    if (accepted)
        QCOMPARE(options.partSize, value.toLongLong());
    else
        QVERIFY2(error.contains(QStringLiteral("--part-size")), qPrintable(error));
}

void tst_AppOptions::environmentDefaults()
{
    qputenv("TENOVOS_API_KEY", "key-from-env");
    qputenv("TENOVOS_USERNAME", "env-user");
    AppOptions options;
    QString error;

    QVERIFY2(AppOptionsParser::parse(command({}), &options, &error), qPrintable(error));

    QCOMPARE(options.apiKey, QStringLiteral("key-from-env"));
    QCOMPARE(options.username, QStringLiteral("env-user"));
    QVERIFY(!options.hasCredentials());
    QVERIFY(!options.start);
}

void tst_AppOptions::printsOnly_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<bool>("expected");

    QTest::addRow("no options") << QStringList() << false;
    QTest::addRow("files") << QStringList{QStringLiteral("a.jpg"), QStringLiteral("--start")} << false;
    QTest::addRow("--help") << QStringList{QStringLiteral("--help")} << true;
    QTest::addRow("-h") << QStringList{QStringLiteral("-h")} << true;
    QTest::addRow("--help-all") << QStringList{QStringLiteral("--help-all")} << true;
    QTest::addRow("--version") << QStringList{QStringLiteral("--version")} << true;
    QTest::addRow("unknown option") << QStringList{QStringLiteral("--no-such-option")} << true;
    QTest::addRow("invalid number") << QStringList{QStringLiteral("--parallel=99")} << true;
    QTest::addRow("Qt's -platform") << QStringList{QStringLiteral("-platform"), QStringLiteral("offscreen")}
                                    << false;
}

void tst_AppOptions::printsOnly()
{
    QFETCH(QStringList, arguments);
    QFETCH(bool, expected);
    QCOMPARE(AppOptionsParser::printsOnly(command(arguments)), expected);
}

void tst_AppOptions::printsWithoutDisplay_data()
{
    QTest::addColumn<QStringList>("arguments");
    QTest::addColumn<int>("exitCode");
    QTest::addColumn<QString>("output");

    QTest::addRow("--help") << QStringList{QStringLiteral("--help")} << 0 << QStringLiteral("--api-url");
    QTest::addRow("--version") << QStringList{QStringLiteral("--version")} << 0
                               << QStringLiteral(TENOVOS_VERSION_STRING);
    QTest::addRow("unknown option") << QStringList{QStringLiteral("--no-such-option")} << 1
                                    << QStringLiteral("no-such-option");
    QTest::addRow("invalid number") << QStringList{QStringLiteral("--parallel=99")} << 2
                                    << QStringLiteral("--parallel");
}

// Runs the built tenovos-uploader with no display and no platform chosen,
// as in an SSH session or a CI job.
void tst_AppOptions::printsWithoutDisplay()
{
    QFETCH(QStringList, arguments);
    QFETCH(int, exitCode);
    QFETCH(QString, output);

    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.remove(QStringLiteral("DISPLAY"));
    environment.remove(QStringLiteral("WAYLAND_DISPLAY"));
    environment.remove(QStringLiteral("QT_QPA_PLATFORM"));
    QProcess process;
    process.setProcessEnvironment(environment);
    process.start(QStringLiteral(TENOVOS_UPLOADER_PATH), arguments);
    QVERIFY2(process.waitForFinished(30000), qPrintable(process.errorString()));

    const QString printed = QString::fromLocal8Bit(process.readAllStandardOutput() + process.readAllStandardError());
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), exitCode);
    QVERIFY2(printed.contains(output), qPrintable(printed));
}

QTEST_MAIN(tst_AppOptions)

#include "tst_appoptions.moc"
