#include "sigv4verifier.h"

#include <algorithm>

namespace tenovos::sandbox {

namespace {

using Verdict = SigV4Verifier::Verdict;
using Result = SigV4Verifier::Result;

Result failure(Verdict verdict, int status, const char *code, const QString &message)
{
    Result result;
    result.verdict = verdict;
    result.httpStatus = status;
    result.s3Code = code;
    result.message = message;
    return result;
}

Result malformed(const QString &message)
{
    return failure(Verdict::MalformedQuery, 400, "AuthorizationQueryParametersError", message);
}

// Returns every value of a header, joined with ',' as SigV4 requires for
// repeated headers, or a null QByteArray when the header is absent.
QByteArray headerValues(const ByteArrayPairs &headers, const QByteArray &lowerName)
{
    QByteArray joined;
    bool found = false;
    for (const auto &header : headers) {
        if (header.first.toLower() != lowerName)
            continue;
        if (found)
            joined.append(',');
        joined.append(sigv4::canonicalHeaderValue(header.second));
        found = true;
    }
    return found ? joined : QByteArray();
}

} // namespace

SigV4Verifier::SigV4Verifier(const SigV4Credentials &credentials)
    : m_credentials(credentials)
    , m_now([] { return QDateTime::currentDateTimeUtc(); })
{
}

void SigV4Verifier::setClock(std::function<QDateTime()> now)
{
    m_now = std::move(now);
}

SigV4Verifier::Result SigV4Verifier::verify(const Request &request) const
{
    const qsizetype questionMark = request.target.indexOf('?');
    const QByteArray canonicalUri = questionMark < 0 ? request.target : request.target.left(questionMark);
    const ByteArrayPairs query = questionMark < 0 ? ByteArrayPairs() : sigv4::parseQuery(request.target.mid(questionMark + 1));

    const QByteArray algorithm = sigv4::queryValue(query, "X-Amz-Algorithm");
    const QByteArray credential = sigv4::queryValue(query, "X-Amz-Credential");
    const QByteArray amzDate = sigv4::queryValue(query, "X-Amz-Date");
    const QByteArray expires = sigv4::queryValue(query, "X-Amz-Expires");
    const QByteArray signedHeaders = sigv4::queryValue(query, "X-Amz-SignedHeaders");
    const QByteArray providedSignature = sigv4::queryValue(query, "X-Amz-Signature");

    if (algorithm.isNull() && credential.isNull() && providedSignature.isNull())
        return failure(Verdict::Unauthenticated, 403, "AccessDenied", QStringLiteral("Access Denied"));
    if (algorithm.isNull() || credential.isNull() || amzDate.isNull() || expires.isNull()
        || signedHeaders.isNull() || providedSignature.isNull()) {
        return malformed(QStringLiteral("Query-string authentication version 4 requires the X-Amz-Algorithm, "
                                        "X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, "
                                        "and X-Amz-Expires parameters."));
    }
    if (algorithm != sigv4::algorithm)
        return malformed(QStringLiteral("X-Amz-Algorithm only supports \"AWS4-HMAC-SHA256\""));

    const QList<QByteArray> scope = credential.split('/');
    if (scope.size() != 5) {
        return malformed(QStringLiteral("Error parsing the X-Amz-Credential parameter; the Credential is mal-formed; "
                                        "expecting \"<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request\"."));
    }
    const QDateTime signedAt = sigv4::parseAmzDate(amzDate);
    if (!signedAt.isValid())
        return malformed(QStringLiteral("X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\""));
    bool expiresIsNumber = false;
    const qint64 expiresSeconds = expires.toLongLong(&expiresIsNumber);
    if (!expiresIsNumber)
        return malformed(QStringLiteral("X-Amz-Expires should be a number"));
    if (expiresSeconds < 0)
        return malformed(QStringLiteral("X-Amz-Expires must be non-negative"));
    if (expiresSeconds > sigv4::maxExpiresSeconds)
        return malformed(QStringLiteral("X-Amz-Expires must be less than a week (in seconds) that is 604800"));

    if (scope.at(0) != m_credentials.accessKeyId) {
        Result result = failure(Verdict::InvalidAccessKeyId, 403, "InvalidAccessKeyId",
                                QStringLiteral("The AWS Access Key Id you provided does not exist in our records."));
        result.details.append({"AWSAccessKeyId", scope.at(0)});
        return result;
    }
    if (scope.at(1) != amzDate.left(8)) {
        return malformed(QStringLiteral("Invalid credential date \"%1\". This date is not the same as X-Amz-Date: \"%2\".")
                             .arg(QString::fromLatin1(scope.at(1)), QString::fromLatin1(amzDate.left(8))));
    }
    if (scope.at(2) != m_credentials.region) {
        return malformed(QStringLiteral("Error parsing the X-Amz-Credential parameter; the region '%1' is wrong; expecting '%2'")
                             .arg(QString::fromLatin1(scope.at(2)), QString::fromLatin1(m_credentials.region)));
    }
    if (scope.at(3) != m_credentials.service) {
        return malformed(QStringLiteral("Error parsing the X-Amz-Credential parameter; incorrect service \"%1\". "
                                        "This endpoint belongs to \"%2\".")
                             .arg(QString::fromLatin1(scope.at(3)), QString::fromLatin1(m_credentials.service)));
    }
    if (scope.at(4) != "aws4_request") {
        return malformed(QStringLiteral("Error parsing the X-Amz-Credential parameter; incorrect terminal \"%1\". "
                                        "This endpoint uses \"aws4_request\".")
                             .arg(QString::fromLatin1(scope.at(4))));
    }

    const QDateTime now = m_now().toUTC();
    const QDateTime expiresAt = signedAt.addSecs(expiresSeconds);
    if (now.secsTo(signedAt) > allowedClockSkewSeconds) {
        Result result = failure(Verdict::NotYetValid, 403, "AccessDenied", QStringLiteral("Request is not valid yet"));
        result.details.append({"X-Amz-Date", amzDate});
        result.details.append({"ServerTime", now.toString(Qt::ISODate).toLatin1()});
        result.expiresAt = expiresAt;
        return result;
    }
    if (now > expiresAt) {
        Result result = failure(Verdict::Expired, 403, "AccessDenied", QStringLiteral("Request has expired"));
        result.details.append({"X-Amz-Expires", expires});
        result.details.append({"Expires", expiresAt.toString(Qt::ISODate).toLatin1()});
        result.details.append({"ServerTime", now.toString(Qt::ISODate).toLatin1()});
        result.expiresAt = expiresAt;
        return result;
    }

    const QList<QByteArray> signedNames = signedHeaders.split(';');
    if (!signedNames.contains("host"))
        return malformed(QStringLiteral("X-Amz-SignedHeaders must include the host header"));

    // S3 rejects x-amz-* request headers that the URL did not sign.
    QByteArray unsignedHeaders;
    for (const auto &header : request.headers) {
        const QByteArray name = header.first.toLower();
        if (name.startsWith("x-amz-") && !signedNames.contains(name)) {
            if (!unsignedHeaders.isEmpty())
                unsignedHeaders.append(',');
            unsignedHeaders.append(name);
        }
    }
    if (!unsignedHeaders.isEmpty()) {
        Result result = failure(Verdict::UnsignedHeaders, 403, "AccessDenied",
                                QStringLiteral("There were headers present in the request which were not signed"));
        result.details.append({"HeadersNotSigned", unsignedHeaders});
        result.expiresAt = expiresAt;
        return result;
    }

    // A signed header missing from the request enters the canonical request
    // with an empty value, so the signature no longer matches.
    ByteArrayPairs canonicalHeaders;
    for (const QByteArray &name : signedNames)
        canonicalHeaders.append({name, headerValues(request.headers, name)});

    const QByteArray canonical = sigv4::canonicalRequest(request.method, canonicalUri,
                                                         sigv4::canonicalQueryString(query), canonicalHeaders);
    const QByteArray toSign = sigv4::stringToSign(amzDate, credential.mid(credential.indexOf('/') + 1), canonical);
    const QByteArray key = sigv4::signingKey(m_credentials.secretAccessKey, scope.at(1), scope.at(2), scope.at(3));
    const QByteArray expected = sigv4::signature(key, toSign);

    if (!sigv4::constantTimeEquals(expected, providedSignature)) {
        Result result = failure(Verdict::SignatureMismatch, 403, "SignatureDoesNotMatch",
                                QStringLiteral("The request signature we calculated does not match the signature you "
                                               "provided. Check your key and signing method."));
        result.details.append({"AWSAccessKeyId", scope.at(0)});
        result.details.append({"StringToSign", toSign});
        result.details.append({"SignatureProvided", providedSignature});
        result.details.append({"CanonicalRequest", canonical});
        result.expiresAt = expiresAt;
        return result;
    }

    if (!m_credentials.sessionToken.isEmpty()
        && sigv4::queryValue(query, "X-Amz-Security-Token") != m_credentials.sessionToken) {
        Result result = failure(Verdict::InvalidToken, 403, "InvalidToken",
                                QStringLiteral("The provided token is malformed or otherwise invalid."));
        result.expiresAt = expiresAt;
        return result;
    }

    Result result;
    result.expiresAt = expiresAt;
    return result;
}

} // namespace tenovos::sandbox
