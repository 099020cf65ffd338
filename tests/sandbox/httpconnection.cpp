#include "httpconnection.h"

#include "sandboxcontext.h"
#include "sandboxlogging.h"

#include <QDateTime>
#include <QLocale>
#include <QTcpSocket>
#include <QTimer>

#include <chrono>

namespace tenovos::sandbox {

namespace {

// Bytes read from the socket (and written to disk) at a time, and the max
// the socket buffers. Beyond that TCP flow control makes the client wait.
constexpr qint64 chunkSize = 256 * 1024;
constexpr qint64 socketReadBufferSize = 256 * 1024;
// Bytes of a streamed response queued in the socket before waiting for bytesWritten.
constexpr qint64 streamWriteWatermark = 1024 * 1024;
constexpr qint64 maxHeaderBytes = 64 * 1024;
// JSON bodies are small; anything larger is refused with 413.
constexpr qint64 maxJsonBodyBytes = 1024 * 1024;

QByteArray httpDate()
{
    return QLocale::c()
        .toString(QDateTime::currentDateTimeUtc(), QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
        .toLatin1();
}

} // namespace

HttpConnection::HttpConnection(qintptr socketDescriptor, std::shared_ptr<SandboxContext> context, QObject *parent)
    : QObject(parent)
    , m_socket(new QTcpSocket(this))
    , m_context(context)
    , m_router(context)
    , m_gateway(context)
{
    m_chunk.resize(chunkSize);
    if (!m_socket->setSocketDescriptor(socketDescriptor)) {
        qCWarning(lcSandbox) << "Could not take over an accepted connection:" << m_socket->errorString();
        m_phase = Phase::Closed;
        return;
    }
    m_socket->setReadBufferSize(socketReadBufferSize);
    m_socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);

    connect(m_socket, &QTcpSocket::readyRead, this, &HttpConnection::processInput);
    connect(m_socket, &QTcpSocket::bytesWritten, this, [this] {
        if (m_phase == Phase::Streaming)
            streamMore();
    });
    connect(m_socket, &QTcpSocket::disconnected, this, &HttpConnection::onDisconnected);

