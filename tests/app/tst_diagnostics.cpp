// Diagnostics: the report names versions, the OS, the API host, the user
// and the batch settings, and it scrubs the log lines it quotes. "Copy
// Diagnostics" in the window's Help menu puts it on the clipboard, without
// the API key or the password the window was started with.

#include "diagnostics.h"
#include "logfile.h"
#include "mainwindow.h"

#include <QAction>
#include <QApplication>
#include <QClipboard>
#include <QSettings>
#include <QTemporaryDir>
#include <QtTest>

using namespace tenovos;

class tst_Diagnostics : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void reportNamesSettings();
    void reportKeepsOnlyHost();
    void reportScrubsLogLines();
    void windowCopiesWithoutSecrets();

private:
    QTemporaryDir m_dir;
};

void tst_Diagnostics::initTestCase()
{
    QVERIFY(m_dir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("TenovosTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_diagnostics"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_dir.filePath(QStringLiteral("settings")));
    QSettings().clear();
    LogFile::setDataDirectory(m_dir.filePath(QStringLiteral("data")));
    LogFile::Options options;
    options.echoToStderr = false;
    QVERIFY(LogFile::install(options));
}

void tst_Diagnostics::cleanupTestCase()
{
    LogFile::uninstall();
    LogFile::setDataDirectory(QString());
}

void tst_Diagnostics::reportNamesSettings()
{
    Diagnostics::Settings settings;
    settings.apiUrl = QUrl(QStringLiteral("https://api.example.com/v1"));
    settings.username = QStringLiteral("pat@example.com");
    settings.maxParallelParts = 6;
    settings.maxParallelFiles = 2;
    settings.partSize = 104857600;
    settings.securityTemplateIds = {QStringLiteral("sec-1"), QStringLiteral("sec-2")};
    settings.metadataTemplateId = QStringLiteral("meta-1");

    const QString report = Diagnostics::report(settings, {QStringLiteral("a log line")});
    QVERIFY(report.contains(QString::fromLatin1(qVersion())));
    QVERIFY(report.contains(QSysInfo::prettyProductName()));
    QVERIFY(report.contains(QStringLiteral("https://api.example.com")));
    QVERIFY(report.contains(QStringLiteral("pat@example.com")));
    QVERIFY(report.contains(QStringLiteral("Parallel parts: 6, parallel files: 2")));
    QVERIFY(report.contains(QStringLiteral("sec-1, sec-2")));
    QVERIFY(report.contains(QStringLiteral("meta-1")));
    QVERIFY(report.endsWith(QStringLiteral("a log line\n")));
}

void tst_Diagnostics::reportKeepsOnlyHost()
{
    Diagnostics::Settings settings;
    settings.apiUrl = QUrl(QStringLiteral("https://user:pw@api.example.com:8443/v1/private?token=abc#x"));
    const QString report = Diagnostics::report(settings, {});
    QVERIFY(report.contains(QStringLiteral("API host: https://api.example.com:8443\n")));
    QVERIFY(!report.contains(QStringLiteral("pw@")));
    QVERIFY(!report.contains(QStringLiteral("token=abc")));
    QVERIFY(!report.contains(QStringLiteral("/private")));
}

void tst_Diagnostics::reportScrubsLogLines()
{
    const QString line = QStringLiteral("PUT http://127.0.0.1:9/masters/a?X-Amz-Signature=cafe0123 AccessToken: tok987");
    const QString report = Diagnostics::report(Diagnostics::Settings(), {line});
    QVERIFY(!report.contains(QStringLiteral("cafe0123")));
    QVERIFY(!report.contains(QStringLiteral("tok987")));
    QVERIFY(report.contains(QStringLiteral("http://127.0.0.1:9/masters/a?")));
}

void tst_Diagnostics::windowCopiesWithoutSecrets()
{
    AppOptions options;
    options.apiUrl = QUrl(QStringLiteral("http://127.0.0.1:9/v1"));
    options.apiKey = QStringLiteral("diagnostics-secret-key");
    options.username = QStringLiteral("demo@example.com");
    options.password = QStringLiteral("diagnostics-secret-password");
    options.parallelParts = 3;
    MainWindow window(options);

    auto *action = window.findChild<QAction *>(QStringLiteral("actionCopyDiagnostics"));
    QVERIFY(action);
    QGuiApplication::clipboard()->clear();
    action->trigger();

    const QString text = QGuiApplication::clipboard()->text();
    QVERIFY(text.contains(QStringLiteral("Parallel parts: 3")));
    QVERIFY(text.contains(LogFile::filePath()));
    QVERIFY(!text.contains(options.apiKey));
    QVERIFY(!text.contains(options.password));
}

QTEST_MAIN(tst_Diagnostics)
#include "tst_diagnostics.moc"
