#pragma once

#include <QCoreApplication>
#include <QMetaType>
#include <QString>

namespace tenovos {

// The one error type of the engine. Every failure of a REST call, a part
// upload or a local file check ends up here, sorted by kind, so callers can
// decide whether to retry, ask the user to sign in again or give up. All its
// texts pass through stripUrlQueries(), so no presigned URL query (signature,
// session token) reaches a message or a log.
class ApiError
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::ApiError)

public:
    enum class Kind {
        None,              // no error
        Network,           // connection refused or reset, host not found, TLS failure
        Timeout,           // no response or no progress within the timeout
        Unauthorized,      // HTTP 401: missing, expired or revoked session
        Forbidden,         // HTTP 403 from the API: key, privilege or template access
        InvalidRequest,    // HTTP 400 and other 4xx the caller caused
        NotFound,          // HTTP 404 (S3: NoSuchUpload, NoSuchKey)
        RateLimited,       // HTTP 429: the server wants the client to slow down
        Server,            // HTTP 5xx or an unexpected status
        MalformedResponse, // the response is not what the contract describes
        UrlExpired,        // S3 403 AccessDenied "Request has expired"
        LocalFile,         // the file is missing, unreadable, too large or changed
    };

    ApiError() = default;
    ApiError(Kind kind, const QString &userMessage);

    bool isError() const { return m_kind != Kind::None; }
    Kind kind() const { return m_kind; }

    // HTTP status of the response, 0 when no response arrived.
    int httpStatus() const { return m_httpStatus; }
    void setHttpStatus(int status) { m_httpStatus = status; }

    // Text of the server: JSON "message" (plus "detail"), or S3's XML <Message>.
    QString serverMessage() const { return m_serverMessage; }
    void setServerMessage(const QString &message);

    // S3's XML <Code> (SignatureDoesNotMatch, AccessDenied, NoSuchUpload...)
    // or a JSON "code" field; empty when the response carried none.
    QString errorCode() const { return m_errorCode; }
    void setErrorCode(const QString &code) { m_errorCode = code; }

    // Whether sending the same request again can succeed.
    bool isRetryable() const { return m_retryable; }
    void setRetryable(bool retryable) { m_retryable = retryable; }

    // Seconds the server asked the client to wait (Retry-After), or -1.
    int retryAfterSeconds() const { return m_retryAfterSeconds; }
    void setRetryAfterSeconds(int seconds) { m_retryAfterSeconds = seconds; }

    // Plain-words message for the user: what failed, on which file or value,
    // and what to do next. Translated.
    QString userMessage() const { return m_userMessage; }
    void setUserMessage(const QString &message);

    // Technical description for logs: operation, status, code and server text.
    QString logMessage() const;

    // The request that failed, such as "POST /v1/assets/asset", for logs.
    QString operation() const { return m_operation; }
    void setOperation(const QString &operation);

    static QString kindName(Kind kind);

    // A default user message for the kind, naming the server message if any.
    static QString defaultUserMessage(Kind kind, int httpStatus, const QString &serverMessage);

    // Removes the query string from every http(s) URL in the text, because a
    // presigned URL's query carries a signature and a session token.
    static QString stripUrlQueries(const QString &text);

    static ApiError localFile(const QString &userMessage);
    static ApiError malformed(const QString &operation, const QString &whatIsWrong);

private:
    Kind m_kind = Kind::None;
    int m_httpStatus = 0;
    int m_retryAfterSeconds = -1;
    bool m_retryable = false;
    QString m_serverMessage;
    QString m_errorCode;
    QString m_userMessage;
    QString m_operation;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::ApiError)
