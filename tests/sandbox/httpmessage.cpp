#include "httpmessage.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QUrl>

namespace tenovos::sandbox {

QByteArray HttpRequest::header(const QByteArray &name) const
{
    for (const auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0)
            return header.second;
    }
    return {};
}

bool HttpRequest::wantsKeepAlive() const
{
    const QByteArray connection = header("Connection").toLower();
    if (minorVersion == 0)
        return connection.contains("keep-alive");
    return !connection.contains("close");
}

void HttpResponse::setHeader(const QByteArray &name, const QByteArray &value)
{
    for (auto &header : headers) {
        if (header.first.compare(name, Qt::CaseInsensitive) == 0) {
            header.second = value;
            return;
        }
    }
    headers.append({name, value});
}

HttpResponse HttpResponse::json(int status, const QJsonValue &body)
{
    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "application/json");
    if (body.isArray())
        response.body = QJsonDocument(body.toArray()).toJson(QJsonDocument::Compact);
    else
        response.body = QJsonDocument(body.toObject()).toJson(QJsonDocument::Compact);
    return response;
}

HttpResponse HttpResponse::jsonError(int status, const QString &message, const QString &code)
{
    QJsonObject body{{QStringLiteral("status"), QStringLiteral("error")}, {QStringLiteral("message"), message}};
    if (!code.isEmpty())
        body.insert(QStringLiteral("code"), code);
    return json(status, body);
}

HttpResponse HttpResponse::messageDetail(int status, const QString &message, const QString &detail)
{
    return json(status, QJsonObject{{QStringLiteral("message"), message}, {QStringLiteral("detail"), detail}});
}

namespace {

QByteArray xmlEscape(const QByteArray &text)
{
    return QString::fromUtf8(text).toHtmlEscaped().toUtf8();
}

} // namespace

HttpResponse HttpResponse::s3Error(int status, const QByteArray &code, const QString &message,
                                   const QByteArray &resource, const ByteArrayPairs &details)
{
    const QByteArray requestId = newRequestId();
    QByteArray xml = QByteArrayLiteral("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error>");
    xml += "<Code>" + xmlEscape(code) + "</Code>";
    xml += "<Message>" + xmlEscape(message.toUtf8()) + "</Message>";
    for (const auto &detail : details)
        xml += '<' + detail.first + '>' + xmlEscape(detail.second) + "</" + detail.first + '>';
    if (!resource.isEmpty())
        xml += "<Resource>" + xmlEscape(resource) + "</Resource>";
    xml += "<RequestId>" + requestId + "</RequestId></Error>";

    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "application/xml");
    response.setHeader("x-amz-request-id", requestId);
    response.body = xml;
    return response;
}

HttpResponse HttpResponse::proxyError(int status, const QString &detail)
{
    const QByteArray title = QByteArray::number(status) + ' ' + reasonPhrase(status);
    HttpResponse response;
    response.status = status;
    response.setHeader("Content-Type", "text/html");
    response.body = "<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<h1>" + title
        + "</h1>\r\n<p>" + detail.toHtmlEscaped().toUtf8() + "</p>\r\n</body>\r\n</html>\r\n";
    response.closeConnection = true;
    return response;
}

QByteArray reasonPhrase(int status)
{
    switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 411: return "Length Required";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: break;
    }
    if (status >= 500)
        return "Server Error";
    if (status >= 400)
        return "Client Error";
    return "Status";
}

QByteArray randomId(int length)
{
    static constexpr char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._~-";
    constexpr int alphabetSize = sizeof(alphabet) - 1;
    QByteArray id(length, Qt::Uninitialized);
    for (int i = 0; i < length; ++i)
        id[i] = alphabet[QRandomGenerator::system()->bounded(alphabetSize)];
    return id;
}

QByteArray newRequestId()
{
    return QByteArray::number(QRandomGenerator::system()->generate64(), 16).toUpper();
}

QByteArray percentDecodePath(const QByteArray &encoded)
{
    return QByteArray::fromPercentEncoding(encoded);
}

} // namespace tenovos::sandbox
