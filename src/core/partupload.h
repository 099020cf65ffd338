#pragma once

#include "presignedurl.h"
#include "result.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
class QNetworkReply;
QT_END_NAMESPACE

namespace tenovos {

class FileRangeDevice;
class NetworkPool;
class RawHttpPut;

// The request of one part upload: a byte range of a file and the presigned
// URL to send it to.
struct PartSpec
{
    QString filePath;
    int partNumber = 1;
    qint64 offset = 0;
    qint64 length = 0;
    PresignedUrl url;
    QString objectId;    // value of x-amz-meta-objectid when the URL signs it without a value
    QByteArray contentType = QByteArrayLiteral("application/octet-stream");
    int timeoutMs = 120000; // time without any transferred byte before the PUT fails
    // Send over a connection of its own instead of QNetworkAccessManager's
    // (see PartUpload), unless a proxy is configured for the URL.
    bool preferOwnConnection = false;
};

// One PUT of one part: the byte range streamed from the file with
// Content-Length, the headers the URL signs, and no other x-amz-* header.
// The result is the ETag exactly as S3 sent it; a 200 without an ETag is a
// failure. S3's XML errors map to ApiError (403 "Request has expired" to
// UrlExpired, SignatureDoesNotMatch to Forbidden, 404 NoSuchUpload to
// NotFound).
//
// Two transports exist. QNetworkAccessManager (from the NetworkPool) reuses
// connections, which suits many small single uploads. RawHttpPut sends over
// a connection of its own and is used for URLs that QUrl would alter (see
// PresignedUrl::survivesQUrl()) and, with PartSpec::preferOwnConnection, for
// the parts of multipart uploads. QNetworkAccessManager hands a request body
// from the caller's thread to its HTTP thread in 16 KiB chunks, one
// cross-thread round trip each, with at most 32 KiB queued per connection
// (Qt 6.4, QHttpProtocolHandler and QNetworkReplyHttpImpl). On loopback
// against the sandbox that capped 4 parallel parts at about two thirds of
// curl's rate, at five times its CPU time, while RawHttpPut matched curl.
class PartUpload : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PartUpload)

public:
    PartUpload(NetworkPool *pool, const PartSpec &spec, QObject *parent = nullptr);
    ~PartUpload() override;

    const PartSpec &spec() const { return m_spec; }
    int partNumber() const { return m_spec.partNumber; }

    // Starts the PUT; emits finished() once, asynchronously.
    void start();
    // Stops the PUT; finished() is not emitted.
    void abort();

Q_SIGNALS:
    // Bytes of this part sent so far. Never reported as (0, 0) at the end.
    void progress(qint64 sent, qint64 total);
    void finished(const tenovos::Result<QByteArray> &etag);

private:
    bool usesOwnConnection() const;
    void handleReply();
    void handleRawResult(int status, const QByteArray &etag, const QByteArray &body,
                         const ApiError &transportError);
    void finish(const Result<QByteArray> &result);
    void releaseResources();
    QString operation() const;
    ApiError describe(ApiError error) const;

    NetworkPool *m_pool;
    PartSpec m_spec;
    QNetworkAccessManager *m_network = nullptr;
    QPointer<QNetworkReply> m_reply;
    FileRangeDevice *m_device = nullptr;
    RawHttpPut *m_raw = nullptr;
    QElapsedTimer m_started;
    bool m_finished = false;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::Result<QByteArray>)
