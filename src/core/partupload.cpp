#include "partupload.h"

#include "filerangedevice.h"
#include "logging.h"
#include "networkpool.h"
#include "rawhttpput.h"
#include "replyerror.h"

#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

namespace tenovos {

namespace {

QByteArray userAgent()
{
#ifdef TENOVOS_VERSION_STRING
    return QByteArrayLiteral("TenovosUploader/" TENOVOS_VERSION_STRING);
#else
    return QByteArrayLiteral("TenovosUploader");
#endif
}

} // namespace

PartUpload::PartUpload(NetworkPool *pool, const PartSpec &spec, QObject *parent)
    : QObject(parent)
    , m_pool(pool)
    , m_spec(spec)
{
}

bool PartUpload::usesOwnConnection() const
{
    // QNetworkAccessManager would re-encode this URL and break its signature.
    if (!m_spec.url.survivesQUrl())
        return true;
    if (!m_spec.preferOwnConnection)
        return false;
    // A proxy may need authentication or other handling that only
    // QNetworkAccessManager offers.
    const QList<QNetworkProxy> proxies =
        QNetworkProxyFactory::proxyForQuery(QNetworkProxyQuery(m_spec.url.url()));
    return proxies.isEmpty() || proxies.constFirst().type() == QNetworkProxy::NoProxy;
}

PartUpload::~PartUpload()
{
    m_finished = true;
    releaseResources();
}

QString PartUpload::operation() const
{
    return QStringLiteral("PUT part %1 to %2").arg(m_spec.partNumber).arg(m_spec.url.redacted());
}

void PartUpload::start()
{
    const Result<HttpHeaderList> headers = m_spec.url.requiredHeaders(m_spec.objectId);
    if (!headers) {
        const ApiError error = headers.error();
        QMetaObject::invokeMethod(this, [this, error] { finish(error); }, Qt::QueuedConnection);
        return;
    }

    m_device = new FileRangeDevice(m_spec.filePath, m_spec.offset, m_spec.length, this);
    if (!m_device->open(QIODevice::ReadOnly)) {
        const ApiError error = ApiError::localFile(m_device->errorString());
        QMetaObject::invokeMethod(this, [this, error] { finish(error); }, Qt::QueuedConnection);
        return;
    }
    m_started.start();

    if (usesOwnConnection()) {
        qCDebug(lcUpload).noquote() << "Sending" << operation() << "over its own connection";
        m_raw = new RawHttpPut(m_spec.url, headers.value(), m_spec.contentType, m_device,
                               m_spec.timeoutMs, this);
        connect(m_raw, &RawHttpPut::progress, this, &PartUpload::progress);
        connect(m_raw, &RawHttpPut::finished, this, &PartUpload::handleRawResult);
        m_raw->start();
        return;
    }

    QNetworkRequest request(m_spec.url.url());
    request.setHeader(QNetworkRequest::ContentLengthHeader, m_spec.length);
    request.setHeader(QNetworkRequest::ContentTypeHeader, m_spec.contentType);
    request.setRawHeader("User-Agent", userAgent());
    for (const auto &header : headers.value())
        request.setRawHeader(header.first, header.second);
    request.setTransferTimeout(m_spec.timeoutMs);
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::ManualRedirectPolicy);
    // Parallel parts need parallel connections; HTTP/2 would multiplex them
    // over one.
    request.setAttribute(QNetworkRequest::Http2AllowedAttribute, false);

    m_network = m_pool->acquire();
    m_reply = m_network->put(request, m_device);
    connect(m_reply, &QNetworkReply::uploadProgress, this, [this](qint64 sent, qint64 total) {
        // Qt reports (0, 0) as a reply finishes; it is not progress.
        if (sent == 0 && total == 0)
            return;
        Q_EMIT progress(qMin(sent, m_spec.length), m_spec.length);
    });
    connect(m_reply, &QNetworkReply::finished, this, &PartUpload::handleReply);
}

void PartUpload::handleReply()
{
    QNetworkReply *reply = m_reply;
    if (!reply || m_finished)
        return;
    const QByteArray body = reply->isOpen() ? reply->readAll() : QByteArray();
    // abort() disconnects first, so a cancelled reply here hit the transfer
    // timeout.
    const bool timedOut = reply->error() == QNetworkReply::OperationCanceledError;
    const ApiError error =
        detail::errorFromReply(reply, body, timedOut, operation(), detail::ReplySource::S3);
    if (error.isError()) {
        finish(describe(error));
        return;
    }
    handleRawResult(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(),
                    reply->rawHeader("ETag"), body, ApiError());
}

