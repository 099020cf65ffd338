#include "rawhttpput.h"

#include "logging.h"

#include <QIODevice>
#include <QTcpSocket>
#ifndef QT_NO_SSL
#include <QSslSocket>
#endif

namespace tenovos {

namespace {

// The socket's write buffer is refilled below this many bytes, in chunks of
// kChunkSize, so memory stays bounded whatever the part size.
constexpr qint64 kWriteBufferTarget = 1024 * 1024;
constexpr qint64 kChunkSize = 256 * 1024;
// Error bodies from S3 are a few hundred bytes, so a larger response is not
// from S3.
constexpr qint64 kMaxResponseSize = 1024 * 1024;

QByteArray headerValue(const QByteArray &head, const QByteArray &name)
{
    const QByteArrayList lines = head.split('\n');
    for (qsizetype i = 1; i < lines.size(); ++i) {
        const QByteArray line = lines.at(i).trimmed();
        const int colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        if (line.left(colon).trimmed().compare(name, Qt::CaseInsensitive) == 0)
            return line.mid(colon + 1).trimmed();
    }
    return QByteArray();
}

// Decodes a complete chunked body; returns false while it is incomplete.
bool decodeChunked(const QByteArray &raw, QByteArray *decoded)
{
    decoded->clear();
    qsizetype position = 0;
    while (true) {
        const qsizetype lineEnd = raw.indexOf("\r\n", position);
        if (lineEnd < 0)
            return false;
        QByteArray sizeText = raw.mid(position, lineEnd - position);
        const int extension = sizeText.indexOf(';');
        if (extension >= 0)
            sizeText.truncate(extension);
        bool ok = false;
        const qsizetype size = sizeText.trimmed().toLongLong(&ok, 16);
        if (!ok)
            return false;
        position = lineEnd + 2;
        if (size == 0)
            return raw.indexOf("\r\n", position) >= 0;
        if (raw.size() < position + size + 2)
            return false;
        decoded->append(raw.mid(position, size));
        position += size + 2;
    }
}

} // namespace

RawHttpPut::RawHttpPut(const PresignedUrl &url, const HttpHeaderList &headers,
                       const QByteArray &contentType, QIODevice *body, int timeoutMs,
                       QObject *parent)
    : QObject(parent)
    , m_url(url)
    , m_headers(headers)
    , m_contentType(contentType)
    , m_body(body)
    , m_bodyLength(body ? body->size() : 0)
    , m_timeoutMs(timeoutMs)
{
    m_timeout.setSingleShot(true);
    connect(&m_timeout, &QTimer::timeout, this, [this] {
        fail(ApiError::Kind::Timeout, tr("no data moved for %1 s").arg(m_timeoutMs / 1000));
    });
}

RawHttpPut::~RawHttpPut()
{
    abort();
}

void RawHttpPut::start()
{
    const bool secure = m_url.scheme() == QLatin1String("https");
#ifndef QT_NO_SSL
    if (secure)
        m_socket = new QSslSocket(this);
    else
        m_socket = new QTcpSocket(this);
#else
    if (secure) {
        QMetaObject::invokeMethod(
            this, [this] { fail(ApiError::Kind::Network, tr("this build has no TLS support"), false); },
            Qt::QueuedConnection);
        return;
    }
    m_socket = new QTcpSocket(this);
#endif

    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        restartTimeout();
        const qint64 written = m_headLength + m_bodyQueued - m_socket->bytesToWrite();
        const qint64 sent = qBound<qint64>(0, written - m_headLength, m_bodyLength);
        if (sent > 0)
            Q_EMIT progress(sent, m_bodyLength);
        pumpBody();
    });
    connect(m_socket, &QTcpSocket::readyRead, this, &RawHttpPut::readResponse);
    connect(m_socket, &QTcpSocket::disconnected, this, [this] {
        if (m_done)
            return;
        // A response without Content-Length ends with the connection.
        if (m_headerEnd >= 0 && headerValue(m_response.left(m_headerEnd), "Content-Length").isEmpty()
            && headerValue(m_response.left(m_headerEnd), "Transfer-Encoding").isEmpty()) {
            complete();
            return;
        }
        fail(ApiError::Kind::Network, tr("the storage closed the connection before it responded"));
    });
    connect(m_socket, &QTcpSocket::errorOccurred, this, [this](QAbstractSocket::SocketError error) {
        if (m_done)
            return;
        if (error == QAbstractSocket::RemoteHostClosedError)
            return; // handled by disconnected
        fail(error == QAbstractSocket::SocketTimeoutError ? ApiError::Kind::Timeout
                                                          : ApiError::Kind::Network,
             m_socket->errorString(),
             // A certificate the system does not trust stays untrusted.
             error != QAbstractSocket::SslHandshakeFailedError);
    });

    const quint16 port = quint16(m_url.port(secure ? 443 : 80));
#ifndef QT_NO_SSL
    if (secure) {
        auto *ssl = static_cast<QSslSocket *>(m_socket);
        connect(ssl, &QSslSocket::encrypted, this, &RawHttpPut::sendHead);
        ssl->connectToHostEncrypted(m_url.host(), port);
    } else
#endif
    {
        connect(m_socket, &QTcpSocket::connected, this, &RawHttpPut::sendHead);
        m_socket->connectToHost(m_url.host(), port);
    }
    restartTimeout();
}

