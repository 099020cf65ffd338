#include "apicall.h"

#include "apiclient.h"
#include "logging.h"
#include "replyerror.h"
#include "session.h"

#include <QIODevice>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>

namespace tenovos {

namespace {

// A request body that can be read once and never rewound. When a kept-alive
// connection closes before any response arrives, QNetworkAccessManager sends
// the request again on a new connection, unseen by the caller, but only when
// it can rewind the body. A create that reached the server could
// then make a second asset. With this body the reply fails with
// ContentReSendError instead, and the caller decides what to do.
class OneShotBody : public QIODevice
{
public:
    OneShotBody(const QByteArray &data, QObject *parent)
        : QIODevice(parent)
        , m_data(data)
    {
        open(QIODevice::ReadOnly);
    }

    bool isSequential() const override { return true; }
    bool reset() override { return false; }
    qint64 bytesAvailable() const override
    {
        return m_data.size() - m_position + QIODevice::bytesAvailable();
    }

protected:
    qint64 readData(char *data, qint64 maxSize) override
    {
        const qint64 count = qMin(maxSize, qint64(m_data.size()) - m_position);
        if (count <= 0)
            return m_position >= m_data.size() ? -1 : 0;
        memcpy(data, m_data.constData() + m_position, size_t(count));
        m_position += count;
        return count;
    }
    qint64 writeData(const char *, qint64) override { return -1; }

private:
    QByteArray m_data;
    qint64 m_position = 0;
};

} // namespace

ApiCall::ApiCall(ApiClient *client, const Spec &spec)
    : QObject(client)
    , m_client(client)
    , m_spec(spec)
{
    m_operation = QString::fromLatin1(spec.method) + QLatin1Char(' ')
        + client->endpointUrl(spec.path).path();
    m_retryTimer.setSingleShot(true);
    connect(&m_retryTimer, &QTimer::timeout, this, &ApiCall::send);
}

ApiCall::~ApiCall()
{
    if (m_reply) {
        disconnect(m_reply, nullptr, this, nullptr);
        m_reply->abort();
        m_reply->deleteLater();
    }
}

void ApiCall::start()
{
    if (!m_client->baseUrl().isValid() || m_client->baseUrl().isEmpty()) {
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("No Tenovos API URL is set. Enter the API URL of your tenant, such as "
                          "https://api.tenovos.io/v1."));
        error.setOperation(m_operation);
        error.setRetryable(false);
        // Deliver asynchronously, like every other outcome, so the caller can
        // store the returned call before its callback runs.
        QMetaObject::invokeMethod(this, [this, error] { finish(error); }, Qt::QueuedConnection);
        return;
    }
    send();
}

void ApiCall::send()
{
    if (m_finished || !m_client)
        return;

    const bool needsSession = m_spec.authenticated && !m_spec.tokens.has_value();
    if (needsSession && (!m_client->session() || !m_client->session()->isSignedIn())) {
        ApiError error(ApiError::Kind::Unauthorized,
                       tr("You are not signed in to Tenovos. Sign in, then try again."));
        error.setOperation(m_operation);
        error.setRetryable(false);
        QMetaObject::invokeMethod(this, [this, error] { finish(error); }, Qt::QueuedConnection);
        return;
    }

    ++m_attempt;
    QNetworkRequest request = m_client->buildRequest(m_spec);
    QNetworkAccessManager *network = m_client->networkAccessManager();
    QNetworkReply *reply = nullptr;
    if (m_spec.method == "GET") {
        reply = network->get(request);
    } else if (m_spec.method == "POST" && m_spec.retryPolicy == RetryPolicy::NotIdempotent) {
        request.setHeader(QNetworkRequest::ContentLengthHeader, m_spec.body.size());
        request.setAttribute(QNetworkRequest::DoNotBufferUploadDataAttribute, true);
        auto *body = new OneShotBody(m_spec.body, nullptr);
        reply = network->post(request, body);
        body->setParent(reply);
    } else if (m_spec.method == "POST") {
        reply = network->post(request, m_spec.body);
    } else if (m_spec.method == "DELETE") {
        reply = network->deleteResource(request);
    } else {
        reply = network->sendCustomRequest(request, m_spec.method, m_spec.body);
    }

    m_reply = reply;
    m_sentAt.start();
    connect(reply, &QNetworkReply::finished, this, &ApiCall::handleReply);
    qCDebug(lcApi).noquote() << "Sent" << m_operation << "attempt" << m_attempt;
}

