#pragma once

#include "apierror.h"
#include "credentialstore.h"
#include "uploadtypes.h"

#include <QObject>
#include <QPointer>
#include <QUrl>

class QSettings;

namespace tenovos {

class UploadEngine;

// Signs the engine in and out and keeps "Remember me": the API key and the
// refresh token go to the OS keychain (CredentialStore), the API URL and
// user name to QSettings. The engine lives in another thread; every call to
// it is a queued QMetaObject::invokeMethod(), and its signals arrive queued.
class AccountManager : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AccountManager)

public:
    enum class State { SignedOut, SigningIn, SignedIn, SigningOut };
    Q_ENUM(State)

    // settings is not owned and must outlive this object.
    AccountManager(UploadEngine *engine, CredentialStore *store, QSettings *settings, QObject *parent = nullptr);

    // Engine settings other than the URL and API key (parallel parts, part
    // size...), applied with the next sign-in.
    void setEngineSettings(const EngineSettings &settings);
    EngineSettings engineSettings() const { return m_engineSettings; }

    // Whether url may be used: https, or http to a loopback address
    // (127.0.0.0/8 or ::1). On false, *error names the problem and what to enter.
    static bool validateApiUrl(const QUrl &url, QString *error);

    // Signs in with a password. With remember, the API key and the refresh
    // token are saved in the keychain once signed in. Without it, any saved
    // sign-in of this account is removed.
    void signIn(const QUrl &apiUrl, const QString &apiKey, const QString &username, const QString &password,
                bool remember);
    // Signs in with the refresh token saved by "Remember me", without asking.
    // Returns false when no account is remembered; otherwise the outcome
    // arrives as signedIn() or signInFailed().
    bool restoreSession();
    // Revokes the session on the server (DELETE /auth/token) after the
    // engine cancelled unfinished files, and deletes the saved sign-in.
    void signOut();

    State state() const { return m_state; }
    bool isSignedIn() const { return m_state == State::SignedIn; }
    QUrl apiUrl() const { return m_apiUrl; }
    QString username() const { return m_username; }
    // The API key of the last sign-in, to prefill the sign-in dialog when the
    // session expired.
    QString apiKey() const { return m_apiKey; }
    bool isRemembered() const { return m_remember; }

    // The last API URL and user name, for the sign-in dialog.
    QUrl lastApiUrl() const;
    QString lastUsername() const;

    // QSettings keys.
    static QString apiUrlKey();
    static QString usernameKey();
    static QString rememberKey();

Q_SIGNALS:
    void stateChanged(tenovos::AccountManager::State state);
    void signedIn(const QString &username);
    // message names the failure and what to do next; error is the engine's.
    void signInFailed(const QString &message, const tenovos::ApiError &error);
    void signedOut();
    // The keychain could not save or read the sign-in; signing in still works.
    void keychainProblem(const QString &message);

private:
    void setState(State state);
    void configureEngine();
    void onEngineSignedIn(const QString &username);
    void onEngineSignInFailed(const ApiError &error);
    void onEngineSignedOut();
    void onRefreshTokenChanged(const QString &username, const QString &refreshToken);
    void forgetSavedSignIn();
    QString accountKey() const;

    QPointer<UploadEngine> m_engine;
    CredentialStore *m_store;
    QSettings *m_settings;
    EngineSettings m_engineSettings;
    State m_state = State::SignedOut;
    QUrl m_apiUrl;
    QString m_apiKey;
    QString m_username;
    bool m_remember = false;
    bool m_restoring = false; // signing in with a saved refresh token
};

} // namespace tenovos
