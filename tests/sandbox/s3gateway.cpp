#include "s3gateway.h"

#include "sandboxcontext.h"
#include "sigv4signer.h"
#include "sigv4verifier.h"

#include <QDateTime>

namespace tenovos::sandbox {

namespace {

// S3's limit for one PUT, single upload or part: 5 GiB.
constexpr qint64 maxPutSize = 5368709120;
const QByteArray contentStorePrefix = QByteArrayLiteral("/contentstore/");
const QByteArray mastersPrefix = QByteArrayLiteral("/contentstore/masters/");

HttpResponse withS3Headers(HttpResponse response)
{
    response.setHeader("Server", "AmazonS3");
    return response;
}

} // namespace

S3Gateway::S3Gateway(std::shared_ptr<SandboxContext> context)
    : m_context(std::move(context))
{
}

bool S3Gateway::isContentStorePath(const QByteArray &path)
{
    return path.startsWith(contentStorePrefix);
}

int S3Gateway::partNumber(const HttpRequest &request)
{
    const ByteArrayPairs query = sigv4::parseQuery(request.query);
    if (sigv4::queryValue(query, "uploadId").isNull())
        return 1;
    bool ok = false;
    const int number = sigv4::queryValue(query, "partNumber").toInt(&ok);
    return ok ? number : 0;
}

QString S3Gateway::presign(const QString &objectId, const QString &filename, const ByteArrayPairs &query,
                           const ByteArrayPairs &signedHeaders, const ByteArrayPairs &trailingQuery) const
{
    const SandboxConfig config = m_context->config();
    SigV4Signer::Request request;
    request.method = "PUT";
    request.host = m_context->hostAndPort();
    request.encodedPath = mastersPrefix + objectId.toLatin1() + '/' + sigv4::uriEncode(filename.toUtf8());
    request.query = query;
    request.signedHeaders = signedHeaders;
    request.trailingQuery = trailingQuery;

    // A lifetime of zero or less hands out URLs that expired when issued: dated
    // in the past with X-Amz-Expires=1, because S3 rejects a negative expiry.
    const QDateTime now = QDateTime::currentDateTimeUtc();
    if (config.urlLifetimeSeconds > 0) {
        request.signedAt = now;
        request.expiresSeconds = config.urlLifetimeSeconds;
    } else {
        request.signedAt = now.addSecs(config.urlLifetimeSeconds - 2);
        request.expiresSeconds = 1;
    }

    const SigV4Signer signer(m_context->s3Credentials());
    return QString::fromLatin1(m_context->origin() + signer.presignedTarget(request));
}

QString S3Gateway::partUrl(const QString &objectId, const QString &filename, const QString &uploadId,
                           int partNumber) const
{
    return presign(objectId, filename,
                   {{"uploadId", uploadId.toLatin1()}, {"partNumber", QByteArray::number(partNumber)}}, {}, {});
}

QString S3Gateway::singleUrl(const QString &objectId, const QString &filename) const
{
    return presign(objectId, filename, {}, {{"x-amz-meta-objectid", objectId.toLatin1()}},
                   {{"x-amz-meta-objectid", objectId.toLatin1()}});
}

std::variant<AssetStore::PutTarget, HttpResponse> S3Gateway::beginPut(const HttpRequest &request) const
{
    if (request.chunked) {
        return withS3Headers(HttpResponse::s3Error(501, "NotImplemented",
                                                   QStringLiteral("A header you provided implies functionality that is "
                                                                  "not implemented"),
                                                   request.path, {{"Header", "Transfer-Encoding"}}));
    }
    if (request.contentLength < 0) {
        return withS3Headers(HttpResponse::s3Error(411, "MissingContentLength",
                                                   QStringLiteral("You must provide the Content-Length HTTP header."),
                                                   request.path));
    }
    if (request.contentLength > maxPutSize) {
        return withS3Headers(HttpResponse::s3Error(400, "EntityTooLarge",
                                                   QStringLiteral("Your proposed upload exceeds the maximum allowed size"),
                                                   request.path,
                                                   {{"ProposedSize", QByteArray::number(request.contentLength)},
                                                    {"MaxSizeAllowed", QByteArray::number(maxPutSize)}}));
    }

    const SigV4Verifier verifier(m_context->s3Credentials());
    const SigV4Verifier::Result verdict = verifier.verify({request.method, request.target, request.headers});
    if (!verdict.isValid()) {
        return withS3Headers(HttpResponse::s3Error(verdict.httpStatus, verdict.s3Code, verdict.message, request.path,
                                                   verdict.details));
    }

    // The key is masters/<objectId>/<file name>; anything else was never handed out.
    const QByteArray key = request.path.mid(mastersPrefix.size());
    const qsizetype slash = key.indexOf('/');
    if (!request.path.startsWith(mastersPrefix) || slash <= 0 || key.indexOf('/', slash + 1) >= 0) {
        return withS3Headers(HttpResponse::s3Error(403, "AccessDenied", QStringLiteral("Access Denied"), request.path));
    }
    const QString objectId = QString::fromUtf8(percentDecodePath(key.left(slash)));
    const QString filename = QString::fromUtf8(percentDecodePath(key.mid(slash + 1)));

    const ByteArrayPairs query = sigv4::parseQuery(request.query);
    const QByteArray uploadId = sigv4::queryValue(query, "uploadId");
    int number = 1;
    if (!uploadId.isNull()) {
        bool ok = false;
        number = sigv4::queryValue(query, "partNumber").toInt(&ok);
        if (!ok) {
            return withS3Headers(HttpResponse::s3Error(400, "InvalidArgument",
                                                       QStringLiteral("Part number must be an integer between 1 and "
                                                                      "10000, inclusive"),
                                                       request.path));
        }
    }

    auto target = m_context->assets.beginPut(objectId, filename, QString::fromLatin1(uploadId), number);
    if (const auto *error = std::get_if<AssetStore::PutError>(&target)) {
        ByteArrayPairs details;
        if (!uploadId.isNull())
            details.append({"UploadId", uploadId});
        return withS3Headers(HttpResponse::s3Error(error->status, error->code, error->message, request.path, details));
    }
    return std::get<AssetStore::PutTarget>(target);
}

void S3Gateway::countPut(const HttpRequest &request) const
{
    const QByteArray key = request.path.mid(mastersPrefix.size());
    const qsizetype slash = key.indexOf('/');
    if (!request.path.startsWith(mastersPrefix) || slash <= 0 || key.indexOf('/', slash + 1) >= 0)
        return;
    const ByteArrayPairs query = sigv4::parseQuery(request.query);
    const QByteArray uploadId = sigv4::queryValue(query, "uploadId");
    m_context->assets.countPut(QString::fromUtf8(percentDecodePath(key.left(slash))),
                               QString::fromUtf8(percentDecodePath(key.mid(slash + 1))), QString::fromLatin1(uploadId),
                               partNumber(request));
}

HttpResponse S3Gateway::finishPut(const AssetStore::PutTarget &target, qint64 size, const QByteArray &md5Hex,
                                  bool sendEtag) const
{
    if (const auto error = m_context->assets.finishPut(target, size, md5Hex)) {
        ByteArrayPairs details;
        if (!target.uploadId.isEmpty())
            details.append({"UploadId", target.uploadId.toLatin1()});
        return withS3Headers(HttpResponse::s3Error(error->status, error->code, error->message, QByteArray(), details));
    }
    HttpResponse response;
    if (sendEtag)
        response.setHeader("ETag", '"' + md5Hex + '"');
    response.setHeader("x-amz-request-id", newRequestId());
    return withS3Headers(response);
}

HttpResponse S3Gateway::faultResponse(const FaultRule &rule, const HttpRequest &request)
{
    if (rule.action == FaultRule::Action::Expired) {
        const ByteArrayPairs query = sigv4::parseQuery(request.query);
        const QByteArray expires = sigv4::queryValue(query, "X-Amz-Expires");
        const QDateTime signedAt = sigv4::parseAmzDate(sigv4::queryValue(query, "X-Amz-Date"));
        ByteArrayPairs details{{"X-Amz-Expires", expires}};
        if (signedAt.isValid())
            details.append({"Expires", signedAt.addSecs(expires.toLongLong()).toString(Qt::ISODate).toLatin1()});
        details.append({"ServerTime", QDateTime::currentDateTimeUtc().toString(Qt::ISODate).toLatin1()});
        return withS3Headers(HttpResponse::s3Error(403, "AccessDenied", QStringLiteral("Request has expired"),
                                                   request.path, details));
    }
    if (rule.action == FaultRule::Action::ExpiredToken) {
        // What S3 returns when the temporary credentials behind a presigned
        // URL expire before X-Amz-Expires runs out.
        return withS3Headers(HttpResponse::s3Error(403, "ExpiredToken", QStringLiteral("The provided token has expired."),
                                                   request.path));
    }

    const int status = static_cast<int>(rule.argument);
    if (status == 413) {
        // A proxy in front of S3 rejects a large body before the request reaches S3.
        return HttpResponse::proxyError(status, QStringLiteral("The request body is larger than the proxy accepts "
                                                               "(injected fault \"%1\").")
                                                    .arg(rule.text));
    }
    QByteArray code = "InternalError";
    QString message = QStringLiteral("We encountered an internal error. Please try again.");
    if (status == 503) {
        code = "SlowDown";
        message = QStringLiteral("Please reduce your request rate.");
    } else if (status == 429) {
        code = "TooManyRequests";
        message = QStringLiteral("Please reduce your request rate.");
    } else if (status == 403) {
        code = "AccessDenied";
        message = QStringLiteral("Access Denied");
    } else if (status == 404) {
        code = "NoSuchUpload";
        message = QStringLiteral("The specified upload does not exist.");
    } else if (status == 400) {
        code = "BadRequest";
        message = QStringLiteral("Bad Request");
    } else if (status < 500) {
        code = reasonPhrase(status).replace(' ', QByteArray());
        message = QString::fromLatin1(reasonPhrase(status));
    }
    HttpResponse response = HttpResponse::s3Error(status, code, message + QStringLiteral(" (injected fault \"%1\")").arg(rule.text),
                                                  request.path);
    if ((status == 429 || status == 503) && rule.retryAfterSeconds != FaultRule::noRetryAfter)
        response.setHeader("Retry-After", QByteArray::number(rule.retryAfterSeconds));
    return withS3Headers(response);
}

} // namespace tenovos::sandbox
