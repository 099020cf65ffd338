#pragma once

#include "sigv4.h"

#include <QByteArray>
#include <QJsonValue>
#include <QStringList>

// The request and response shapes the sandbox's HTTP/1.1 code passes between
// the connection (sockets, bodies) and the handlers (API and S3 logic).
namespace tenovos::sandbox {

struct HttpRequest
{
    QByteArray method;
    QByteArray target;   // as received: encoded path and query
    QByteArray path;     // target before '?', still percent-encoded
    QByteArray query;    // target after '?', still percent-encoded
    int minorVersion = 1; // HTTP/1.minorVersion
    ByteArrayPairs headers;
    qint64 contentLength = -1; // -1: no Content-Length header
    bool chunked = false;
    bool expectContinue = false;
    QByteArray body;     // read into memory only for JSON endpoints

    // Returns the first value of a header (case-insensitive name), or a null QByteArray.
    QByteArray header(const QByteArray &name) const;
    bool wantsKeepAlive() const;
};

struct HttpResponse
{
    int status = 200;
    ByteArrayPairs headers;
    QByteArray body;
    // When not empty, the body is streamed from these files, in order, and
    // streamLength is the sum of their sizes.
    QStringList streamFiles;
    qint64 streamLength = 0;
    bool closeConnection = false;

    void setHeader(const QByteArray &name, const QByteArray &value);

    static HttpResponse json(int status, const QJsonValue &body);
    // {"status": "error", "message": ...}, optionally with an S3-like "code".
    static HttpResponse jsonError(int status, const QString &message, const QString &code = QString());
    // {"message": ..., "detail": ...}, the shape of 401 and 403 responses.
    static HttpResponse messageDetail(int status, const QString &message, const QString &detail);
    // S3's XML error document.
    static HttpResponse s3Error(int status, const QByteArray &code, const QString &message,
                                const QByteArray &resource, const ByteArrayPairs &details = {});
    // A plain HTML error page such as a reverse proxy in front of the API or
    // S3 sends, with neither JSON nor S3 XML. It closes the connection.
    static HttpResponse proxyError(int status, const QString &detail);
};

// Returns the standard reason phrase of a status code, such as "Not Found".
QByteArray reasonPhrase(int status);

// Returns a random id made of the characters S3 uses in upload ids.
QByteArray randomId(int length);

// Returns a random upper-case hex id like S3's x-amz-request-id.
QByteArray newRequestId();

// Decodes %XX escapes of a path segment ('+' stays as it is).
QByteArray percentDecodePath(const QByteArray &encoded);

} // namespace tenovos::sandbox
