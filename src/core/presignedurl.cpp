#include "presignedurl.h"

#include <QCoreApplication>
#include <QTimeZone>

namespace tenovos {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tenovos::PresignedUrl", text);
}

ApiError invalidUrl(const QString &reason)
{
    return ApiError::malformed(QStringLiteral("upload URL"), reason);
}

// Query values follow form encoding as S3 reads them: '+' is a space.
QByteArray decodeQueryComponent(QByteArray component)
{
    component.replace('+', ' ');
    return QByteArray::fromPercentEncoding(component);
}

} // namespace

Result<PresignedUrl> PresignedUrl::parse(const QByteArray &encoded)
{
    for (const char c : encoded) {
        const auto byte = static_cast<unsigned char>(c);
        if (byte <= 0x20 || byte >= 0x7f)
            return invalidUrl(tr("the upload URL contains spaces or characters outside ASCII"));
    }

    const int schemeEnd = encoded.indexOf("://");
    if (schemeEnd <= 0)
        return invalidUrl(tr("the upload URL is not an absolute URL"));

    PresignedUrl result;
    result.m_encoded = encoded;
    result.m_scheme = QString::fromLatin1(encoded.left(schemeEnd)).toLower();
    if (result.m_scheme != QLatin1String("https") && result.m_scheme != QLatin1String("http"))
        return invalidUrl(tr("the upload URL does not start with https:// or http://"));

    // Split the raw bytes, so path and query can be sent exactly as received.
    QByteArray rest = encoded.mid(schemeEnd + 3);
    const int fragmentStart = rest.indexOf('#');
    if (fragmentStart >= 0)
        rest.truncate(fragmentStart);
    const int pathStart = rest.indexOf('/');
    const int queryMark = rest.indexOf('?');
    if (queryMark >= 0 && (pathStart < 0 || queryMark < pathStart)) {
        result.m_rawPath = QByteArrayLiteral("/");
        result.m_rawQuery = rest.mid(queryMark + 1);
    } else if (pathStart >= 0) {
        const QByteArray pathAndQuery = rest.mid(pathStart);
        const int mark = pathAndQuery.indexOf('?');
        result.m_rawPath = mark >= 0 ? pathAndQuery.left(mark) : pathAndQuery;
        result.m_rawQuery = mark >= 0 ? pathAndQuery.mid(mark + 1) : QByteArray();
    } else {
        result.m_rawPath = QByteArrayLiteral("/");
    }

    result.m_url = QUrl::fromEncoded(encoded, QUrl::StrictMode);
    if (!result.m_url.isValid() || result.m_url.host().isEmpty())
        return invalidUrl(tr("the upload URL is not valid: %1")
                              .arg(ApiError::stripUrlQueries(result.m_url.errorString())));
    result.m_survivesQUrl = result.m_url.toEncoded() == encoded;
    return result;
}

QByteArray PresignedUrl::requestTarget() const
{
    if (m_rawQuery.isEmpty() && !m_encoded.contains('?'))
        return m_rawPath;
    return m_rawPath + '?' + m_rawQuery;
}

QString PresignedUrl::redacted() const
{
    QString text = m_scheme + QLatin1String("://") + m_url.host(QUrl::FullyEncoded);
    if (m_url.port() >= 0)
        text += QLatin1Char(':') + QString::number(m_url.port());
    return text + QString::fromLatin1(m_rawPath);
}

QByteArray PresignedUrl::queryValue(const QByteArray &name) const
{
    const QByteArrayList pairs = m_rawQuery.split('&');
    for (const QByteArray &pair : pairs) {
        const int equals = pair.indexOf('=');
        const QByteArray key = decodeQueryComponent(equals >= 0 ? pair.left(equals) : pair);
        if (key.compare(name, Qt::CaseInsensitive) != 0)
            continue;
        // An empty but present value stays non-null, so callers can tell it
        // apart from a missing parameter.
        const QByteArray value = equals >= 0 ? decodeQueryComponent(pair.mid(equals + 1)) : QByteArray();
        return value.isNull() ? QByteArray("") : value;
    }
    return QByteArray();
}

QDateTime PresignedUrl::signedAt() const
{
    const QByteArray date = queryValue("X-Amz-Date");
    if (date.isEmpty())
        return QDateTime();
    QDateTime when = QDateTime::fromString(QString::fromLatin1(date),
                                           QStringLiteral("yyyyMMdd'T'HHmmss'Z'"));
    if (!when.isValid())
        return QDateTime();
    when.setTimeZone(QTimeZone::utc());
    return when;
}

QDateTime PresignedUrl::expiresAt() const
{
    const QDateTime start = signedAt();
    bool ok = false;
    const qint64 seconds = queryValue("X-Amz-Expires").toLongLong(&ok);
    if (!start.isValid() || !ok)
        return QDateTime();
    return start.addSecs(seconds);
}

QByteArrayList PresignedUrl::signedHeaderNames() const
{
    QByteArrayList names;
    const QByteArrayList parts = queryValue("X-Amz-SignedHeaders").split(';');
    for (const QByteArray &part : parts) {
        const QByteArray name = part.trimmed().toLower();
        if (!name.isEmpty())
            names.append(name);
    }
    return names;
}

Result<HttpHeaderList> PresignedUrl::requiredHeaders(const QString &objectId) const
{
    HttpHeaderList headers;
    const QByteArrayList names = signedHeaderNames();
    for (const QByteArray &name : names) {
        // QNetworkAccessManager sends Host and Content-Length itself.
        if (name == "host" || name == "content-length")
            continue;
        QByteArray value = queryValue(name);
        if (value.isNull() && name == "x-amz-meta-objectid" && !objectId.isEmpty())
            value = objectId.toUtf8();
        if (value.isNull()) {
            return invalidUrl(tr("the upload URL signs the header \"%1\" but gives no value for "
                                 "it")
                                  .arg(QString::fromLatin1(name)));
        }
        headers.append(qMakePair(name, value));
    }
    return headers;
}

} // namespace tenovos
