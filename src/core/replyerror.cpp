#include "replyerror.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>
#include <QNetworkReply>
#include <QTimeZone>
#include <QXmlStreamReader>

namespace tenovos::detail {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tenovos::ApiError", text);
}

ServerText parseJsonBody(const QByteArray &body)
{
    ServerText text;
    const QJsonDocument document = QJsonDocument::fromJson(body);
    if (!document.isObject())
        return text;
    const QJsonObject object = document.object();
    const QString message = object.value(QLatin1String("message")).toString();
    const QString detail = object.value(QLatin1String("detail")).toString();
    text.message = message;
    if (!detail.isEmpty() && detail != message)
        text.message = message.isEmpty() ? detail : message + QLatin1String(": ") + detail;
    if (text.message.isEmpty())
        text.message = object.value(QLatin1String("error")).toString();
    text.code = object.value(QLatin1String("code")).toString();
    return text;
}

ServerText parseXmlBody(const QByteArray &body)
{
    ServerText text;
    QXmlStreamReader xml(body);
    while (!xml.atEnd()) {
        xml.readNext();
        if (!xml.isStartElement())
            continue;
        if (xml.name() == QLatin1String("Code"))
            text.code = xml.readElementText();
        else if (xml.name() == QLatin1String("Message"))
            text.message = xml.readElementText();
    }
    return text;
}

ApiError::Kind kindForNetworkError(QNetworkReply::NetworkError error, bool timedOut)
{
    if (timedOut || error == QNetworkReply::TimeoutError)
        return ApiError::Kind::Timeout;
    return ApiError::Kind::Network;
}

ApiError::Kind kindForStatus(int status, const ServerText &text, ReplySource source)
{
    if (source == ReplySource::S3 && status == 403) {
        // S3 responds 403 AccessDenied "Request has expired" to an expired URL,
        // and 403 ExpiredToken when the URL's temporary credentials expired.
        if (text.code == QLatin1String("ExpiredToken"))
            return ApiError::Kind::UrlExpired;
        if (text.message.contains(QLatin1String("expired"), Qt::CaseInsensitive))
            return ApiError::Kind::UrlExpired;
        return ApiError::Kind::Forbidden;
    }
    if (status == 401)
        return ApiError::Kind::Unauthorized;
    if (status == 403)
        return ApiError::Kind::Forbidden;
    if (status == 404)
        return ApiError::Kind::NotFound;
    if (status == 408)
        return ApiError::Kind::Timeout;
    if (status == 429)
        return ApiError::Kind::RateLimited;
    if (status >= 400 && status < 500)
        return ApiError::Kind::InvalidRequest;
    return ApiError::Kind::Server;
}

bool retryableStatus(int status)
{
    // Every 5xx is retried: proxies and load balancers in front of S3 and
    // Tenovos return 500 to 599 for passing trouble, not only 502 to 504.
    return status == 408 || status == 429 || (status >= 500 && status < 600);
}

// HOST:PORT of the request, with the scheme's default port when the URL
// gives none. Never the path or the query, which may carry a signature.
QString hostAndPort(const QUrl &url)
{
    const int defaultPort = url.scheme() == QLatin1String("http") ? 80 : 443;
    const QString host = url.host().contains(QLatin1Char(':'))
        ? QLatin1Char('[') + url.host() + QLatin1Char(']')
        : url.host();
    return host + QLatin1Char(':') + QString::number(url.port(defaultPort));
}

QString networkUserMessage(ApiError::Kind kind, QNetworkReply::NetworkError networkError,
                           const QUrl &url, const QString &detail)
{
    if (kind != ApiError::Kind::Network)
        return ApiError::defaultUserMessage(kind, 0, detail);
    if (networkError == QNetworkReply::ConnectionRefusedError) {
        return tr("The connection to %1 was refused. Check the URL, that the server is running "
                  "there and your network connection, then try again.")
            .arg(hostAndPort(url));
    }
    return tr("Could not reach the server at %1 (%2). Check your network connection and the "
              "URL, then try again.")
        .arg(hostAndPort(url), detail.isEmpty() ? tr("no details given") : detail);
}

} // namespace

ServerText parseErrorBody(const QByteArray &body)
{
    const QByteArray trimmed = body.trimmed();
    if (trimmed.startsWith('<'))
        return parseXmlBody(trimmed);
    if (trimmed.startsWith('{'))
        return parseJsonBody(trimmed);
    ServerText text;
    // A short plain-text body is still worth showing; HTML pages are not.
    if (!trimmed.isEmpty() && trimmed.size() <= 200)
        text.message = QString::fromUtf8(trimmed);
    return text;
}

int parseRetryAfter(const QByteArray &value)
{
    const QByteArray trimmed = value.trimmed();
    if (trimmed.isEmpty())
        return -1;
    bool ok = false;
    const int seconds = trimmed.toInt(&ok);
    if (ok)
        return seconds >= 0 ? seconds : -1;
    // HTTP date, for example "Wed, 21 Oct 2015 07:28:00 GMT".
    QDateTime when = QLocale::c().toDateTime(QString::fromLatin1(trimmed).chopped(4),
                                             QStringLiteral("ddd, dd MMM yyyy HH:mm:ss"));
    if (!when.isValid())
        return -1;
    when.setTimeZone(QTimeZone::utc());
    const qint64 delay = QDateTime::currentDateTimeUtc().secsTo(when);
    return delay > 0 ? int(qMin<qint64>(delay, 24 * 3600)) : 0;
}

ApiError errorFromReply(QNetworkReply *reply, const QByteArray &body, bool timedOut,
                        const QString &operation, ReplySource source)
{
    const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    const QNetworkReply::NetworkError networkError = reply->error();

    if (status >= 200 && status < 300 && networkError == QNetworkReply::NoError)
        return ApiError();

    if (status == 0) {
        // No HTTP response: the connection failed, timed out or was cut.
        const ApiError::Kind kind = kindForNetworkError(networkError, timedOut);
        // ContentReSendError: the connection closed before a response, and the
        // request was not sent again because it must not run twice.
        const QString detail = networkError == QNetworkReply::ContentReSendError
            ? tr("the connection closed before the server responded")
            : ApiError::stripUrlQueries(reply->errorString());
        ApiError error(kind, networkUserMessage(kind, networkError, reply->url(), detail));
        error.setOperation(operation);
        error.setServerMessage(detail);
        error.setRetryable(networkError != QNetworkReply::SslHandshakeFailedError);
        return error;
    }

    return errorFromHttpStatus(status, body, reply->rawHeader("Retry-After"),
                               reply->attribute(QNetworkRequest::HttpReasonPhraseAttribute).toString(),
                               operation, source);
}

ApiError errorFromHttpStatus(int status, const QByteArray &body, const QByteArray &retryAfter,
                             const QString &reasonPhrase, const QString &operation,
                             ReplySource source)
{
    const ServerText text = parseErrorBody(body);
    const ApiError::Kind kind = kindForStatus(status, text, source);
    QString serverMessage = text.message;
    if (status >= 300 && status < 400)
        serverMessage = tr("unexpected redirect (HTTP %1)").arg(status);
    else if (serverMessage.isEmpty())
        serverMessage = reasonPhrase;

    ApiError error(kind, ApiError::defaultUserMessage(kind, status, serverMessage));
    error.setOperation(operation);
    error.setHttpStatus(status);
    error.setServerMessage(serverMessage);
    error.setErrorCode(text.code);
    error.setRetryable(retryableStatus(status));
    error.setRetryAfterSeconds(parseRetryAfter(retryAfter));
    return error;
}

} // namespace tenovos::detail
