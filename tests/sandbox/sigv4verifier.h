#pragma once

#include "sigv4.h"

#include <QString>

#include <functional>

namespace tenovos::sandbox {

// Checks a request against its SigV4 query signature the way S3 checks a
// presigned URL: parameters, credential scope, time window, signed headers,
// signature and session token, in that order.
class SigV4Verifier
{
public:
    enum class Verdict {
        Valid,
        MalformedQuery,     // 400 AuthorizationQueryParametersError
        Unauthenticated,    // 403 AccessDenied: no query signature at all
        InvalidAccessKeyId, // 403 InvalidAccessKeyId
        NotYetValid,        // 403 AccessDenied "Request is not valid yet"
        Expired,            // 403 AccessDenied "Request has expired"
        UnsignedHeaders,    // 403 AccessDenied: x-amz-* headers outside X-Amz-SignedHeaders
        SignatureMismatch,  // 403 SignatureDoesNotMatch, also when a signed header is missing
        InvalidToken,       // 403 InvalidToken
    };

    struct Request
    {
        QByteArray method;
        QByteArray target;      // the request target (path and query) exactly as received
        ByteArrayPairs headers; // as received; names are compared case-insensitively
    };

    struct Result
    {
        Verdict verdict = Verdict::Valid;
        int httpStatus = 200;
        QByteArray s3Code;          // empty when valid
        QString message;            // S3's <Message> text
        ByteArrayPairs details;     // further S3 error elements, such as <Expires> or <StringToSign>
        QDateTime expiresAt;        // X-Amz-Date + X-Amz-Expires, when they parsed

        bool isValid() const { return verdict == Verdict::Valid; }
    };

    explicit SigV4Verifier(const SigV4Credentials &credentials);

    // Replaces the clock used for the time window; the default is the current UTC time.
    void setClock(std::function<QDateTime()> now);

    Result verify(const Request &request) const;

    // S3 accepts a request whose X-Amz-Date lies up to 15 minutes in the future.
    static constexpr qint64 allowedClockSkewSeconds = 15 * 60;

private:
    SigV4Credentials m_credentials;
    std::function<QDateTime()> m_now;
};

} // namespace tenovos::sandbox
