#include "sigv4signer.h"

#include <algorithm>

namespace tenovos::sandbox {

SigV4Signer::SigV4Signer(const SigV4Credentials &credentials)
    : m_credentials(credentials)
{
}

QByteArray SigV4Signer::presignedTarget(const Request &request) const
{
    const QByteArray amzDate = sigv4::formatAmzDate(request.signedAt);
    const QByteArray date = amzDate.left(8);
    const QByteArray scope = sigv4::credentialScope(date, m_credentials);

    ByteArrayPairs headers;
    headers.append({QByteArrayLiteral("host"), sigv4::canonicalHeaderValue(request.host)});
    for (const auto &header : request.signedHeaders)
        headers.append({header.first.toLower(), sigv4::canonicalHeaderValue(header.second)});
    std::sort(headers.begin(), headers.end(),
              [](const auto &a, const auto &b) { return a.first < b.first; });

    QByteArray signedHeaderNames;
    for (const auto &header : headers) {
        if (!signedHeaderNames.isEmpty())
            signedHeaderNames.append(';');
        signedHeaderNames.append(header.first);
    }

    ByteArrayPairs query = request.query;
    query.append({QByteArrayLiteral("X-Amz-Algorithm"), QByteArray(sigv4::algorithm)});
    query.append({QByteArrayLiteral("X-Amz-Credential"), m_credentials.accessKeyId + '/' + scope});
    query.append({QByteArrayLiteral("X-Amz-Date"), amzDate});
    query.append({QByteArrayLiteral("X-Amz-Expires"), QByteArray::number(request.expiresSeconds)});
    query.append({QByteArrayLiteral("X-Amz-SignedHeaders"), signedHeaderNames});
    if (!m_credentials.sessionToken.isEmpty())
        query.append({QByteArrayLiteral("X-Amz-Security-Token"), m_credentials.sessionToken});
    query.append(request.trailingQuery);

    const QByteArray canonical = sigv4::canonicalRequest(request.method, request.encodedPath,
                                                         sigv4::canonicalQueryString(query), headers);
    const QByteArray key = sigv4::signingKey(m_credentials.secretAccessKey, date,
                                             m_credentials.region, m_credentials.service);
    const QByteArray signature = sigv4::signature(key, sigv4::stringToSign(amzDate, scope, canonical));

    QByteArray target = request.encodedPath;
    target.append('?');
    for (const auto &pair : query)
        target.append(sigv4::uriEncode(pair.first)).append('=').append(sigv4::uriEncode(pair.second)).append('&');
    target.append("X-Amz-Signature=").append(signature);
    return target;
}

} // namespace tenovos::sandbox
