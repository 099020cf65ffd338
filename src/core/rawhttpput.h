#pragma once

#include "apierror.h"
#include "presignedurl.h"

#include <QByteArray>
#include <QObject>
#include <QPointer>
#include <QTimer>

QT_BEGIN_NAMESPACE
class QIODevice;
class QTcpSocket;
QT_END_NAMESPACE

namespace tenovos {

// A minimal HTTP/1.1 PUT over a QTcpSocket (QSslSocket for https) that
// writes the request target exactly as the presigned URL carries it, so it
// also serves URLs that QUrl would re-encode (see
// PresignedUrl::survivesQUrl()). One request per connection ("Connection:
// close"), with the body streamed from the device in 256 KiB chunks and at
// most 1 MiB queued in the socket. PartUpload explains when it is used.
// Internal to src/core.
class RawHttpPut : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RawHttpPut)

public:
    // body must be open and stay alive until finished() or abort().
    RawHttpPut(const PresignedUrl &url, const HttpHeaderList &headers,
               const QByteArray &contentType, QIODevice *body, int timeoutMs,
               QObject *parent = nullptr);
    ~RawHttpPut() override;

    void start();
    // Closes the connection; finished() is not emitted.
    void abort();
    // A header of the response (such as Retry-After), once finished() was
    // emitted with a status; empty when the response has none.
    QByteArray responseHeader(const QByteArray &name) const;

Q_SIGNALS:
    void progress(qint64 sent, qint64 total);
    // Status and ETag of the response, or a transport error when no response
    // arrived.
    void finished(int status, const QByteArray &etag, const QByteArray &body,
                  const tenovos::ApiError &transportError);

private:
    void sendHead();
    void pumpBody();
    void readResponse();
    bool parseResponse();
    void fail(ApiError::Kind kind, const QString &detail, bool retryable = true);
    void complete();
    void restartTimeout();

    PresignedUrl m_url;
    HttpHeaderList m_headers;
    QByteArray m_contentType;
    QPointer<QIODevice> m_body;
    qint64 m_bodyLength = 0;
    qint64 m_bodyQueued = 0;
    qint64 m_headLength = 0;
    int m_timeoutMs;
    QTcpSocket *m_socket = nullptr;
    QTimer m_timeout;
    QByteArray m_response;
    int m_status = 0;
    qint64 m_headerEnd = -1;
    bool m_done = false;
};

} // namespace tenovos
