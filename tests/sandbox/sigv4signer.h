#pragma once

#include "sigv4.h"

namespace tenovos::sandbox {

// Creates S3-style presigned request targets (path and query) with SigV4 query
// signing and UNSIGNED-PAYLOAD, the form Tenovos hands out for part uploads.
class SigV4Signer
{
public:
    struct Request
    {
        QByteArray method = QByteArrayLiteral("PUT");
        QByteArray host;                 // the Host header value, with ":port" when not the default
        QByteArray encodedPath;          // already percent-encoded, used as it is
        ByteArrayPairs query;            // decoded, placed before the X-Amz-* parameters
        ByteArrayPairs signedHeaders;    // lower-case names and values to sign besides host
        ByteArrayPairs trailingQuery;    // decoded, placed after the X-Amz-* parameters
        QDateTime signedAt;
        qint64 expiresSeconds = 86400;
    };

    explicit SigV4Signer(const SigV4Credentials &credentials);

    // Returns "encodedPath?query" with X-Amz-Signature as the last parameter.
    // Every query name and value is URI-encoded the SigV4 way, so the result
    // verifies only if a client sends it byte for byte.
    QByteArray presignedTarget(const Request &request) const;

private:
    SigV4Credentials m_credentials;
};

} // namespace tenovos::sandbox
