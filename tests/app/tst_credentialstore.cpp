// "Remember me" against a real Secret Service: CredentialStore round trips,
// AccountManager saving a sign-in, signing in again after a restart with the
// saved refresh token, and sign-out clearing the keychain. Run under
// scripts/with-keyring.sh, which starts a throw-away gnome-keyring; without
// a reachable Secret Service the suite skips.

#include "accountmanager.h"
#include "credentialstore.h"
#include "enginethread.h"
#include "sandboxconfig.h"
#include "sandboxserver.h"
#include "uploadengine.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QFile>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QUuid>

#include <memory>

using tenovos::AccountManager;
using tenovos::CredentialStore;
using tenovos::EngineThread;
using tenovos::StoredCredentials;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr int kTimeoutMs = 15000;

// An engine in its own thread with an AccountManager, as the window has
// them; a new Session stands for a restart of the program.
struct Session
{
    Session(const QString &serviceName, QSettings *settings)
        : engineThread(std::make_unique<EngineThread>())
        , store(std::make_unique<CredentialStore>(serviceName))
        , account(std::make_unique<AccountManager>(engineThread->engine(), store.get(), settings))
    {
    }

    std::unique_ptr<EngineThread> engineThread;
    std::unique_ptr<CredentialStore> store;
    std::unique_ptr<AccountManager> account;
};

} // namespace

class tst_CredentialStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void storeRoundTrip();
    void readMissingEntryFails();
    void rememberedSignInSurvivesRestart();
    void signOutClearsKeychain();
    void signInWithoutRememberSavesNothing();

private:
    std::unique_ptr<Session> newSession();
    void signInRemembered(Session *session);
    QString accountKey() const;
    QByteArray settingsFileContent();

    QTemporaryDir m_settingsDir;
    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<SandboxServer> m_server;
    QString m_serviceName;
};

void tst_CredentialStore::initTestCase()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    if (!bus.isConnected() || !bus.interface()
        || !bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.secrets")).value()) {
        QSKIP("No Secret Service (org.freedesktop.secrets) is reachable on the D-Bus session bus. "
              "Run the tests under scripts/with-keyring.sh, which starts a throw-away gnome-keyring.");
    }
    QVERIFY(m_settingsDir.isValid());
}

void tst_CredentialStore::init()
{
    // A fresh service name keeps entries of earlier runs and cases apart.
    m_serviceName = QStringLiteral("Tenovos Uploader test %1").arg(QUuid::createUuid().toString(QUuid::WithoutBraces));
    m_settings = std::make_unique<QSettings>(m_settingsDir.filePath(QStringLiteral("settings.ini")),
                                             QSettings::IniFormat);
    m_settings->clear();
    m_server = std::make_unique<SandboxServer>(SandboxConfig::demo());
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));
}

void tst_CredentialStore::cleanup()
{
    m_server.reset();
    m_settings.reset();
}

std::unique_ptr<Session> tst_CredentialStore::newSession()
{
    return std::make_unique<Session>(m_serviceName, m_settings.get());
}

QString tst_CredentialStore::accountKey() const
{
    return CredentialStore::accountKey(m_server->baseUrl(), m_server->config().username);
}