void ApiCall::handleReply()
{
    QNetworkReply *reply = m_reply;
    m_reply = nullptr;
    if (!reply)
        return;
    reply->deleteLater();
    if (m_finished)
        return;

    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    // abort() disconnects before aborting, so a cancelled reply seen here was
    // cancelled by the transfer timeout.
    const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError;
    const ApiError error =
        detail::errorFromReply(reply, body, timedOut, m_operation, detail::ReplySource::RestApi);
    qCDebug(lcApi).noquote() << m_operation << "responded"
                             << reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt()
                             << "after" << m_sentAt.elapsed() << "ms";

    if (error.isError()) {
        m_lastFailureWasConnect = reply->error() == QNetworkReply::ConnectionRefusedError
            || reply->error() == QNetworkReply::HostNotFoundError;
        handleFailure(error);
        return;
    }

    if (body.trimmed().isEmpty()) {
        finish(QJsonValue());
        return;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(body, &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        finish(ApiError::malformed(
            m_operation,
            tr("the response is not valid JSON: %1 at byte %2")
                .arg(parseError.errorString())
                .arg(parseError.offset)));
        return;
    }
    finish(document.isArray() ? QJsonValue(document.array()) : QJsonValue(document.object()));
}

void ApiCall::handleFailure(const ApiError &error)
{
    Session *session = m_client ? m_client->session() : nullptr;
    const bool usesSession = m_spec.authenticated && !m_spec.tokens.has_value();
    if (error.kind() == ApiError::Kind::Unauthorized && usesSession && session
        && !m_renewedSession) {
        m_renewedSession = true;
        qCInfo(lcApi).noquote() << m_operation
                                << "returned 401; renewing the session and repeating the call";
        session->renew(this, [this](const Result<void> &renewed) {
            if (renewed) {
                send();
            } else if (renewed.error().isRetryable() && m_client
                       && m_attempt <= m_client->maxRetries()) {
                // The renewal failed for a passing reason: the repeated call
                // may renew again on its 401.
                m_renewedSession = false;
                scheduleRetry(renewed.error());
            } else {
                finish(renewed.error());
            }
        });
        return;
    }

    if (m_client && mayRetry(error, nullptr)
        && (m_attempt <= m_client->maxRetries() || withinOutage(error))) {
        scheduleRetry(error);
        return;
    }
    qCDebug(lcApi).noquote() << "Giving up on" << m_operation << "after" << m_attempt
                             << "attempts:" << error.logMessage();
    finish(error);
}

bool ApiCall::mayRetry(const ApiError &error, QNetworkReply *) const
{
    if (!error.isRetryable())
        return false;
    if (m_spec.retryPolicy == RetryPolicy::Idempotent)
        return true;
    // The server cannot have acted on a request it never received, or on one
    // it turned away with 429 or 503.
    return m_lastFailureWasConnect || error.httpStatus() == 429 || error.httpStatus() == 503;
}

bool ApiCall::withinOutage(const ApiError &error)
{
    if (!m_spec.waitsOutOutage || !ApiClient::isOutage(error)) {
        m_outageSince.invalidate();
        return false;
    }
    if (!m_outageSince.isValid())
        m_outageSince.start();
    return m_outageSince.elapsed() < m_client->outageTolerance();
}

void ApiCall::scheduleRetry(const ApiError &error)
{
    const int delay = m_attempt > m_client->maxRetries()
        ? m_client->outageRetryDelay(m_attempt)
        : m_client->retryDelay(m_attempt, error.retryAfterSeconds());
    qCInfo(lcApi).noquote() << "Retrying" << m_operation << "in" << delay << "ms (attempt"
                            << m_attempt + 1 << "of" << m_client->maxRetries() + 1
                            << "):" << error.logMessage();
    m_retryTimer.start(delay);
}

void ApiCall::finish(const Result<QJsonValue> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    m_retryTimer.stop();
    const auto handler = std::move(m_handler);
    m_handler = nullptr;
    if (handler)
        handler(result);
    Q_EMIT finished();
    deleteLater();
}

void ApiCall::abort()
{
    if (m_finished)
        return;
    m_abortedByCaller = true;
    m_finished = true;
    m_retryTimer.stop();
    m_handler = nullptr;
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        reply->abort();
        reply->deleteLater();
    }
    qCDebug(lcApi).noquote() << "Aborted" << m_operation;
    Q_EMIT finished();
    deleteLater();
}

} // namespace tenovos
