#include "accountmanager.h"

#include "applogging.h"
#include "uploadengine.h"

#include <QHostAddress>
#include <QSettings>

namespace tenovos {

AccountManager::AccountManager(UploadEngine *engine, CredentialStore *store, QSettings *settings, QObject *parent)
    : QObject(parent)
    , m_engine(engine)
    , m_store(store)
    , m_settings(settings)
{
    // Receivers live in this thread, so the engine's signals arrive queued.
    connect(engine, &UploadEngine::signedIn, this, &AccountManager::onEngineSignedIn);
    connect(engine, &UploadEngine::signInFailed, this, &AccountManager::onEngineSignInFailed);
    connect(engine, &UploadEngine::signedOut, this, &AccountManager::onEngineSignedOut);
    connect(engine, &UploadEngine::refreshTokenChanged, this, &AccountManager::onRefreshTokenChanged);

    connect(store, &CredentialStore::readFinished, this,
            [this](const QString &key, const StoredCredentials &credentials) {
                if (!m_restoring || key != accountKey())
                    return;
                m_apiKey = credentials.apiKey;
                configureEngine();
                const QString username = m_username;
                const QString refreshToken = credentials.refreshToken;
                QMetaObject::invokeMethod(
                    m_engine, [engine = m_engine, username, refreshToken] {
                        engine->signInWithRefreshToken(username, refreshToken);
                    },
                    Qt::QueuedConnection);
            });
    connect(store, &CredentialStore::readFailed, this,
            [this](const QString &key, QKeychain::Error error, const QString &message) {
                if (!m_restoring || key != accountKey())
                    return;
                m_restoring = false;
                if (error == QKeychain::EntryNotFound) {
                    m_remember = false;
                    m_settings->setValue(rememberKey(), false);
                }
                setState(State::SignedOut);
                Q_EMIT signInFailed(tr("The saved sign-in of %1 could not be read from the keychain (%2). "
                                       "Sign in with your password.")
                                        .arg(m_username, message),
                                    ApiError());
            });
    connect(store, &CredentialStore::writeFailed, this,
            [this](const QString &, QKeychain::Error, const QString &message) {
                Q_EMIT keychainProblem(tr("Your sign-in could not be saved in the keychain (%1), so you will "
                                          "have to sign in again next time. Check that your keychain or "
                                          "wallet is unlocked.")
                                           .arg(message));
            });
}

void AccountManager::setEngineSettings(const EngineSettings &settings)
{
    m_engineSettings = settings;
}

bool AccountManager::validateApiUrl(const QUrl &url, QString *error)
{
    if (!url.isValid() || url.host().isEmpty()) {
        *error = tr("\"%1\" is not a valid API URL. Enter the API base URL of your tenant, such as "
                    "https://api.tenovos.io/v1.")
                     .arg(url.toString(QUrl::RemoveUserInfo));
        return false;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return true;
    if (scheme == QLatin1String("http")) {
        // Plain http would expose the password and tokens; only a server on
        // this machine is exempt. Host names are not trusted to be local.
        const QHostAddress address(url.host());
        if (!address.isNull() && address.isLoopback())
            return true;
        *error = tr("The API URL \"%1\" must start with https://. Plain http:// is accepted only for "
                    "a test server on this computer (127.0.0.1 or ::1).")
                     .arg(url.toString(QUrl::RemoveUserInfo));
        return false;
    }
    *error = tr("The API URL \"%1\" must start with https://, such as https://api.tenovos.io/v1.")
                 .arg(url.toString(QUrl::RemoveUserInfo));
    return false;
}

void AccountManager::signIn(const QUrl &apiUrl, const QString &apiKey, const QString &username,
                            const QString &password, bool remember)
{
    m_apiUrl = apiUrl;
    m_apiKey = apiKey;
    m_username = username;
    m_remember = remember;
    m_restoring = false;
    if (!remember)
        forgetSavedSignIn();

    qCInfo(lcUi).noquote() << "Signing in as" << username << "at" << apiUrl.toString(QUrl::RemoveUserInfo);
    setState(State::SigningIn);
    configureEngine();
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, username, password] { engine->signIn(username, password); },
        Qt::QueuedConnection);
}

