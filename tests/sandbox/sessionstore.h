#pragma once

#include <QDateTime>
#include <QHash>
#include <QJsonObject>
#include <QMutex>
#include <QString>

#include <functional>
#include <optional>

namespace tenovos::sandbox {

class StateReader;

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

    // Called after each change, with the store unlocked. Set before use.
    void setChangeHandler(std::function<void()> handler);
    // Every session and access token, for the state file.
    QJsonObject toState() const;
    // Replaces the sessions with those of toState(); on a problem, reader
    // records it and the store keeps what it had.
    void restoreState(const QJsonObject &state, StateReader *reader);
    int sessionCount() const;

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
    std::function<void()> m_changeHandler;
};

} // namespace tenovos::sandbox
