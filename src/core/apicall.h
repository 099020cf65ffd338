#pragma once

#include "apitypes.h"
#include "result.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QJsonValue>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

QT_BEGIN_NAMESPACE
class QNetworkReply;
QT_END_NAMESPACE

namespace tenovos {

class ApiClient;

// One REST call in flight, created by ApiClient. It sends the request,
// retries what the retry policy allows, renews the session once after a 401
// and repeats the request, then runs the caller's callback exactly once and
// deletes itself. abort() ends it without running the callback.
class ApiCall : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiCall)

public:
    // Retry policy: the failures after which a call may be sent again
    // without risking a duplicate effect on the server.
    enum class RetryPolicy {
        // Reads, token calls and revocation: retry network errors, timeouts,
        // 408, 429, 500, 502, 503 and 504.
        Idempotent,
        // Creating assets and completing uploads: retry only when the
        // server cannot have acted (connection refused, host not found,
        // 429, 503).
        NotIdempotent,
    };

    ~ApiCall() override;

    // "POST /v1/assets/asset": method and URL path, for logs.
    QString operation() const { return m_operation; }

    bool isFinished() const { return m_finished; }

public Q_SLOTS:
    // Stops the call; its callback will not run.
    void abort();

Q_SIGNALS:
    // Emitted once, after the callback ran or after abort().
    void finished();

private:
    friend class ApiClient;

    struct Spec
    {
        QByteArray method;
        QString path; // below the base URL, percent-encoded
        QByteArray body;
        bool authenticated = true;
        std::optional<SessionTokens> tokens; // overrides the session's tokens (revocation)
        RetryPolicy retryPolicy = RetryPolicy::Idempotent;
        // Upload work waits out a network outage (see
        // ApiClient::setOutageTolerance()); a sign-in or a form's look-up
        // reports it at once.
        bool waitsOutOutage = false;
    };

    ApiCall(ApiClient *client, const Spec &spec);

    void start();
    void send();
    void handleReply();
    void handleFailure(const ApiError &error);
    void scheduleRetry(const ApiError &error);
    // Whether the call is still within the client's outage tolerance.
    bool withinOutage(const ApiError &error);
    bool mayRetry(const ApiError &error, QNetworkReply *reply) const;
    void finish(const Result<QJsonValue> &result);

    QPointer<ApiClient> m_client;
    Spec m_spec;
    QString m_operation;
    std::function<void(const Result<QJsonValue> &)> m_handler;
    QPointer<QNetworkReply> m_reply;
    QTimer m_retryTimer;
    QElapsedTimer m_sentAt;
    QElapsedTimer m_outageSince; // valid while every attempt reached no server
    int m_attempt = 0;
    bool m_renewedSession = false;
    bool m_abortedByCaller = false;
    bool m_finished = false;
    bool m_lastFailureWasConnect = false;
};

} // namespace tenovos
