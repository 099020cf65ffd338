#pragma once

#include <QDateTime>
#include <QHash>
#include <QMutex>
#include <QString>

#include <optional>

namespace tenovos::sandbox {

// Sessions of the token endpoint: sign-in, refresh, revocation and the check
// of the Authorization and AccessToken headers. Thread-safe.
class SessionStore
{
public:
    struct Tokens
    {
        QString authorization;
        QString accessToken;
        QString refreshToken;
        qint64 expireEpoch = 0; // seconds since the epoch when accessToken expires
    };

    enum class Check { Valid, Missing, Unknown, Mismatch, Expired, Revoked };

    // Starts a session; lifetimes in seconds, zero or less mints expired tokens.
    Tokens signIn(const QString &username, int accessLifetimeSeconds, int refreshLifetimeSeconds);

    // Mints a new access token (and authorization) for a refresh token. Returns
    // nothing for an unknown, revoked or expired refresh token.
    std::optional<Tokens> refresh(const QString &refreshToken, int accessLifetimeSeconds);

    Check check(const QString &authorization, const QString &accessToken) const;

    // Revokes the session an access token or refresh token belongs to, with
    // every access token issued in it. Returns false when neither is known.
    bool revoke(const QString &accessToken, const QString &refreshToken);

private:
    struct Session
    {
        QString username;
        QString refreshToken;
        QDateTime refreshExpiresAt;
        bool revoked = false;
    };

    struct AccessGrant
    {
        QString authorization;
        QString sessionId;
        QDateTime expiresAt;
    };

    Tokens issue(const QString &sessionId, const Session &session, int accessLifetimeSeconds);

    mutable QMutex m_mutex;
    QHash<QString, Session> m_sessions;          // by session id
    QHash<QString, QString> m_sessionByRefresh;  // refresh token -> session id
    QHash<QString, AccessGrant> m_grants;        // access token -> grant
};

} // namespace tenovos::sandbox