bool AccountManager::restoreSession()
{
    const bool remembered = m_settings->value(rememberKey(), false).toBool();
    const QUrl apiUrl = lastApiUrl();
    const QString username = lastUsername();
    if (!remembered || !apiUrl.isValid() || username.isEmpty())
        return false;
    QString problem;
    if (!validateApiUrl(apiUrl, &problem))
        return false;

    m_apiUrl = apiUrl;
    m_username = username;
    m_remember = true;
    m_restoring = true;
    qCInfo(lcUi).noquote() << "Signing in as" << username << "with the sign-in saved in the keychain";
    setState(State::SigningIn);
    m_store->read(accountKey());
    return true;
}

void AccountManager::signOut()
{
    if (m_state == State::SignedOut || m_state == State::SigningOut)
        return;
    qCInfo(lcUi).noquote() << "Signing out" << m_username;
    forgetSavedSignIn();
    m_remember = false;
    m_restoring = false;
    setState(State::SigningOut);
    QMetaObject::invokeMethod(m_engine, [engine = m_engine] { engine->signOut(); }, Qt::QueuedConnection);
}

QUrl AccountManager::lastApiUrl() const
{
    return QUrl(m_settings->value(apiUrlKey()).toString(), QUrl::StrictMode);
}

QString AccountManager::lastUsername() const
{
    return m_settings->value(usernameKey()).toString();
}

QString AccountManager::apiUrlKey()
{
    return QStringLiteral("account/apiUrl");
}

QString AccountManager::usernameKey()
{
    return QStringLiteral("account/username");
}

QString AccountManager::rememberKey()
{
    return QStringLiteral("account/remember");
}

void AccountManager::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    Q_EMIT stateChanged(state);
}

void AccountManager::configureEngine()
{
    EngineSettings settings = m_engineSettings;
    settings.baseUrl = m_apiUrl;
    settings.apiKey = m_apiKey;
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, settings] { engine->configure(settings); }, Qt::QueuedConnection);
}

void AccountManager::onEngineSignedIn(const QString &username)
{
    m_restoring = false;
    m_settings->setValue(apiUrlKey(), m_apiUrl.toString());
    m_settings->setValue(usernameKey(), username);
    m_settings->setValue(rememberKey(), m_remember);
    qCInfo(lcUi).noquote() << "Signed in as" << username;
    setState(State::SignedIn);
    Q_EMIT signedIn(username);
}

void AccountManager::onEngineSignInFailed(const ApiError &error)
{
    if (m_state == State::SignedOut || m_state == State::SigningOut)
        return;
    const bool wasRestoring = m_restoring;
    m_restoring = false;
    if (wasRestoring && !error.isRetryable()) {
        // The saved refresh token expired or was revoked: it is of no use.
        forgetSavedSignIn();
        m_remember = false;
    }
    QString message = error.userMessage();
    if (m_state == State::SignedIn)
        message = tr("Your Tenovos session ended: %1").arg(message);
    qCWarning(lcUi).noquote() << "Sign-in failed:" << error.logMessage();
    setState(State::SignedOut);
    Q_EMIT signInFailed(message, error);
}

void AccountManager::onEngineSignedOut()
{
    if (m_state == State::SigningIn)
        return; // the end of a previous session, reported after a new sign-in began
    const bool changed = m_state != State::SignedOut;
    setState(State::SignedOut);
    if (changed)
        qCInfo(lcUi) << "Signed out";
    Q_EMIT signedOut();
}

void AccountManager::onRefreshTokenChanged(const QString &username, const QString &refreshToken)
{
    if (!m_remember || username != m_username)
        return;
    if (refreshToken.isEmpty()) {
        forgetSavedSignIn();
        return;
    }
    m_store->write(accountKey(), {m_apiKey, refreshToken});
}

void AccountManager::forgetSavedSignIn()
{
    if (m_username.isEmpty() || !m_apiUrl.isValid())
        return;
    // Touch the keychain only when something may be saved there.
    const bool saved = m_remember || m_settings->value(rememberKey(), false).toBool();
    m_settings->setValue(rememberKey(), false);
    if (saved)
        m_store->remove(accountKey());
}

QString AccountManager::accountKey() const
{
    return CredentialStore::accountKey(m_apiUrl, m_username);
}

} // namespace tenovos