void RawHttpPut::sendHead()
{
    const bool secure = m_url.scheme() == QLatin1String("https");
    QByteArray host = m_url.url().host(QUrl::FullyEncoded).toLatin1();
    if (host.contains(':'))
        host = '[' + host + ']';
    const int port = m_url.port(-1);
    if (port >= 0 && port != (secure ? 443 : 80))
        host += ':' + QByteArray::number(port);

    QByteArray head;
    head.reserve(1024);
    head += "PUT " + m_url.requestTarget() + " HTTP/1.1\r\n";
    head += "Host: " + host + "\r\n";
    head += "Content-Length: " + QByteArray::number(m_bodyLength) + "\r\n";
    head += "Content-Type: " + m_contentType + "\r\n";
    for (const auto &header : m_headers)
        head += header.first + ": " + header.second + "\r\n";
    head += "Connection: close\r\n\r\n";

    m_headLength = head.size();
    m_socket->write(head);
    pumpBody();
}

void RawHttpPut::pumpBody()
{
    if (m_done || m_status > 0 || !m_socket || m_headLength == 0)
        return;
    while (m_bodyQueued < m_bodyLength && m_socket->bytesToWrite() < kWriteBufferTarget) {
        if (!m_body) {
            fail(ApiError::Kind::LocalFile, tr("the file was closed during the upload"));
            return;
        }
        const qint64 wanted = qMin(kChunkSize, m_bodyLength - m_bodyQueued);
        QByteArray chunk(wanted, Qt::Uninitialized);
        const qint64 read = m_body->read(chunk.data(), wanted);
        if (read <= 0) {
            fail(ApiError::Kind::LocalFile, m_body->errorString());
            return;
        }
        m_socket->write(chunk.constData(), read);
        m_bodyQueued += read;
    }
}

void RawHttpPut::readResponse()
{
    restartTimeout();
    m_response += m_socket->readAll();
    if (m_response.size() > kMaxResponseSize) {
        fail(ApiError::Kind::MalformedResponse, tr("the storage's response is too large"));
        return;
    }
    if (parseResponse())
        complete();
}

bool RawHttpPut::parseResponse()
{
    while (m_headerEnd < 0) {
        const qsizetype end = m_response.indexOf("\r\n\r\n");
        if (end < 0)
            return false;
        const QByteArray statusLine = m_response.left(m_response.indexOf("\r\n"));
        const QByteArrayList parts = statusLine.split(' ');
        const int status = parts.size() >= 2 ? parts.at(1).toInt() : 0;
        if (!statusLine.startsWith("HTTP/1.") || status < 100) {
            fail(ApiError::Kind::MalformedResponse, tr("the storage's response is not HTTP"));
            return false;
        }
        if (status == 100) {
            // An interim response, which the final one follows.
            m_response.remove(0, end + 4);
            continue;
        }
        m_status = status;
        m_headerEnd = end + 4;
    }

    const QByteArray head = m_response.left(m_headerEnd);
    const QByteArray contentLength = headerValue(head, "Content-Length");
    if (!contentLength.isEmpty())
        return m_response.size() - m_headerEnd >= contentLength.toLongLong();
    if (headerValue(head, "Transfer-Encoding").toLower().contains("chunked")) {
        QByteArray decoded;
        return decodeChunked(m_response.mid(m_headerEnd), &decoded);
    }
    return false; // the body ends when the connection closes
}

void RawHttpPut::complete()
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();

    const QByteArray head = m_response.left(m_headerEnd);
    QByteArray body = m_response.mid(m_headerEnd);
    if (headerValue(head, "Transfer-Encoding").toLower().contains("chunked")) {
        QByteArray decoded;
        decodeChunked(body, &decoded);
        body = decoded;
    }
    const QByteArray etag = headerValue(head, "ETag");
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    if (m_status >= 200 && m_status < 300)
        Q_EMIT progress(m_bodyLength, m_bodyLength);
    Q_EMIT finished(m_status, etag, body, ApiError());
}

void RawHttpPut::fail(ApiError::Kind kind, const QString &detail, bool retryable)
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
    ApiError error(kind, ApiError::defaultUserMessage(kind, 0, detail));
    error.setServerMessage(detail);
    error.setOperation(QStringLiteral("PUT ") + m_url.redacted());
    error.setRetryable(retryable && kind != ApiError::Kind::LocalFile
                       && kind != ApiError::Kind::MalformedResponse);
    qCDebug(lcUpload).noquote() << "PUT to" << m_url.redacted() << "failed:" << error.logMessage();
    Q_EMIT finished(0, QByteArray(), QByteArray(), error);
}

QByteArray RawHttpPut::responseHeader(const QByteArray &name) const
{
    if (m_headerEnd < 0)
        return QByteArray();
    return headerValue(m_response.left(m_headerEnd), name);
}

void RawHttpPut::abort()
{
    if (m_done)
        return;
    m_done = true;
    m_timeout.stop();
    if (m_socket) {
        disconnect(m_socket, nullptr, this, nullptr);
        m_socket->abort();
    }
}

void RawHttpPut::restartTimeout()
{
    if (!m_done && m_timeoutMs > 0)
        m_timeout.start(m_timeoutMs);
}

} // namespace tenovos
