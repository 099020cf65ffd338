#pragma once

#include "apirouter.h"
#include "assetstore.h"
#include "faultrule.h"
#include "httpmessage.h"
#include "s3gateway.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QFile>
#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QTcpSocket;

namespace tenovos::sandbox {

class SandboxContext;

// One client connection: a small HTTP/1.1 server loop with keep-alive,
// Content-Length and chunked request bodies, Expect: 100-continue and fault
// injection. PUT bodies go straight to disk through an MD5 hash in 256 KiB
// chunks, and the socket's read buffer is bounded to 256 KiB. So a
// connection holds about 0.5 MiB (plus up to 1 MiB queued while streaming a
// response), whatever the body size.
class HttpConnection : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HttpConnection)

public:
    HttpConnection(qintptr socketDescriptor, std::shared_ptr<SandboxContext> context, QObject *parent = nullptr);
    ~HttpConnection() override;

    bool isOpen() const;
    // Closes the connection at once, without a response, and deletes it later.
    void drop();

private:
    enum class Phase { Headers, Body, Waiting, Streaming, Closed };
    enum class BodyTarget { Memory, File, Discard };
    enum class ChunkPhase { Size, Data, DataEnd, Trailer };

    void processInput();
    bool readHeaders();
    bool parseHeaderLine(const QByteArray &line);
    void startRequest();
    void applyFaultBeforeBody(const std::optional<FaultRule> &fault);
    void beginBody();
    void rejectBeforeBody(HttpResponse response);
    bool readBody();
    bool readContentLengthBody();
    bool readChunkedBody();
    bool consume(const char *data, qint64 size);
    void finishBody();
    void handleApiRequest();
    void sendResponse(HttpResponse response);
    void streamMore();
    void finishResponse();
    void resetRequest();
    void pause(qint64 milliseconds, std::function<void()> resume);
    void discardPartFile();
    void closeWithoutResponse(const char *reason);
    void onDisconnected();
    void logFault(const FaultRule &fault) const;
    void logRequest(int status, const char *note = nullptr) const;

    QTcpSocket *m_socket = nullptr;
    std::shared_ptr<SandboxContext> m_context;
    ApiRouter m_router;
    S3Gateway m_gateway;

    Phase m_phase = Phase::Headers;
    bool m_paused = false;
    bool m_requestStarted = false;
    HttpRequest m_request;
    qint64 m_headerBytes = 0;
    bool m_isPut = false;

    BodyTarget m_bodyTarget = BodyTarget::Discard;
    qint64 m_bodyRemaining = 0;
    qint64 m_bodyReceived = 0;
    ChunkPhase m_chunkPhase = ChunkPhase::Size;
    qint64 m_chunkRemaining = 0;
    qint64 m_dropAfterBytes = -1;
    bool m_sendEtag = true;
    std::optional<FaultRule> m_lostFault; // a "lost" fault: act, then lose the response
    std::optional<HttpResponse> m_pendingResponse;
    std::optional<AssetStore::PutTarget> m_putTarget;
    QFile m_partFile;
    QCryptographicHash m_md5{QCryptographicHash::Md5};
    QByteArray m_chunk;

    QStringList m_streamFiles;
    qsizetype m_streamIndex = 0;
    QFile m_streamFile;
    qint64 m_streamRemaining = 0;

    bool m_closeAfterResponse = false;
    int m_responseStatus = 0;
    qint64 m_bytesOut = 0;
    QElapsedTimer m_timer;
};

} // namespace tenovos::sandbox