    // Data may have arrived before the signals were connected.
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

HttpConnection::~HttpConnection()
{
    discardPartFile();
}

bool HttpConnection::isOpen() const
{
    return m_phase != Phase::Closed;
}

void HttpConnection::drop()
{
    closeWithoutResponse("server closed");
    // A connection that was already closing after its last response goes too.
    m_socket->abort();
    deleteLater();
}

void HttpConnection::processInput()
{
    while (!m_paused) {
        switch (m_phase) {
        case Phase::Headers:
            if (!readHeaders())
                return;
            startRequest();
            break;
        case Phase::Body:
            if (!readBody())
                return;
            finishBody();
            break;
        case Phase::Waiting:
        case Phase::Streaming:
        case Phase::Closed:
            return;
        }
    }
}

bool HttpConnection::readHeaders()
{
    while (m_socket->canReadLine()) {
        QByteArray line = m_socket->readLine();
        m_headerBytes += line.size();
        if (m_headerBytes > maxHeaderBytes) {
            rejectBeforeBody(HttpResponse::jsonError(431, QStringLiteral("The request header exceeds 64 KiB.")));
            return false;
        }
        while (line.endsWith('\n') || line.endsWith('\r'))
            line.chop(1);

        if (m_request.method.isEmpty()) {
            if (line.isEmpty())
                continue; // blank lines before a request line are allowed
            const QList<QByteArray> parts = line.split(' ');
            if (parts.size() != 3 || !parts.at(2).startsWith("HTTP/1.") || !parts.at(1).startsWith('/')) {
                m_request.method = "?";
                rejectBeforeBody(HttpResponse::jsonError(400, QStringLiteral("Malformed HTTP request line.")));
                return false;
            }
            m_requestStarted = true;
            m_timer.start();
            m_request.method = parts.at(0);
            m_request.target = parts.at(1);
            m_request.minorVersion = parts.at(2) == "HTTP/1.0" ? 0 : 1;
            const qsizetype questionMark = m_request.target.indexOf('?');
            m_request.path = questionMark < 0 ? m_request.target : m_request.target.left(questionMark);
            m_request.query = questionMark < 0 ? QByteArray() : m_request.target.mid(questionMark + 1);
            continue;
        }
        if (line.isEmpty())
            return true;
        if (!parseHeaderLine(line)) {
            rejectBeforeBody(HttpResponse::jsonError(400, QStringLiteral("Malformed HTTP header line.")));
            return false;
        }
    }
    // A full read buffer without a line end means a line longer than the buffer.
    if (m_socket->bytesAvailable() >= socketReadBufferSize) {
        if (m_request.method.isEmpty())
            m_request.method = "?";
        rejectBeforeBody(HttpResponse::jsonError(431, QStringLiteral("A request header line is too long.")));
    }
    return false;
}

bool HttpConnection::parseHeaderLine(const QByteArray &line)
{
    const qsizetype colon = line.indexOf(':');
    if (colon <= 0 || line.at(0) == ' ' || line.at(0) == '\t')
        return false;
    m_request.headers.append({line.left(colon).trimmed(), line.mid(colon + 1).trimmed()});
    return true;
}

void HttpConnection::startRequest()
{
    const QByteArray contentLength = m_request.header("Content-Length");
    if (!contentLength.isNull()) {
        bool ok = false;
        m_request.contentLength = contentLength.toLongLong(&ok);
        if (!ok || m_request.contentLength < 0) {
            rejectBeforeBody(HttpResponse::jsonError(400, QStringLiteral("Invalid Content-Length header.")));
            return;
        }
    }
    const QByteArray transferEncoding = m_request.header("Transfer-Encoding").toLower();
    m_request.chunked = transferEncoding.contains("chunked");
    if (!transferEncoding.isEmpty() && !m_request.chunked) {
        rejectBeforeBody(HttpResponse::jsonError(501, QStringLiteral("Only the chunked transfer coding is supported.")));
        return;
    }
    if (m_request.chunked && m_request.contentLength >= 0) {
        rejectBeforeBody(HttpResponse::jsonError(400, QStringLiteral("Content-Length and Transfer-Encoding exclude each other.")));
        return;
    }
    m_request.expectContinue = m_request.header("Expect").toLower() == "100-continue";
    m_isPut = m_request.method == "PUT" && S3Gateway::isContentStorePath(m_request.path);

    std::optional<FaultRule> fault;
    if (m_isPut) {
        m_gateway.countPut(m_request);
        fault = m_context->faults.fire(FaultRule::Kind::Put, S3Gateway::partNumber(m_request));
    }
    else if (const auto kind = ApiRouter::faultKind(m_request))
        fault = m_context->faults.fire(*kind, 0);
    applyFaultBeforeBody(fault);
}

void HttpConnection::applyFaultBeforeBody(const std::optional<FaultRule> &fault)
{
    if (!fault) {
        beginBody();
        return;
    }
    logFault(*fault);
    switch (fault->action) {
    case FaultRule::Action::Drop:
        if (fault->argument == 0) {
            closeWithoutResponse("dropped by fault");
            return;
        }
        m_dropAfterBytes = fault->argument;
        beginBody();
        return;
    case FaultRule::Action::Stall:
        pause(fault->argument, [this] { beginBody(); });
        return;
    case FaultRule::Action::NoEtag:
        m_sendEtag = false;
        beginBody();
        return;
    case FaultRule::Action::Lost:
        m_lostFault = *fault;
        beginBody();
        return;
    case FaultRule::Action::Status:
    case FaultRule::Action::Expired:
    case FaultRule::Action::ExpiredToken:
        m_pendingResponse = m_isPut ? S3Gateway::faultResponse(*fault, m_request) : ApiRouter::faultResponse(*fault);
        beginBody();
        return;
    case FaultRule::Action::Random:
        // FaultInjector::fire() has replaced it by a concrete action.
        beginBody();
        return;
    }
}

void HttpConnection::beginBody()
{
    const bool hasBody = m_request.chunked || m_request.contentLength > 0;

    if (m_pendingResponse) {
        // The response is ready before the body is used, so the body is read and discarded.
        m_bodyTarget = BodyTarget::Discard;
    } else if (m_isPut) {
        auto planned = m_gateway.beginPut(m_request);
        if (auto *response = std::get_if<HttpResponse>(&planned)) {
            m_pendingResponse = *response;
            m_bodyTarget = BodyTarget::Discard;
        } else {
            m_putTarget = std::get<AssetStore::PutTarget>(planned);
            m_partFile.setFileName(m_putTarget->temporaryPath);
            if (!m_partFile.open(QIODevice::WriteOnly | QIODevice::Unbuffered)) {
                qCWarning(lcSandbox) << "Could not create" << m_partFile.fileName() << m_partFile.errorString();
                m_context->assets.abortPut(*m_putTarget);
                m_putTarget.reset();
                m_pendingResponse = HttpResponse::s3Error(500, "InternalError",
                                                          QStringLiteral("The sandbox could not create a file in its "
                                                                         "data folder."),
                                                          m_request.path);
                m_bodyTarget = BodyTarget::Discard;
            } else {
                m_md5.reset();
                m_bodyTarget = BodyTarget::File;
            }
        }
    } else {
        if (m_request.contentLength > maxJsonBodyBytes) {
            rejectBeforeBody(HttpResponse::jsonError(413, QStringLiteral("The request body exceeds 1 MiB.")));
            return;
        }
        m_bodyTarget = BodyTarget::Memory;
    }

    // With Expect: 100-continue a rejected request gets its response at once
    // and the connection closes, so the client never sends the body.
    if (m_pendingResponse && m_request.expectContinue && hasBody && m_dropAfterBytes < 0) {
        rejectBeforeBody(*m_pendingResponse);
        return;
    }
    if (m_request.expectContinue && hasBody)
        m_socket->write("HTTP/1.1 100 Continue\r\n\r\n");

    m_bodyRemaining = m_request.chunked ? 0 : qMax<qint64>(m_request.contentLength, 0);
    m_chunkPhase = ChunkPhase::Size;
    m_phase = Phase::Body;
}

void HttpConnection::rejectBeforeBody(HttpResponse response)
{
    // The body was not read, so the connection cannot carry another request.
    response.closeConnection = true;
    m_phase = Phase::Waiting;
    sendResponse(response);
}

bool HttpConnection::readBody()
{
    return m_request.chunked ? readChunkedBody() : readContentLengthBody();
}

bool HttpConnection::readContentLengthBody()
{
    while (m_bodyRemaining > 0) {
        qint64 wanted = qMin(m_bodyRemaining, chunkSize);
        if (m_dropAfterBytes >= 0)
            wanted = qMin(wanted, qMax<qint64>(m_dropAfterBytes - m_bodyReceived, 1));
        const qint64 count = m_socket->read(m_chunk.data(), wanted);
        if (count <= 0)
            return false;
        m_bodyRemaining -= count;
        if (!consume(m_chunk.constData(), count))
            return false;
    }
    return true;
}

bool HttpConnection::readChunkedBody()
{
    for (;;) {
        switch (m_chunkPhase) {
        case ChunkPhase::Size: {
            if (!m_socket->canReadLine())
                return false;
            const QByteArray line = m_socket->readLine().trimmed();
            bool ok = false;
            m_chunkRemaining = line.split(';').constFirst().trimmed().toLongLong(&ok, 16);
            if (!ok || m_chunkRemaining < 0) {
                rejectBeforeBody(HttpResponse::jsonError(400, QStringLiteral("Malformed chunk size in a chunked body.")));
                return false;
            }
            m_chunkPhase = m_chunkRemaining == 0 ? ChunkPhase::Trailer : ChunkPhase::Data;
            break;
        }
        case ChunkPhase::Data: {
            while (m_chunkRemaining > 0) {
                const qint64 count = m_socket->read(m_chunk.data(), qMin(m_chunkRemaining, chunkSize));
                if (count <= 0)
                    return false;
                m_chunkRemaining -= count;
                if (!consume(m_chunk.constData(), count))
                    return false;
            }
            m_chunkPhase = ChunkPhase::DataEnd;
            break;
        }
        case ChunkPhase::DataEnd:
            if (!m_socket->canReadLine())
                return false;
            m_socket->readLine();
            m_chunkPhase = ChunkPhase::Size;
            break;
        case ChunkPhase::Trailer: {
            if (!m_socket->canReadLine())
                return false;
            const QByteArray line = m_socket->readLine().trimmed();
            if (line.isEmpty())
                return true;
            break;
        }
        }
    }
}

bool HttpConnection::consume(const char *data, qint64 size)
{
    m_bodyReceived += size;
    switch (m_bodyTarget) {
    case BodyTarget::Memory:
        if (m_request.body.size() + size > maxJsonBodyBytes) {
            rejectBeforeBody(HttpResponse::jsonError(413, QStringLiteral("The request body exceeds 1 MiB.")));
            return false;
        }
        m_request.body.append(data, size);
        break;
    case BodyTarget::File:
        m_md5.addData(QByteArrayView(data, size));
        if (m_partFile.write(data, size) != size) {
            qCWarning(lcSandbox) << "Could not write" << m_partFile.fileName() << m_partFile.errorString();
            discardPartFile();
            m_pendingResponse = HttpResponse::s3Error(500, "InternalError",
                                                      QStringLiteral("The sandbox could not write the body; check free "
                                                                     "space in its data folder."),
                                                      m_request.path);
            m_bodyTarget = BodyTarget::Discard;
        }
        break;
    case BodyTarget::Discard:
        break;
    }

    if (m_dropAfterBytes >= 0 && m_bodyReceived >= m_dropAfterBytes) {
        closeWithoutResponse("dropped by fault");
        return false;
    }
    return true;
}

void HttpConnection::finishBody()
{
    m_phase = Phase::Waiting;
    if (m_dropAfterBytes >= 0) {
        // The body was shorter than the fault's byte count, so drop before responding.
        closeWithoutResponse("dropped by fault");
        return;
    }
    if (m_pendingResponse) {
        HttpResponse response = *m_pendingResponse;
        m_pendingResponse.reset();
        sendResponse(response);
        return;
    }

    if (m_isPut) {
        m_partFile.close();
        const AssetStore::PutTarget target = *m_putTarget;
        m_putTarget.reset();
        sendResponse(m_gateway.finishPut(target, m_bodyReceived, m_md5.result().toHex(), m_sendEtag));
        return;
    }

    // The body's action distinguishes complete from cancel, so their faults apply now.
    if (ApiRouter::isCompletion(m_request)) {
        if (const auto kind = ApiRouter::completionKind(m_request)) {
            if (const auto fault = m_context->faults.fire(*kind, 0)) {
                logFault(*fault);
                switch (fault->action) {
                case FaultRule::Action::Drop:
                    closeWithoutResponse("dropped by fault");
                    return;
                case FaultRule::Action::Stall:
                    pause(fault->argument, [this] { handleApiRequest(); });
                    return;
                case FaultRule::Action::Lost:
                    m_lostFault = *fault;
                    break;
                case FaultRule::Action::Status:
                case FaultRule::Action::Expired:
                    sendResponse(ApiRouter::faultResponse(*fault));
                    return;
                case FaultRule::Action::NoEtag:
                case FaultRule::Action::ExpiredToken:
                case FaultRule::Action::Random:
                    // Only PUTs get these; fire() replaces random by a concrete action.
                    break;
                }
            }
        }
    }
    handleApiRequest();
}

void HttpConnection::handleApiRequest()
{
    sendResponse(m_router.handle(m_request));
}

void HttpConnection::sendResponse(HttpResponse response)
{
    if (m_phase == Phase::Closed)
        return;
    if (m_lostFault) {
        // The request has had its effect; the client never learns of it.
        FaultRule lost = *m_lostFault;
        m_lostFault.reset();
        if (lost.argument == 0) {
            closeWithoutResponse("response lost by fault");
            return;
        }
        lost.action = FaultRule::Action::Status;
        response = m_isPut ? S3Gateway::faultResponse(lost, m_request) : ApiRouter::faultResponse(lost);
        response.closeConnection = true;
    }
    m_closeAfterResponse = response.closeConnection || !m_request.wantsKeepAlive();
    m_responseStatus = response.status;

    const qint64 length = response.streamFiles.isEmpty() ? response.body.size() : response.streamLength;
    QByteArray head = "HTTP/1.1 " + QByteArray::number(response.status) + ' ' + reasonPhrase(response.status) + "\r\n";
    head += "Date: " + httpDate() + "\r\n";
    bool hasServer = false;
    for (const auto &header : std::as_const(response.headers)) {
        head += header.first + ": " + header.second + "\r\n";
        hasServer = hasServer || header.first.compare("Server", Qt::CaseInsensitive) == 0;
    }
    if (!hasServer)
        head += "Server: tenovos-sandbox\r\n";
    head += "Content-Length: " + QByteArray::number(length) + "\r\n";
    head += m_closeAfterResponse ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";

    m_bytesOut = head.size() + length;
    m_socket->write(head);
    if (response.streamFiles.isEmpty()) {
        if (m_request.method != "HEAD")
            m_socket->write(response.body);
        finishResponse();
        return;
    }

    m_streamFiles = response.streamFiles;
    m_streamIndex = 0;
    m_streamRemaining = response.streamLength;
    m_phase = Phase::Streaming;
    streamMore();
}

void HttpConnection::streamMore()
{
    while (m_streamRemaining > 0 && m_socket->bytesToWrite() < streamWriteWatermark) {
        if (!m_streamFile.isOpen()) {
            if (m_streamIndex >= m_streamFiles.size()) {
                qCWarning(lcSandbox) << "Stored content is shorter than recorded for" << m_request.path;
                closeWithoutResponse("stored content missing");
                return;
            }
            m_streamFile.setFileName(m_streamFiles.at(m_streamIndex++));
            if (!m_streamFile.open(QIODevice::ReadOnly)) {
                qCWarning(lcSandbox) << "Could not read" << m_streamFile.fileName() << m_streamFile.errorString();
                closeWithoutResponse("stored content unreadable");
                return;
            }
        }
        const qint64 count = m_streamFile.read(m_chunk.data(), qMin(chunkSize, m_streamRemaining));
        if (count < 0) {
            qCWarning(lcSandbox) << "Could not read" << m_streamFile.fileName() << m_streamFile.errorString();
            closeWithoutResponse("stored content unreadable");
            return;
        }
        if (count == 0) {
            m_streamFile.close();
            continue;
        }
        m_socket->write(m_chunk.constData(), count);
        m_streamRemaining -= count;
    }
    if (m_streamRemaining == 0) {
        m_streamFile.close();
        finishResponse();
    }
}

void HttpConnection::finishResponse()
{
    logRequest(m_responseStatus);
    if (m_closeAfterResponse) {
        m_phase = Phase::Closed;
        m_socket->disconnectFromHost();
        return;
    }
    resetRequest();
    m_phase = Phase::Headers;
    // A pipelined request may already wait in the buffer.
    QMetaObject::invokeMethod(this, &HttpConnection::processInput, Qt::QueuedConnection);
}

void HttpConnection::resetRequest()
{
    m_request = HttpRequest();
    m_requestStarted = false;
    m_headerBytes = 0;
    m_isPut = false;
    m_bodyTarget = BodyTarget::Discard;
    m_bodyRemaining = 0;
    m_bodyReceived = 0;
    m_chunkPhase = ChunkPhase::Size;
    m_chunkRemaining = 0;
    m_dropAfterBytes = -1;
    m_sendEtag = true;
    m_lostFault.reset();
    m_pendingResponse.reset();
    m_putTarget.reset();
    m_streamFiles.clear();
    m_streamIndex = 0;
    m_streamRemaining = 0;
    m_closeAfterResponse = false;
    m_responseStatus = 0;
    m_bytesOut = 0;
}

void HttpConnection::pause(qint64 milliseconds, std::function<void()> resume)
{
    m_paused = true;
    QTimer::singleShot(std::chrono::milliseconds(milliseconds), this, [this, resume = std::move(resume)] {
        m_paused = false;
        if (m_phase == Phase::Closed)
            return;
        resume();
        processInput();
    });
}

void HttpConnection::discardPartFile()
{
    if (m_partFile.isOpen())
        m_partFile.close();
    if (m_putTarget) {
        m_context->assets.abortPut(*m_putTarget);
        m_putTarget.reset();
    }
}

void HttpConnection::closeWithoutResponse(const char *reason)
{
    if (m_phase == Phase::Closed)
        return;
    m_phase = Phase::Closed;
    discardPartFile();
    if (m_requestStarted)
        logRequest(0, reason);
    m_socket->abort();
    deleteLater();
}

void HttpConnection::onDisconnected()
{
    if (m_phase != Phase::Closed) {
        m_phase = Phase::Closed;
        discardPartFile();
        if (m_requestStarted)
            logRequest(0, "client closed the connection");
    }
    deleteLater();
}

void HttpConnection::logFault(const FaultRule &fault) const
{
    qCInfo(lcSandbox).noquote() << "Fault" << fault.text << "applies" << fault.actionText() << "to" << m_request.method
                                << m_request.path;
}

void HttpConnection::logRequest(int status, const char *note) const
{
    // The path carries ids and the file name only; the query (with the
    // signature and session token) is never logged.
    const qint64 bytesIn = m_headerBytes + m_bodyReceived;
    const qint64 milliseconds = m_timer.isValid() ? m_timer.elapsed() : 0;
    if (note) {
        qCInfo(lcSandbox).noquote() << m_request.method << m_request.path << status << bytesIn << "bytes in" << 0
                                    << "bytes out" << milliseconds << "ms" << '(' + QByteArray(note) + ')';
    } else {
        qCInfo(lcSandbox).noquote() << m_request.method << m_request.path << status << bytesIn << "bytes in"
                                    << m_bytesOut << "bytes out" << milliseconds << "ms";
    }
    if (m_context->requestFinished)
        m_context->requestFinished(QString::fromLatin1(m_request.method), QString::fromUtf8(m_request.path), status);
}

} // namespace tenovos::sandbox
