#include "sigv4.h"

#include <QCryptographicHash>
#include <QMessageAuthenticationCode>
#include <QTimeZone>

#include <algorithm>

namespace tenovos::sandbox::sigv4 {

namespace {

bool isUnreserved(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
        || c == '-' || c == '.' || c == '_' || c == '~';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

QByteArray hmacSha256(const QByteArray &key, const QByteArray &message)
{
    return QMessageAuthenticationCode::hash(message, key, QCryptographicHash::Sha256);
}

} // namespace

QByteArray uriEncode(const QByteArray &bytes)
{
    static constexpr char digits[] = "0123456789ABCDEF";
    QByteArray encoded;
    encoded.reserve(bytes.size() * 3);
    for (const char c : bytes) {
        if (isUnreserved(c)) {
            encoded.append(c);
        } else {
            const auto byte = static_cast<unsigned char>(c);
            encoded.append('%');
            encoded.append(digits[byte >> 4]);
            encoded.append(digits[byte & 0x0f]);
        }
    }
    return encoded;
}

QByteArray decodeQueryComponent(const QByteArray &encoded)
{
    QByteArray decoded;
    decoded.reserve(encoded.size());
    for (qsizetype i = 0; i < encoded.size(); ++i) {
        const char c = encoded.at(i);
        if (c == '+') {
            decoded.append(' ');
        } else if (c == '%' && i + 2 < encoded.size() && hexValue(encoded.at(i + 1)) >= 0
                   && hexValue(encoded.at(i + 2)) >= 0) {
            decoded.append(static_cast<char>(hexValue(encoded.at(i + 1)) * 16 + hexValue(encoded.at(i + 2))));
            i += 2;
        } else {
            // A '%' without two hex digits stays as it is.
            decoded.append(c);
        }
    }
    return decoded;
}

ByteArrayPairs parseQuery(const QByteArray &encodedQuery)
{
    ByteArrayPairs pairs;
    if (encodedQuery.isEmpty())
        return pairs;
    const QList<QByteArray> items = encodedQuery.split('&');
    for (const QByteArray &item : items) {
        if (item.isEmpty())
            continue;
        const qsizetype equals = item.indexOf('=');
        if (equals < 0)
            pairs.append({decodeQueryComponent(item), QByteArray("")});
        else
            pairs.append({decodeQueryComponent(item.left(equals)), decodeQueryComponent(item.mid(equals + 1))});
    }
    return pairs;
}

QByteArray queryValue(const ByteArrayPairs &query, const QByteArray &name)
{
    for (const auto &pair : query) {
        if (pair.first == name)
            return pair.second;
    }
    return {};
}

QByteArray canonicalQueryString(const ByteArrayPairs &decodedQuery)
{
    ByteArrayPairs encoded;
    encoded.reserve(decodedQuery.size());
    for (const auto &pair : decodedQuery) {
        if (pair.first == "X-Amz-Signature")
            continue;
        encoded.append({uriEncode(pair.first), uriEncode(pair.second)});
    }
    std::sort(encoded.begin(), encoded.end());

    QByteArray canonical;
    for (const auto &pair : encoded) {
        if (!canonical.isEmpty())
            canonical.append('&');
        canonical.append(pair.first).append('=').append(pair.second);
    }
    return canonical;
}

QByteArray canonicalHeaderValue(const QByteArray &value)
{
    return value.simplified();
}

QByteArray canonicalRequest(const QByteArray &method, const QByteArray &canonicalUri,
                            const QByteArray &canonicalQuery, const ByteArrayPairs &canonicalHeaders)
{
    QByteArray headerBlock;
    QByteArray signedHeaders;
    for (const auto &header : canonicalHeaders) {
        headerBlock.append(header.first).append(':').append(header.second).append('\n');
        if (!signedHeaders.isEmpty())
            signedHeaders.append(';');
        signedHeaders.append(header.first);
    }

    QByteArray request;
    request.append(method).append('\n');
    request.append(canonicalUri).append('\n');
    request.append(canonicalQuery).append('\n');
    request.append(headerBlock).append('\n');
    request.append(signedHeaders).append('\n');
    request.append(unsignedPayload);
    return request;
}

QByteArray credentialScope(const QByteArray &date, const SigV4Credentials &credentials)
{
    return date + '/' + credentials.region + '/' + credentials.service + "/aws4_request";
}

QByteArray stringToSign(const QByteArray &amzDate, const QByteArray &scope, const QByteArray &canonicalRequest)
{
    return QByteArray(algorithm) + '\n' + amzDate + '\n' + scope + '\n'
        + QCryptographicHash::hash(canonicalRequest, QCryptographicHash::Sha256).toHex();
}

QByteArray signingKey(const QByteArray &secretAccessKey, const QByteArray &date,
                      const QByteArray &region, const QByteArray &service)
{
    const QByteArray dateKey = hmacSha256("AWS4" + secretAccessKey, date);
    const QByteArray regionKey = hmacSha256(dateKey, region);
    const QByteArray serviceKey = hmacSha256(regionKey, service);
    return hmacSha256(serviceKey, QByteArrayLiteral("aws4_request"));
}

QByteArray signature(const QByteArray &signingKey, const QByteArray &stringToSign)
{
    return hmacSha256(signingKey, stringToSign).toHex();
}

QByteArray formatAmzDate(const QDateTime &time)
{
    return time.toUTC().toString(QStringLiteral("yyyyMMdd'T'HHmmss'Z'")).toLatin1();
}

QDateTime parseAmzDate(const QByteArray &amzDate)
{
    if (amzDate.size() != 16 || amzDate.at(8) != 'T' || amzDate.at(15) != 'Z')
        return {};
    for (qsizetype i = 0; i < 15; ++i) {
        if (i != 8 && (amzDate.at(i) < '0' || amzDate.at(i) > '9'))
            return {};
    }
    const QDate date = QDate::fromString(QString::fromLatin1(amzDate.left(8)), QStringLiteral("yyyyMMdd"));
    const QTime time = QTime::fromString(QString::fromLatin1(amzDate.mid(9, 6)), QStringLiteral("HHmmss"));
    if (!date.isValid() || !time.isValid())
        return {};
    return QDateTime(date, time, QTimeZone::utc());
}

bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

} // namespace tenovos::sandbox::sigv4
