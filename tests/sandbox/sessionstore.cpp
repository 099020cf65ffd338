#include "sessionstore.h"

#include "statechangenotice.h"
#include "statereader.h"

#include <QCryptographicHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QUuid>

namespace tenovos::sandbox {

namespace {

QByteArray randomBytes(int count)
{
    QByteArray bytes(count, Qt::Uninitialized);
    QRandomGenerator::system()->fillRange(reinterpret_cast<quint32 *>(bytes.data()), count / 4);
    return bytes;
}

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

// Builds a JWT-shaped token (header.payload.signature) like the Cognito tokens
// Tenovos hands out. Only the sandbox reads it back, by exact comparison.
QString makeJwt(const QJsonObject &claims)
{
    static const QByteArray signingKey = randomBytes(32);
    const QByteArray header = base64Url(QJsonDocument(QJsonObject{{QStringLiteral("alg"), QStringLiteral("HS256")},
                                                                   {QStringLiteral("typ"), QStringLiteral("JWT")}})
                                            .toJson(QJsonDocument::Compact));
    const QByteArray payload = base64Url(QJsonDocument(claims).toJson(QJsonDocument::Compact));
    const QByteArray signature = base64Url(
        QMessageAuthenticationCode::hash(header + '.' + payload, signingKey, QCryptographicHash::Sha256));
    return QString::fromLatin1(header + '.' + payload + '.' + signature);
}

} // namespace

SessionStore::Tokens SessionStore::signIn(const QString &username, int accessLifetimeSeconds,
                                          int refreshLifetimeSeconds)
{
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    notice.markChanged();
    const QString sessionId = QUuid::createUuid().toString(QUuid::WithoutBraces);
    Session session;
    session.username = username;
    session.refreshToken = QString::fromLatin1(base64Url(randomBytes(96)));
    session.refreshExpiresAt = QDateTime::currentDateTimeUtc().addSecs(refreshLifetimeSeconds);
    m_sessions.insert(sessionId, session);
    m_sessionByRefresh.insert(session.refreshToken, sessionId);
    return issue(sessionId, session, accessLifetimeSeconds);
}

std::optional<SessionStore::Tokens> SessionStore::refresh(const QString &refreshToken, int accessLifetimeSeconds)
{
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    const QString sessionId = m_sessionByRefresh.value(refreshToken);
    const auto it = m_sessions.constFind(sessionId);
    if (sessionId.isEmpty() || it == m_sessions.constEnd())
        return std::nullopt;
    if (it->revoked || QDateTime::currentDateTimeUtc() >= it->refreshExpiresAt)
        return std::nullopt;
    notice.markChanged();
    return issue(sessionId, *it, accessLifetimeSeconds);
}

SessionStore::Tokens SessionStore::issue(const QString &sessionId, const Session &session, int accessLifetimeSeconds)
{
    const QDateTime now = QDateTime::currentDateTimeUtc();
    const QDateTime expiresAt = now.addSecs(accessLifetimeSeconds);
    const QString jti = QUuid::createUuid().toString(QUuid::WithoutBraces);

    Tokens tokens;
    tokens.accessToken = makeJwt({{QStringLiteral("sub"), sessionId},
                                  {QStringLiteral("token_use"), QStringLiteral("access")},
                                  {QStringLiteral("username"), session.username},
                                  {QStringLiteral("iat"), now.toSecsSinceEpoch()},
                                  {QStringLiteral("exp"), expiresAt.toSecsSinceEpoch()},
                                  {QStringLiteral("jti"), jti}});
    tokens.authorization = makeJwt({{QStringLiteral("sub"), sessionId},
                                    {QStringLiteral("token_use"), QStringLiteral("id")},
                                    {QStringLiteral("email"), session.username},
                                    {QStringLiteral("iat"), now.toSecsSinceEpoch()},
                                    {QStringLiteral("exp"), expiresAt.toSecsSinceEpoch()},
                                    {QStringLiteral("jti"), jti}});
    tokens.refreshToken = session.refreshToken;
    tokens.expireEpoch = expiresAt.toSecsSinceEpoch();
    m_grants.insert(tokens.accessToken, {tokens.authorization, sessionId, expiresAt});
    return tokens;
}

SessionStore::Check SessionStore::check(const QString &authorization, const QString &accessToken) const
{
    if (authorization.isEmpty() || accessToken.isEmpty())
        return Check::Missing;
    QMutexLocker locker(&m_mutex);
    const auto grant = m_grants.constFind(accessToken);
    if (grant == m_grants.constEnd())
        return Check::Unknown;
    if (grant->authorization != authorization)
        return Check::Mismatch;
    if (m_sessions.value(grant->sessionId).revoked)
        return Check::Revoked;
    if (QDateTime::currentDateTimeUtc() >= grant->expiresAt)
        return Check::Expired;
    return Check::Valid;
}

bool SessionStore::revoke(const QString &accessToken, const QString &refreshToken)
{
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    QString sessionId = m_grants.value(accessToken).sessionId;
    if (sessionId.isEmpty())
        sessionId = m_sessionByRefresh.value(refreshToken);
    const auto it = m_sessions.find(sessionId);
    if (sessionId.isEmpty() || it == m_sessions.end())
        return false;
    it->revoked = true;
    notice.markChanged();
    return true;
}

void SessionStore::setChangeHandler(std::function<void()> handler)
{
    m_changeHandler = std::move(handler);
}

QJsonObject SessionStore::toState() const
{
    QMutexLocker locker(&m_mutex);
    QJsonArray sessions;
    for (auto it = m_sessions.cbegin(); it != m_sessions.cend(); ++it) {
        sessions.append(QJsonObject{{QStringLiteral("id"), it.key()},
                                    {QStringLiteral("username"), it->username},
                                    {QStringLiteral("refreshToken"), it->refreshToken},
                                    {QStringLiteral("refreshExpiresAtMs"), it->refreshExpiresAt.toMSecsSinceEpoch()},
                                    {QStringLiteral("revoked"), it->revoked}});
    }
    QJsonArray grants;
    for (auto it = m_grants.cbegin(); it != m_grants.cend(); ++it) {
        grants.append(QJsonObject{{QStringLiteral("accessToken"), it.key()},
                                  {QStringLiteral("authorization"), it->authorization},
                                  {QStringLiteral("sessionId"), it->sessionId},
                                  {QStringLiteral("expiresAtMs"), it->expiresAt.toMSecsSinceEpoch()}});
    }
    return QJsonObject{{QStringLiteral("sessions"), sessions}, {QStringLiteral("accessTokens"), grants}};
}

void SessionStore::restoreState(const QJsonObject &state, StateReader *reader)
{
    QHash<QString, Session> sessions;
    QHash<QString, QString> sessionByRefresh;
    QHash<QString, AccessGrant> grants;

    const QJsonArray sessionList = reader->array(state, QStringLiteral("sessions"), "sessions");
    for (qsizetype i = 0; i < sessionList.size() && reader->ok(); ++i) {
        const QString path = QStringLiteral("sessions.sessions[%1]").arg(i);
        const QJsonObject item = reader->element(sessionList, i, QStringLiteral("sessions.sessions"));
        const QString id = reader->string(item, path, "id", true);
        Session session;
        session.username = reader->string(item, path, "username", true);
        session.refreshToken = reader->string(item, path, "refreshToken", true);
        session.refreshExpiresAt = QDateTime::fromMSecsSinceEpoch(reader->integer(item, path, "refreshExpiresAtMs"), Qt::UTC);
        session.revoked = reader->boolean(item, path, "revoked");
        if (reader->ok() && sessions.contains(id))
            reader->fail(path + QStringLiteral(".id"), QStringLiteral("repeats session id %1").arg(id));
        sessions.insert(id, session);
        sessionByRefresh.insert(session.refreshToken, id);
    }

    const QJsonArray grantList = reader->array(state, QStringLiteral("sessions"), "accessTokens");
    for (qsizetype i = 0; i < grantList.size() && reader->ok(); ++i) {
        const QString path = QStringLiteral("sessions.accessTokens[%1]").arg(i);
        const QJsonObject item = reader->element(grantList, i, QStringLiteral("sessions.accessTokens"));
        const QString accessToken = reader->string(item, path, "accessToken", true);
        AccessGrant grant;
        grant.authorization = reader->string(item, path, "authorization", true);
        grant.sessionId = reader->string(item, path, "sessionId", true);
        grant.expiresAt = QDateTime::fromMSecsSinceEpoch(reader->integer(item, path, "expiresAtMs"), Qt::UTC);
        if (reader->ok() && !sessions.contains(grant.sessionId))
            reader->fail(path + QStringLiteral(".sessionId"), QStringLiteral("names no session in sessions.sessions"));
        grants.insert(accessToken, grant);
    }
    if (!reader->ok())
        return;

    QMutexLocker locker(&m_mutex);
    m_sessions = sessions;
    m_sessionByRefresh = sessionByRefresh;
    m_grants = grants;
}

int SessionStore::sessionCount() const
{
    QMutexLocker locker(&m_mutex);
    return static_cast<int>(m_sessions.size());
}

} // namespace tenovos::sandbox
