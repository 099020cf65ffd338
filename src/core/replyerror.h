#pragma once

#include "apierror.h"

#include <QByteArray>
#include <QString>

QT_BEGIN_NAMESPACE
class QNetworkReply;
QT_END_NAMESPACE

// Mapping of finished QNetworkReply objects to ApiError, shared by the REST
// client and the S3 part uploads. Internal to src/core.
namespace tenovos::detail {

// The server that sent the response: the Tenovos REST API (JSON error bodies) or S3 (XML
// bodies, where 403 can mean an expired or a badly signed URL).
enum class ReplySource { RestApi, S3 };

struct ServerText
{
    QString message; // JSON "message" (with "detail") or XML <Message>
    QString code;    // JSON "code" or XML <Code>
};

// Reads the error text out of a JSON or S3 XML error body.
ServerText parseErrorBody(const QByteArray &body);

// Parses a Retry-After header: delay seconds or an HTTP date. Returns -1
// when the header is missing or unreadable.
int parseRetryAfter(const QByteArray &value);

// Builds the ApiError for a reply that failed at the network level or
// responded with a status outside 2xx. Returns an ApiError of kind None when
// the reply succeeded. timedOut is true when the transfer timeout, not the
// caller, aborted the reply.
ApiError errorFromReply(QNetworkReply *reply, const QByteArray &body, bool timedOut,
                        const QString &operation, ReplySource source);

// Builds the ApiError for an HTTP response with a status outside 2xx, from the
// status, the error body, the Retry-After header and the reason phrase.
ApiError errorFromHttpStatus(int status, const QByteArray &body, const QByteArray &retryAfter,
                             const QString &reasonPhrase, const QString &operation,
                             ReplySource source);

} // namespace tenovos::detail
