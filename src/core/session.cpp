#include "session.h"

#include "apicall.h"
#include "apiclient.h"
#include "logging.h"

#include <QDateTime>

#include <limits>
#include <utility>

namespace tenovos {

namespace {

// Delay before trying again after a renewal failed for a passing reason
// (network down, server busy).
constexpr int kRenewalRetryMs = 30000;

} // namespace

Session::Session(ApiClient *client, QObject *parent)
    : QObject(parent)
    , m_client(client)
{
    m_client->setSession(this);
    m_renewalTimer.setSingleShot(true);
    connect(&m_renewalTimer, &QTimer::timeout, this, [this] {
        qCInfo(lcSession) << "Renewing the access token before it expires";
        renew(this, [](const Result<void> &) {});
    });
}

Session::~Session()
{
    abortCalls();
}

void Session::settleRevocation()
{
    // A revocation under way is left to finish, but a new sign-in makes its
    // signedOut() come first.
    if (m_revokeCall) {
        m_revokeCall = nullptr;
        ++m_revocation;
        Q_EMIT signedOut();
    }
}

void Session::abortCalls()
{
    if (m_signInCall)
        m_signInCall->abort();
    if (m_renewCall)
        m_renewCall->abort();
}

void Session::signIn(const QString &username, const QString &password)
{
    abortCalls();
    settleRevocation();
    m_tokens = SessionTokens();
    m_renewalTimer.stop();
    m_username = username;
    qCInfo(lcSession).noquote() << "Signing in as" << username;

    m_signInCall = m_client->requestToken(
        username, password, this, [this, username](const Result<SessionTokens> &result) {
            if (!result) {
                ApiError error = result.error();
                const ApiError::Kind kind = error.kind();
                // The server's message usually ends with its own full stop.
                QString reason = error.serverMessage().trimmed();
                if (reason.endsWith(QLatin1Char('.')))
                    reason.chop(1);
                if (kind == ApiError::Kind::Unauthorized || kind == ApiError::Kind::InvalidRequest) {
                    error.setUserMessage(tr("Sign-in as %1 failed: %2. Check the user name and "
                                            "password.")
                                             .arg(username, reason));
                } else if (kind == ApiError::Kind::Forbidden) {
                    error.setUserMessage(tr("Tenovos refused the sign-in as %1: %2. Check the "
                                            "API key.")
                                             .arg(username, reason));
                } else {
                    error.setUserMessage(tr("Sign-in as %1 failed. %2")
                                             .arg(username, error.userMessage()));
                }
                qCWarning(lcSession).noquote() << "Sign-in as" << username
                                               << "failed:" << error.logMessage();
                Q_EMIT signInFailed(error);
                return;
            }
            adoptTokens(result.value());
            qCInfo(lcSession).noquote() << "Signed in as" << m_username;
            Q_EMIT signedIn(m_username);
            Q_EMIT refreshTokenChanged(m_username, m_tokens.refreshToken);
        });
}

void Session::signInWithRefreshToken(const QString &username, const QString &refreshToken)
{
    abortCalls();
    settleRevocation();
    m_tokens = SessionTokens();
    m_renewalTimer.stop();
    m_username = username;
    qCInfo(lcSession).noquote() << "Signing in as" << username << "with a saved refresh token";

    m_signInCall = m_client->refreshToken(
        QString(), refreshToken, this,
        [this, username, refreshToken](const Result<SessionTokens> &result) {
            if (!result) {
                ApiError error = result.error();
                if (!error.isRetryable()) {
                    error.setUserMessage(tr("The saved session of %1 has expired or was revoked "
                                            "(%2). Sign in with your password.")
                                             .arg(username, error.serverMessage()));
                } else {
                    error.setUserMessage(tr("Sign-in as %1 failed. %2")
                                             .arg(username, error.userMessage()));
                }
                qCWarning(lcSession).noquote() << "Sign-in with a refresh token as" << username
                                               << "failed:" << error.logMessage();
                Q_EMIT signInFailed(error);
                return;
            }
            SessionTokens tokens = result.value();
            if (tokens.refreshToken.isEmpty())
                tokens.refreshToken = refreshToken;
            adoptTokens(tokens);
            qCInfo(lcSession).noquote() << "Signed in as" << m_username << "with a refresh token";
            Q_EMIT signedIn(m_username);
            if (m_tokens.refreshToken != refreshToken)
                Q_EMIT refreshTokenChanged(m_username, m_tokens.refreshToken);
        });
}

void Session::signOut()
{
    abortCalls();
    m_renewalTimer.stop();
    const SessionTokens tokens = m_tokens;
    m_tokens = SessionTokens();

    ApiError reason(ApiError::Kind::Unauthorized, tr("You signed out of Tenovos. Sign in again."));
    reason.setRetryable(false);
    finishRenewal(reason);

    if (m_revokeCall)
        return; // signedOut follows when that revocation ends
    if (!tokens.isValid()) {
        QMetaObject::invokeMethod(this, &Session::signedOut, Qt::QueuedConnection);
        return;
    }

    qCInfo(lcSession).noquote() << "Signing out" << m_username;
    Q_EMIT refreshTokenChanged(m_username, QString());
    const int revocation = ++m_revocation;
    m_revokeCall = m_client->revokeToken(tokens, this, [this, revocation](const Result<void> &result) {
        if (revocation != m_revocation)
            return; // a sign-in already reported the end of this session
        m_revokeCall = nullptr;
        if (!result) {
            qCWarning(lcSession).noquote() << "Revoking the session failed:"
                                           << result.error().logMessage();
        }
        Q_EMIT signedOut();
    });
}

void Session::renew(QObject *context, std::function<void(const Result<void> &)> done)
{
    if (!isSignedIn()) {
        ApiError error(ApiError::Kind::Unauthorized,
                       tr("You are not signed in to Tenovos. Sign in, then try again."));
        error.setRetryable(false);
        QPointer<QObject> guard(context);
        QMetaObject::invokeMethod(
            this,
            [guard, done, error] {
                if (guard && done)
                    done(error);
            },
            Qt::QueuedConnection);
        return;
    }
    m_waiters.append(Waiter{QPointer<QObject>(context), std::move(done)});
    if (!m_renewCall)
        startRenewal();
}

void Session::startRenewal()
{
    m_renewalTimer.stop();
    const QString oldRefreshToken = m_tokens.refreshToken;
    m_renewCall = m_client->refreshToken(
        m_tokens.accessToken, m_tokens.refreshToken, this,
        [this, oldRefreshToken](const Result<SessionTokens> &result) {
            m_renewCall = nullptr;
            if (!result) {
                ApiError error = result.error();
                if (error.isRetryable()) {
                    qCWarning(lcSession).noquote() << "Renewing the session failed for now:"
                                                   << error.logMessage();
                    // Tried again also after the access token expired (a
                    // network outage, a laptop asleep): the refresh token
                    // may still be valid.
                    m_renewalTimer.start(kRenewalRetryMs);
                    finishRenewal(error);
                    return;
                }
                error.setUserMessage(tr("Your Tenovos session has expired and could not be "
                                        "renewed (%1). Sign in again.")
                                         .arg(error.serverMessage()));
                qCWarning(lcSession).noquote() << "Renewing the session failed:"
                                               << error.logMessage();
                // The session ends before the waiting calls learn of it, so
                // they see it signed out and can wait for a new sign-in.
                endSession(error);
                finishRenewal(error);
                return;
            }
            SessionTokens tokens = result.value();
            if (tokens.refreshToken.isEmpty())
                tokens.refreshToken = oldRefreshToken;
            adoptTokens(tokens);
            qCInfo(lcSession).noquote() << "Renewed the session of" << m_username;
            if (m_tokens.refreshToken != oldRefreshToken)
                Q_EMIT refreshTokenChanged(m_username, m_tokens.refreshToken);
            finishRenewal(Result<void>());
        });
}

void Session::finishRenewal(const Result<void> &result)
{
    const QList<Waiter> waiters = std::exchange(m_waiters, {});
    for (const Waiter &waiter : waiters) {
        if (waiter.context && waiter.done)
            waiter.done(result);
    }
}

void Session::adoptTokens(const SessionTokens &tokens)
{
    m_tokens = tokens;
    if (!tokens.username.isEmpty())
        m_username = tokens.username;
    m_tokens.username = m_username;
    scheduleRenewal();
}

void Session::scheduleRenewal()
{
    const qint64 remaining = m_tokens.expireEpoch - QDateTime::currentSecsSinceEpoch();
    if (remaining <= 0) {
        // Either the server's clock is ahead of ours or the token was born
        // expired; the first 401 renews it.
        qCWarning(lcSession) << "The access token is already expired by the local clock";
        m_renewalTimer.stop();
        return;
    }
    const qint64 margin = qMin<qint64>(m_renewalMarginSeconds, remaining / 2);
    const qint64 delaySeconds = qMax<qint64>(1, remaining - margin);
    const qint64 delayMs = qMin<qint64>(delaySeconds * 1000, std::numeric_limits<int>::max());
    m_renewalTimer.start(int(delayMs));
    qCDebug(lcSession) << "Renewing the access token in" << delaySeconds << "s";
}

void Session::endSession(const ApiError &reason)
{
    m_renewalTimer.stop();
    m_tokens = SessionTokens();
    Q_EMIT sessionExpired(reason);
    Q_EMIT signInFailed(reason);
    Q_EMIT refreshTokenChanged(m_username, QString());
    Q_EMIT signedOut();
}

} // namespace tenovos
