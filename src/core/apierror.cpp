#include "apierror.h"

#include <QRegularExpression>

namespace tenovos {

ApiError::ApiError(Kind kind, const QString &userMessage)
    : m_kind(kind)
    , m_userMessage(stripUrlQueries(userMessage))
{
    m_retryable = kind == Kind::Network || kind == Kind::Timeout || kind == Kind::RateLimited
        || kind == Kind::Server;
}

void ApiError::setServerMessage(const QString &message)
{
    m_serverMessage = stripUrlQueries(message.trimmed());
}

void ApiError::setUserMessage(const QString &message)
{
    m_userMessage = stripUrlQueries(message);
}

void ApiError::setOperation(const QString &operation)
{
    m_operation = stripUrlQueries(operation);
}

QString ApiError::logMessage() const
{
    QString text = kindName(m_kind);
    if (!m_operation.isEmpty())
        text += QLatin1String(" in ") + m_operation;
    if (m_httpStatus != 0)
        text += QLatin1String(", HTTP ") + QString::number(m_httpStatus);
    if (!m_errorCode.isEmpty())
        text += QLatin1String(", code ") + m_errorCode;
    if (!m_serverMessage.isEmpty())
        text += QLatin1String(": ") + m_serverMessage;
    else if (!m_userMessage.isEmpty())
        text += QLatin1String(": ") + m_userMessage;
    return text;
}

QString ApiError::kindName(Kind kind)
{
    switch (kind) {
    case Kind::None:
        return QStringLiteral("none");
    case Kind::Network:
        return QStringLiteral("network error");
    case Kind::Timeout:
        return QStringLiteral("timeout");
    case Kind::Unauthorized:
        return QStringLiteral("unauthorized");
    case Kind::Forbidden:
        return QStringLiteral("forbidden");
    case Kind::InvalidRequest:
        return QStringLiteral("invalid request");
    case Kind::NotFound:
        return QStringLiteral("not found");
    case Kind::RateLimited:
        return QStringLiteral("rate limited");
    case Kind::Server:
        return QStringLiteral("server error");
    case Kind::MalformedResponse:
        return QStringLiteral("malformed response");
    case Kind::UrlExpired:
        return QStringLiteral("URL expired");
    case Kind::LocalFile:
        return QStringLiteral("local file error");
    }
    return QString();
}

QString ApiError::defaultUserMessage(Kind kind, int httpStatus, const QString &serverMessage)
{
    const QString details = serverMessage.isEmpty()
        ? tr("no details given")
        : serverMessage;
    switch (kind) {
    case Kind::None:
        return QString();
    case Kind::Network:
        return tr("Could not reach the server (%1). Check your network connection and the API URL, "
                  "then try again.").arg(details);
    case Kind::Timeout:
        return tr("The server did not respond in time. Check your network connection and try again.");
    case Kind::Unauthorized:
        return tr("Tenovos rejected the session (%1). Sign in again.").arg(details);
    case Kind::Forbidden:
        return tr("Tenovos refused the request (%1). Check the API key, and ask your Tenovos "
                  "administrator for the Upload privilege and access to the chosen security "
                  "templates.").arg(details);
    case Kind::InvalidRequest:
        return tr("Tenovos rejected the request as invalid (%1). Check the values you entered.")
            .arg(details);
    case Kind::NotFound:
        return tr("Tenovos could not find what was asked for (%1). Check the id.").arg(details);
    case Kind::RateLimited:
        return tr("Tenovos is busy and asked to slow down (HTTP 429). Try again in a minute.");
    case Kind::Server:
        return tr("Tenovos reported a server error (HTTP %1: %2). Try again later.")
            .arg(httpStatus)
            .arg(details);
    case Kind::MalformedResponse:
        return tr("The server sent a response the uploader cannot read (%1). Check that the API URL "
                  "points at Tenovos.").arg(details);
    case Kind::UrlExpired:
        return tr("The upload URL has expired (%1). Retry the file to get new URLs.").arg(details);
    case Kind::LocalFile:
        return details;
    }
    return details;
}

QString ApiError::stripUrlQueries(const QString &text)
{
    // A URL runs until white space or a quote; its query starts at '?' and
    // ends before a fragment.
    static const QRegularExpression urlQuery(
        QStringLiteral(R"((\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"'<>]*)\?[^\s#"'<>]*)"));
    if (!text.contains(QLatin1Char('?')))
        return text;
    QString stripped = text;
    stripped.replace(urlQuery, QStringLiteral("\\1"));
    return stripped;
}

ApiError ApiError::localFile(const QString &userMessage)
{
    ApiError error(Kind::LocalFile, userMessage);
    error.setRetryable(false);
    return error;
}

ApiError ApiError::malformed(const QString &operation, const QString &whatIsWrong)
{
    ApiError error(Kind::MalformedResponse, defaultUserMessage(Kind::MalformedResponse, 0, whatIsWrong));
    error.setOperation(operation);
    error.setServerMessage(whatIsWrong);
    error.setRetryable(false);
    return error;
}

} // namespace tenovos
