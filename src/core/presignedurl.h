#pragma once

#include "result.h"

#include <QByteArray>
#include <QByteArrayList>
#include <QDateTime>
#include <QList>
#include <QPair>
#include <QString>
#include <QUrl>

namespace tenovos {

using HttpHeaderList = QList<QPair<QByteArray, QByteArray>>;

// An S3 presigned URL (SigV4 query signing) kept exactly as the server sent
// it. Re-encoding any byte of its path or query breaks the signature, so the
// encoded form is the source of truth and QUrl is only a carrier.
class PresignedUrl
{
public:
    PresignedUrl() = default;

    // Parses an absolute http or https URL as received. Fails with a
    // MalformedResponse error when the bytes are not a valid URL.
    static Result<PresignedUrl> parse(const QByteArray &encoded);

    bool isNull() const { return m_encoded.isEmpty(); }

    // The URL byte for byte as received.
    QByteArray encoded() const { return m_encoded; }

    // The URL as QUrl, built with QUrl::fromEncoded(encoded(), QUrl::StrictMode).
    QUrl url() const { return m_url; }

    // Whether QUrl keeps every byte: url().toEncoded() equals encoded().
    // When false, QNetworkAccessManager would send an altered request line
    // (QUrl decodes percent-encoded unreserved characters such as %7E and
    // upper-cases hex digits), so the URL must be sent another way.
    bool survivesQUrl() const { return m_survivesQUrl; }

    // Path and query as received: the request target of the HTTP request line.
    QByteArray requestTarget() const;

    QString scheme() const { return m_scheme; }
    QString host() const { return m_url.host(); }
    int port(int defaultPort) const { return m_url.port(defaultPort); }

    // scheme://host[:port]/path, without the query, which contains the
    // signature and session token. Safe to log.
    QString redacted() const;

    // X-Amz-Date and X-Amz-Date + X-Amz-Expires; invalid when missing.
    QDateTime signedAt() const;
    QDateTime expiresAt() const;

    // Names in X-Amz-SignedHeaders, lower case.
    QByteArrayList signedHeaderNames() const;

    // The percent-decoded value of the first query parameter whose name
    // equals name (case-insensitive); null when there is none.
    QByteArray queryValue(const QByteArray &name) const;

    // The headers a PUT to this URL must carry besides Host and
    // Content-Length. Each name in X-Amz-SignedHeaders other than host and
    // content-length is sent with the value of the same-named query
    // parameter, and x-amz-meta-objectid without one gets objectId. Fails
    // when a signed header has no known value, because S3 would reject the
    // request.
    Result<HttpHeaderList> requiredHeaders(const QString &objectId) const;

private:
    QByteArray m_encoded;
    QByteArray m_rawPath;  // as received, starting with '/'
    QByteArray m_rawQuery; // as received, without '?'
    QString m_scheme;
    QUrl m_url;
    bool m_survivesQUrl = false;
};

} // namespace tenovos
