#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QPair>

// Building blocks of AWS Signature Version 4 query signing ("presigned URLs")
// as S3 applies it: the canonical request, the string to sign and the signing
// key chain. SigV4Signer and SigV4Verifier are built on these functions.
namespace tenovos::sandbox {

// The credentials a presigned URL is signed with. A non-empty sessionToken is
// carried in X-Amz-Security-Token and signed like any other query parameter.
struct SigV4Credentials
{
    QByteArray accessKeyId;
    QByteArray secretAccessKey;
    QByteArray sessionToken;
    QByteArray region = QByteArrayLiteral("us-east-1");
    QByteArray service = QByteArrayLiteral("s3");
};

// Name and value pairs, in the order they appear (query parameters, headers).
using ByteArrayPairs = QList<QPair<QByteArray, QByteArray>>;

namespace sigv4 {

inline constexpr char algorithm[] = "AWS4-HMAC-SHA256";
inline constexpr char unsignedPayload[] = "UNSIGNED-PAYLOAD";
// S3 rejects X-Amz-Expires above seven days.
inline constexpr qint64 maxExpiresSeconds = 604800;

// Percent-encodes every byte except the unreserved characters A-Z, a-z, 0-9,
// '-', '.', '_' and '~', with upper-case hex digits, as SigV4 requires.
QByteArray uriEncode(const QByteArray &bytes);

// Decodes one query name or value the way S3 does: %XX escapes and '+' as a space.
QByteArray decodeQueryComponent(const QByteArray &encoded);

// Splits an encoded query string (without '?') into decoded pairs, in order.
ByteArrayPairs parseQuery(const QByteArray &encodedQuery);

// Returns the first decoded value of a query parameter, or a null QByteArray.
QByteArray queryValue(const ByteArrayPairs &query, const QByteArray &name);

// Builds the canonical query string: every pair except X-Amz-Signature,
// URI-encoded, sorted by name and then by value, joined with '&'.
QByteArray canonicalQueryString(const ByteArrayPairs &decodedQuery);

// Trims a header value and collapses runs of spaces into one, as SigV4 requires.
QByteArray canonicalHeaderValue(const QByteArray &value);

// Joins the six parts of a canonical request, with UNSIGNED-PAYLOAD as the payload hash.
// canonicalHeaders must be sorted by lower-case name.
QByteArray canonicalRequest(const QByteArray &method, const QByteArray &canonicalUri,
                            const QByteArray &canonicalQuery, const ByteArrayPairs &canonicalHeaders);

// Returns "yyyyMMdd/region/service/aws4_request".
QByteArray credentialScope(const QByteArray &date, const SigV4Credentials &credentials);

QByteArray stringToSign(const QByteArray &amzDate, const QByteArray &scope, const QByteArray &canonicalRequest);

// Derives the signing key: HMAC-SHA256 over date, region, service and
// "aws4_request", starting from "AWS4" + secret.
QByteArray signingKey(const QByteArray &secretAccessKey, const QByteArray &date,
                      const QByteArray &region, const QByteArray &service);

// Returns the lower-case hex HMAC-SHA256 of stringToSign under signingKey.
QByteArray signature(const QByteArray &signingKey, const QByteArray &stringToSign);

// Formats a time as the ISO 8601 basic form SigV4 uses: yyyyMMdd'T'HHmmss'Z'.
QByteArray formatAmzDate(const QDateTime &time);

// Parses yyyyMMdd'T'HHmmss'Z'; returns an invalid QDateTime on any other form.
QDateTime parseAmzDate(const QByteArray &amzDate);

// Compares two byte strings in time that depends only on their lengths.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

} // namespace sigv4
} // namespace tenovos::sandbox