QByteArray tst_CredentialStore::settingsFileContent()
{
    m_settings->sync();
    QFile file(m_settings->fileName());
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

void tst_CredentialStore::signInRemembered(Session *session)
{
    const SandboxConfig config = m_server->config();
    QSignalSpy signedIn(session->account.get(), &AccountManager::signedIn);
    QSignalSpy saved(session->store.get(), &CredentialStore::writeFinished);
    QSignalSpy saveFailed(session->store.get(), &CredentialStore::writeFailed);

    session->account->signIn(m_server->baseUrl(), config.apiKey, config.username, config.password, true);

    QVERIFY(signedIn.wait(kTimeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(saved.count() + saveFailed.count() > 0, kTimeoutMs);
    QVERIFY2(saveFailed.isEmpty(), saveFailed.isEmpty() ? "" : qPrintable(saveFailed.at(0).at(2).toString()));
    QCOMPARE(saved.at(0).at(0).toString(), accountKey());
}

void tst_CredentialStore::storeRoundTrip()
{
    CredentialStore writer(m_serviceName);
    QSignalSpy written(&writer, &CredentialStore::writeFinished);
    writer.write(QStringLiteral("someone on https://127.0.0.1/v1"),
                 {QStringLiteral("key-123"), QStringLiteral("refresh-456")});
    QVERIFY(written.wait(kTimeoutMs));

    CredentialStore reader(m_serviceName);
    QSignalSpy read(&reader, &CredentialStore::readFinished);
    reader.read(QStringLiteral("someone on https://127.0.0.1/v1"));
    QVERIFY(read.wait(kTimeoutMs));

    const auto credentials = read.at(0).at(1).value<StoredCredentials>();
    QCOMPARE(credentials.apiKey, QStringLiteral("key-123"));
    QCOMPARE(credentials.refreshToken, QStringLiteral("refresh-456"));

    QSignalSpy removed(&reader, &CredentialStore::removeFinished);
    reader.remove(QStringLiteral("someone on https://127.0.0.1/v1"));
    QVERIFY(removed.wait(kTimeoutMs));
}

void tst_CredentialStore::readMissingEntryFails()
{
    CredentialStore store(m_serviceName);
    QSignalSpy failed(&store, &CredentialStore::readFailed);

    store.read(QStringLiteral("nobody on https://127.0.0.1/v1"));

    QVERIFY(failed.wait(kTimeoutMs));
    QCOMPARE(failed.at(0).at(1).value<QKeychain::Error>(), QKeychain::EntryNotFound);
}

void tst_CredentialStore::rememberedSignInSurvivesRestart()
{
    auto first = newSession();
    signInRemembered(first.get());

    // Only the URL and user name go to the settings file, never secrets.
    const QByteArray settings = settingsFileContent();
    QVERIFY(!settings.contains(m_server->config().apiKey.toUtf8()));
    QVERIFY(!settings.contains(m_server->config().password.toUtf8()));
    QVERIFY(settings.contains("remember=true"));
    first.reset();

    auto restarted = newSession();
    QSignalSpy signedIn(restarted->account.get(), &AccountManager::signedIn);
    QSignalSpy failed(restarted->account.get(), &AccountManager::signInFailed);

    QVERIFY(restarted->account->restoreSession());

    QTRY_VERIFY_WITH_TIMEOUT(signedIn.count() + failed.count() > 0, kTimeoutMs);
    QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.at(0).at(0).toString()));
    QCOMPARE(signedIn.at(0).at(0).toString(), m_server->config().username);
    QVERIFY(restarted->account->isRemembered());
}

void tst_CredentialStore::signOutClearsKeychain()
{
    auto session = newSession();
    signInRemembered(session.get());
    QSignalSpy signedOut(session->account.get(), &AccountManager::signedOut);
    QSignalSpy removed(session->store.get(), &CredentialStore::removeFinished);

    session->account->signOut();

    QVERIFY(signedOut.wait(kTimeoutMs));
    QTRY_VERIFY_WITH_TIMEOUT(!removed.isEmpty(), kTimeoutMs);
    QCOMPARE(m_settings->value(AccountManager::rememberKey()).toBool(), false);

    CredentialStore reader(m_serviceName);
    QSignalSpy readFailed(&reader, &CredentialStore::readFailed);
    reader.read(accountKey());
    QVERIFY(readFailed.wait(kTimeoutMs));
    QCOMPARE(readFailed.at(0).at(1).value<QKeychain::Error>(), QKeychain::EntryNotFound);

    auto restarted = newSession();
    QVERIFY(!restarted->account->restoreSession());
}

void tst_CredentialStore::signInWithoutRememberSavesNothing()
{
    auto session = newSession();
    const SandboxConfig config = m_server->config();
    QSignalSpy signedIn(session->account.get(), &AccountManager::signedIn);
    QSignalSpy written(session->store.get(), &CredentialStore::writeFinished);

    session->account->signIn(m_server->baseUrl(), config.apiKey, config.username, config.password, false);
    QVERIFY(signedIn.wait(kTimeoutMs));

    CredentialStore reader(m_serviceName);
    QSignalSpy readFailed(&reader, &CredentialStore::readFailed);
    reader.read(accountKey());
    QVERIFY(readFailed.wait(kTimeoutMs));
    QCOMPARE(readFailed.at(0).at(1).value<QKeychain::Error>(), QKeychain::EntryNotFound);
    QCOMPARE(written.count(), 0);
    QVERIFY(!session->account->restoreSession());
}

QTEST_MAIN(tst_CredentialStore)

#include "tst_credentialstore.moc"
