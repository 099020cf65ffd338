#pragma once

#include "apierror.h"
#include "apitypes.h"
#include "result.h"

#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>

namespace tenovos {

class ApiCall;
class ApiClient;

// A signed-in Tenovos session: the tokens of POST /auth/token, their renewal
// shortly before expireEpoch (and once after a 401, on the client's request)
// and sign-out through DELETE /auth/token.
class Session : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Session)

public:
    // Registers itself with the client, which then authenticates with this
    // session's tokens.
    explicit Session(ApiClient *client, QObject *parent = nullptr);
    ~Session() override;

    bool isSignedIn() const { return m_tokens.isValid(); }
    QString username() const { return m_username; }
    SessionTokens tokens() const { return m_tokens; }

    // How long before expireEpoch the access token is renewed, in seconds
    // (at most half of the token's remaining lifetime).
    void setRenewalMargin(int seconds) { m_renewalMarginSeconds = qMax(0, seconds); }

    // Starts a new session; emits signedIn or signInFailed.
    void signIn(const QString &username, const QString &password);
    // Starts a session from a refresh token saved earlier (in the keychain);
    // emits signedIn or signInFailed.
    void signInWithRefreshToken(const QString &username, const QString &refreshToken);
    // Forgets the tokens at once, revokes them on the server (DELETE
    // /auth/token) and emits signedOut when the revocation ended, whether it
    // succeeded or not.
    void signOut();

    // Renews the access token now with the refresh token, then runs done with
    // the outcome. Callers that ask while a renewal is running share it.
    // A renewal that fails for good ends the session (signInFailed with the
    // reason, then signedOut).
    void renew(QObject *context, std::function<void(const Result<void> &)> done);

Q_SIGNALS:
    void signedIn(const QString &username);
    void signInFailed(const tenovos::ApiError &error);
    void signedOut();
    // The session ended because renewing it failed for good (the refresh
    // token expired or was revoked). Emitted before signInFailed(reason).
    void sessionExpired(const tenovos::ApiError &reason);
    // A new refresh token to store (for example in the keychain); empty when
    // the session ended and the stored one should be deleted.
    void refreshTokenChanged(const QString &username, const QString &refreshToken);

private:
    struct Waiter
    {
        QPointer<QObject> context;
        std::function<void(const Result<void> &)> done;
    };

    void startRenewal();
    void finishRenewal(const Result<void> &result);
    void adoptTokens(const SessionTokens &tokens);
    void scheduleRenewal();
    void endSession(const ApiError &reason);
    void abortCalls();
    void settleRevocation();

    ApiClient *m_client;
    SessionTokens m_tokens;
    QString m_username;
    QTimer m_renewalTimer;
    QPointer<ApiCall> m_signInCall;
    QPointer<ApiCall> m_renewCall;
    QPointer<ApiCall> m_revokeCall;
    int m_revocation = 0; // counts revocations, so a superseded one stays silent
    QList<Waiter> m_waiters;
    int m_renewalMarginSeconds = 300;
};

} // namespace tenovos