void PartUpload::handleRawResult(int status, const QByteArray &etag, const QByteArray &body,
                                 const ApiError &transportError)
{
    if (m_finished)
        return;
    if (transportError.isError()) {
        finish(describe(transportError));
        return;
    }
    if (status < 200 || status >= 300) {
        // Only RawHttpPut reports error statuses here; QNetworkAccessManager's
        // go through handleReply().
        const QByteArray retryAfter = m_raw ? m_raw->responseHeader("Retry-After") : QByteArray();
        finish(describe(detail::errorFromHttpStatus(status, body, retryAfter, QString(),
                                                    operation(), detail::ReplySource::S3)));
        return;
    }
    if (etag.isEmpty()) {
        ApiError error = ApiError::malformed(operation(), tr("the storage accepted part %1 but "
                                                             "sent no ETag")
                                                              .arg(m_spec.partNumber));
        error.setUserMessage(tr("the storage accepted it but sent no ETag, which the upload needs "
                                "to finish. Retry the file."));
        error.setHttpStatus(status);
        // The storage accepted the bytes, so a second attempt usually succeeds.
        error.setRetryable(true);
        finish(error);
        return;
    }
    qCDebug(lcUpload).noquote() << operation() << "finished:" << m_spec.length << "bytes in"
                                << m_started.elapsed() << "ms";
    Q_EMIT progress(m_spec.length, m_spec.length);
    finish(etag);
}

ApiError PartUpload::describe(ApiError error) const
{
    // The task names the part and the file, so this message describes only
    // what went wrong with the PUT and what helps.
    if (error.kind() == ApiError::Kind::UrlExpired) {
        const QDateTime expiry = m_spec.url.expiresAt();
        const QString reason = error.errorCode().isEmpty()
            ? error.serverMessage()
            : error.errorCode() + QLatin1String(": ") + error.serverMessage();
        error.setUserMessage(expiry.isValid()
                                 ? tr("its upload links expired (%1; they were valid until %2 UTC). "
                                      "Retry starts the file again with new links.")
                                       .arg(reason, expiry.toString(Qt::ISODate))
                                 : tr("its upload links expired (%1). Retry starts the file again "
                                      "with new links.")
                                       .arg(reason));
    } else if (error.httpStatus() == 413) {
        // S3 rejects an oversized part with 400 EntityTooLarge, so a 413 comes
        // from a proxy or firewall between this computer and the storage.
        error.setUserMessage(tr("a proxy between this computer and the storage at %1 rejected the "
                                "%2-byte request as too large (HTTP 413). Its request body size "
                                "limit is likely lower than the part size: ask your network "
                                "administrator to raise the limit (for example nginx's "
                                "client_max_body_size) for %1.")
                                 .arg(m_spec.url.host(), QString::number(m_spec.length)));
    } else if (error.kind() == ApiError::Kind::Forbidden) {
        error.setUserMessage(tr("the storage refused its upload URL (%1: %2). Retry the file to "
                                "get new URLs.")
                                 .arg(error.errorCode().isEmpty() ? QStringLiteral("HTTP 403")
                                                                  : error.errorCode(),
                                      error.serverMessage()));
    } else if (error.kind() == ApiError::Kind::NotFound) {
        error.setUserMessage(tr("the storage has no record of this upload (%1). Retry the file to "
                                "start a new upload.")
                                 .arg(error.serverMessage()));
    } else if (error.kind() == ApiError::Kind::Network) {
        error.setUserMessage(tr("the connection to the storage at %1 failed (%2). Check your "
                                "network connection, then retry the file.")
                                 .arg(m_spec.url.host(), error.serverMessage()));
    } else if (error.kind() == ApiError::Kind::Timeout) {
        error.setUserMessage(tr("the storage at %1 did not respond in time. Check your network "
                                "connection, then retry the file.")
                                 .arg(m_spec.url.host()));
    } else if (error.kind() == ApiError::Kind::Server
               || error.kind() == ApiError::Kind::RateLimited
               || error.kind() == ApiError::Kind::InvalidRequest) {
        error.setUserMessage(tr("the storage responded with HTTP %1 (%2). Retry the file later.")
                                 .arg(error.httpStatus())
                                 .arg(error.serverMessage()));
    }
    return error;
}

void PartUpload::finish(const Result<QByteArray> &result)
{
    if (m_finished)
        return;
    m_finished = true;
    releaseResources();
    Q_EMIT finished(result);
}

void PartUpload::abort()
{
    if (m_finished)
        return;
    m_finished = true;
    releaseResources();
}

void PartUpload::releaseResources()
{
    if (m_reply) {
        QNetworkReply *reply = m_reply;
        m_reply = nullptr;
        disconnect(reply, nullptr, this, nullptr);
        if (reply->isRunning())
            reply->abort();
        reply->deleteLater();
    }
    if (m_raw) {
        m_raw->abort();
        m_raw->deleteLater();
        m_raw = nullptr;
    }
    if (m_network) {
        m_pool->release(m_network);
        m_network = nullptr;
    }
    if (m_device) {
        // The reply may still read from the device until it is deleted.
        m_device->setParent(nullptr);
        m_device->deleteLater();
        m_device = nullptr;
    }
}

} // namespace tenovos
