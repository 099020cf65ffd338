#include "apirouter.h"

#include "democatalog.h"
#include "s3gateway.h"
#include "sandboxcontext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSet>
#include <QStringList>

#include <cmath>

namespace tenovos::sandbox {

namespace {

constexpr int maxSecurityTemplates = 50;
constexpr int maxPartCount = 10000;

QString jsonString(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

QString latin1(const QByteArray &bytes)
{
    return QString::fromLatin1(bytes);
}

bool isJsonContentType(const QByteArray &contentType)
{
    const QByteArray mediaType = contentType.split(';').constFirst().trimmed().toLower();
    return mediaType == "application/json";
}

HttpResponse methodNotAllowed(const QByteArray &allowed)
{
    HttpResponse response = HttpResponse::jsonError(405, QStringLiteral("Method not allowed; this path accepts %1.")
                                                             .arg(latin1(allowed)));
    response.setHeader("Allow", allowed);
    return response;
}

HttpResponse notFound(const HttpRequest &request)
{
    return HttpResponse::jsonError(404, QStringLiteral("No endpoint %1 %2; the sandbox serves the Tenovos API under /v1 "
                                                       "and its own endpoints under /sandbox.")
                                            .arg(latin1(request.method), QString::fromUtf8(request.path)));
}

// Returns the id after a route prefix such as "/metadata/template/", decoded,
// or an empty string when the rest is empty or contains another '/'.
QString idAfter(const QByteArray &route, const QByteArray &prefix)
{
    if (!route.startsWith(prefix))
        return QString();
    const QByteArray rest = route.mid(prefix.size());
    if (rest.isEmpty() || rest.contains('/'))
        return QString();
    return QString::fromUtf8(percentDecodePath(rest));
}

HttpResponse unknownOriginalFile(const QString &originalFileId)
{
    return HttpResponse::messageDetail(403, QStringLiteral("Invalid Response from Create Asset"),
                                       QStringLiteral("originalFileId \"%1\" does not match any file; look the asset "
                                                      "up with GET /assets/asset/{id} and send its fileId.")
                                           .arg(originalFileId));
}

// Returns the stored items whose attribute the update does not mention,
// followed by the update's items.
QJsonArray mergeMetadata(const QJsonArray &stored, const QJsonArray &update)
{
    QSet<QString> updated;
    for (const QJsonValue &item : update)
        updated.insert(item.toObject().value(QStringLiteral("metadataDefinitionId")).toString());

    QJsonArray merged;
    for (const QJsonValue &item : stored) {
        if (!updated.contains(item.toObject().value(QStringLiteral("metadataDefinitionId")).toString()))
            merged.append(item);
    }
    for (const QJsonValue &item : update)
        merged.append(item);
    return merged;
}

} // namespace

ApiRouter::ApiRouter(std::shared_ptr<SandboxContext> context)
    : m_context(std::move(context))
{
}

std::optional<FaultRule::Kind> ApiRouter::faultKind(const HttpRequest &request)
{
    if (!request.path.startsWith("/v1/"))
        return std::nullopt;
    const QByteArray route = request.path.mid(3);
    if (route == "/auth/token")
        return FaultRule::Kind::Token;
    if (request.method == "POST" && (route == "/assets/asset" || route == "/asset"))
        return FaultRule::Kind::Create;
    if (request.method == "GET"
        && (route == "/security/template" || route == "/metadata/template" || route.startsWith("/metadata/template/")
            || route.startsWith("/metadata/vocabulary/") || route.startsWith("/assets/asset/"))) {
        return FaultRule::Kind::Lookup;
    }
    if (request.method == "POST" && route == "/search/keyword")
        return FaultRule::Kind::Lookup;
    return std::nullopt;
}

bool ApiRouter::isCompletion(const HttpRequest &request)
{
    return request.method == "POST" && request.path == "/v1/asset/complete";
}

std::optional<FaultRule::Kind> ApiRouter::completionKind(const HttpRequest &request)
{
    const QJsonObject body = QJsonDocument::fromJson(request.body).object();
    const QString action = body.value(QStringLiteral("action")).toString();
    if (action == QLatin1String("complete"))
        return FaultRule::Kind::Complete;
    if (action == QLatin1String("cancel"))
        return FaultRule::Kind::Cancel;
    return std::nullopt;
}

HttpResponse ApiRouter::faultResponse(const FaultRule &rule)
{
    if (rule.action == FaultRule::Action::Expired) {
        return HttpResponse::messageDetail(401, QStringLiteral("Unauthorized"),
                                           QStringLiteral("The access token has expired (injected fault \"%1\").")
                                               .arg(rule.text));
    }

    const int status = static_cast<int>(rule.argument);
    const QString detail = QStringLiteral("Injected fault \"%1\".").arg(rule.text);
    if (status == 413) {
        // A proxy in front of the API rejects a large body before the request reaches the API.
        return HttpResponse::proxyError(status, QStringLiteral("The request body is larger than the proxy accepts "
                                                               "(injected fault \"%1\").")
                                                    .arg(rule.text));
    }
    HttpResponse response;
    if (status == 401)
        response = HttpResponse::messageDetail(status, QStringLiteral("Unauthorized"), detail);
    else if (status == 403)
        response = HttpResponse::messageDetail(status, QStringLiteral("Forbidden"), detail);
    else if (status == 429)
        response = HttpResponse::messageDetail(status, QStringLiteral("Too Many Requests"), detail);
    else if (status >= 500)
        response = HttpResponse::messageDetail(status, QString::fromLatin1(reasonPhrase(status)), detail);
    else
        response = HttpResponse::jsonError(status, detail);
    if ((status == 429 || status == 503) && rule.retryAfterSeconds != FaultRule::noRetryAfter)
        response.setHeader("Retry-After", QByteArray::number(rule.retryAfterSeconds));
    return response;
}

HttpResponse ApiRouter::handle(const HttpRequest &request) const
{
    if (request.path.startsWith("/sandbox/") || request.path == "/sandbox")
        return sandboxEndpoint(request, request.path.mid(8));
    if (!request.path.startsWith("/v1/"))
        return notFound(request);

    const QByteArray route = request.path.mid(3);
    if (route == "/auth/token") {
        if (request.method == "POST")
            return signIn(request);
        if (request.method == "DELETE")
            return signOut(request);
        return methodNotAllowed("POST, DELETE");
    }
    if (route == "/assets/asset" || route == "/asset") {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        return createAsset(request, route == "/assets/asset");
    }
    if (route == "/asset/complete") {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        return finishUpload(request);
    }
    if (route == "/security/template" || route == "/metadata/template" || route.startsWith("/metadata/template/")
        || route.startsWith("/metadata/vocabulary/") || route.startsWith("/assets/asset/")) {
        if (request.method != "GET")
            return methodNotAllowed("GET");
        return lookUp(request, route);
    }
    if (route == "/search/keyword") {
        if (request.method != "POST")
            return methodNotAllowed("POST");
        return searchKeyword(request);
    }
    return notFound(request);
}

std::optional<HttpResponse> ApiRouter::checkApiKey(const HttpRequest &request) const
{
    const QByteArray key = request.header("X-API-Key");
    if (key.isEmpty()) {
        return HttpResponse::messageDetail(403, QStringLiteral("Forbidden"),
                                           QStringLiteral("The X-API-Key header is missing; send your tenant's API key."));
    }
    if (QString::fromUtf8(key) != m_context->config().apiKey) {
        return HttpResponse::messageDetail(403, QStringLiteral("Forbidden"),
                                           QStringLiteral("The X-API-Key header does not match this tenant's API key."));
    }
    return std::nullopt;
}

std::optional<HttpResponse> ApiRouter::authenticate(const HttpRequest &request) const
{
    if (auto failure = checkApiKey(request))
        return failure;

    const auto check = m_context->sessions.check(QString::fromUtf8(request.header("Authorization")),
                                                 QString::fromUtf8(request.header("AccessToken")));
    QString detail;
    switch (check) {
    case SessionStore::Check::Valid:
        return std::nullopt;
    case SessionStore::Check::Missing:
        detail = QStringLiteral("The Authorization or AccessToken header is missing; send both values from "
                                "POST /auth/token.");
        break;
    case SessionStore::Check::Unknown:
        detail = QStringLiteral("The access token is not valid; sign in again.");
        break;
    case SessionStore::Check::Mismatch:
        detail = QStringLiteral("The Authorization header does not belong to the session of the AccessToken header.");
        break;
    case SessionStore::Check::Expired:
        detail = QStringLiteral("The access token has expired; refresh it with POST /auth/token.");
        break;
    case SessionStore::Check::Revoked:
        detail = QStringLiteral("The session was signed out; sign in again.");
        break;
    }
    return HttpResponse::messageDetail(401, QStringLiteral("Unauthorized"), detail);
}

std::optional<HttpResponse> ApiRouter::parseJsonBody(const HttpRequest &request, QJsonObject *object,
                                                     const QString &errorPrefix) const
{
    if (!isJsonContentType(request.header("Content-Type"))) {
        return HttpResponse::jsonError(415, QStringLiteral("The Content-Type header is \"%1\"; send "
                                                           "Content-Type: application/json with a JSON body.")
                                                .arg(QString::fromUtf8(request.header("Content-Type"))));
    }
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &error);
    if (error.error != QJsonParseError::NoError)
        return HttpResponse::jsonError(400, QStringLiteral("%1: %2 at offset %3").arg(errorPrefix, error.errorString()).arg(error.offset));
    if (!document.isObject())
        return HttpResponse::jsonError(400, QStringLiteral("%1: the body is not a JSON object").arg(errorPrefix));
    *object = document.object();
    return std::nullopt;
}

HttpResponse ApiRouter::signIn(const HttpRequest &request) const
{
    if (auto failure = checkApiKey(request))
        return *failure;
    QJsonObject body;
    if (auto failure = parseJsonBody(request, &body, QStringLiteral("Invalid token request")))
        return *failure;

    const SandboxConfig config = m_context->config();
    SessionStore::Tokens tokens;
    QString username;
    if (body.contains(QStringLiteral("session"))) {
        const QString refreshToken = body.value(QStringLiteral("session")).toObject().value(QStringLiteral("refreshToken")).toString();
        if (refreshToken.isEmpty())
            return HttpResponse::jsonError(400, QStringLiteral("Missing fields: session.refreshToken"));
        const auto refreshed = m_context->sessions.refresh(refreshToken, config.accessTokenLifetimeSeconds);
        if (!refreshed) {
            return HttpResponse::jsonError(401, QStringLiteral("The refresh token is invalid, expired or revoked; "
                                                               "sign in with username and password."));
        }
        tokens = *refreshed;
        username = config.username;
    } else {
        username = jsonString(body, "username");
        const QString password = jsonString(body, "password");
        QStringList missing;
        if (username.isEmpty())
            missing.append(QStringLiteral("username"));
        if (password.isEmpty())
            missing.append(QStringLiteral("password"));
        if (!missing.isEmpty())
            return HttpResponse::jsonError(400, QStringLiteral("Missing fields: %1").arg(missing.join(QStringLiteral(", "))));
        if (username.compare(config.username, Qt::CaseInsensitive) != 0 || password != config.password)
            return HttpResponse::jsonError(401, QStringLiteral("Incorrect username or password."));
        tokens = m_context->sessions.signIn(config.username, config.accessTokenLifetimeSeconds,
                                            config.refreshTokenLifetimeSeconds);
    }

    const QJsonObject session{{QStringLiteral("authorization"), tokens.authorization},
                              {QStringLiteral("accessToken"), tokens.accessToken},
                              {QStringLiteral("refreshToken"), tokens.refreshToken},
                              {QStringLiteral("expireEpoch"), tokens.expireEpoch}};
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("endpointUrl"), latin1(m_context->origin() + "/v1")},
                                               {QStringLiteral("clientId"), QStringLiteral("sandbox-client-id")},
                                               {QStringLiteral("userPoolId"), QStringLiteral("us-east-1_SANDBOX")},
                                               {QStringLiteral("username"), username},
                                               {QStringLiteral("session"), session}});
}

HttpResponse ApiRouter::signOut(const HttpRequest &request) const
{
    if (auto failure = checkApiKey(request))
        return *failure;
    QString refreshToken;
    if (!request.body.trimmed().isEmpty()) {
        QJsonObject body;
        if (auto failure = parseJsonBody(request, &body, QStringLiteral("Invalid sign-out request")))
            return *failure;
        refreshToken = body.value(QStringLiteral("session")).toObject().value(QStringLiteral("refreshToken")).toString();
    }
    // An expired access token still identifies the session to revoke.
    if (!m_context->sessions.revoke(QString::fromUtf8(request.header("AccessToken")), refreshToken)) {
        return HttpResponse::messageDetail(401, QStringLiteral("Unauthorized"),
                                           QStringLiteral("No session matches the AccessToken header or the refresh token."));
    }
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("success")},
                                               {QStringLiteral("message"), QStringLiteral("Session revoked")}});
}

HttpResponse ApiRouter::createAsset(const HttpRequest &request, bool wrapInData) const
{
    if (auto failure = authenticate(request))
        return *failure;
    QJsonObject body;
    if (auto failure = parseJsonBody(request, &body, QStringLiteral("Failed to parse asset")))
        return *failure;

    const SandboxConfig config = m_context->config();
    const DemoCatalog &catalog = DemoCatalog::instance();

    AssetStore::CreateRequest create;
    create.filename = jsonString(body, "filename");
    if (create.filename.isEmpty())
        return HttpResponse::messageDetail(403, QStringLiteral("Failed to parse Asset"), QStringLiteral("Missing fields: filename"));

    const QJsonValue securityValue = body.value(QStringLiteral("securityTemplateIds"));
    const QJsonArray securityIds = securityValue.toArray();
    if (!securityValue.isArray() || securityIds.isEmpty()) {
        return HttpResponse::messageDetail(403, QStringLiteral("Invalid Asset: Missing Security Template ID(s)"),
                                           QStringLiteral("Send securityTemplateIds with 1 to 50 security template ids."));
    }
    if (securityIds.size() > maxSecurityTemplates) {
        return HttpResponse::messageDetail(403, QStringLiteral("Invalid Asset: Too many Security Template IDs"),
                                           QStringLiteral("Send 1 to 50 security template ids, not %1.").arg(securityIds.size()));
    }
    for (const QJsonValue &id : securityIds) {
        if (!catalog.hasSecurityTemplate(id.toString())) {
            return HttpResponse::messageDetail(403, QStringLiteral("Forbidden"),
                                               QStringLiteral("No access to security template \"%1\".").arg(id.toString()));
        }
        create.securityTemplateIds.append(id.toString());
    }

    create.metadataTemplateId = jsonString(body, "metadataTemplateId");
    if (create.metadataTemplateId.isEmpty()) {
        return HttpResponse::messageDetail(403, QStringLiteral("Invalid Asset: Missing Metadata Template ID"),
                                           QStringLiteral("Send metadataTemplateId with the id of a metadata template."));
    }
    const DemoCatalog::MetadataTemplate *metadataTemplate = catalog.metadataTemplate(create.metadataTemplateId);
    if (!metadataTemplate) {
        return HttpResponse::jsonError(400, QStringLiteral("Invalid metadataTemplateId: \"%1\" is not a metadata template "
                                                           "of this tenant.")
                                                .arg(create.metadataTemplateId));
    }

    const QJsonValue metadataValue = body.value(QStringLiteral("metadata"));
    if (metadataValue.isUndefined()) {
        return HttpResponse::messageDetail(403, QStringLiteral("Failed to parse Asset"),
                                           QStringLiteral("Missing fields: metadata (send [] for no values)"));
    }
    if (!metadataValue.isArray())
        return HttpResponse::jsonError(400, QStringLiteral("Failed to parse asset: metadata is not an array"));
    create.metadata = metadataValue.toArray();

    const QJsonValue sizeValue = body.value(QStringLiteral("filesize"));
    if (!sizeValue.isUndefined() && !sizeValue.isNull()) {
        const double size = sizeValue.toDouble(-1);
        if (!sizeValue.isDouble() || size < 0 || std::floor(size) != size) {
            return HttpResponse::jsonError(400, QStringLiteral("Invalid filesize: expected a whole number of bytes, "
                                                               "got %1.")
                                                    .arg(QString::fromUtf8(QJsonDocument(QJsonArray{sizeValue})
                                                                               .toJson(QJsonDocument::Compact))));
        }
        create.filesize = static_cast<qint64>(size);
        if (create.filesize > config.maxFileSize) {
            return HttpResponse::jsonError(400, QStringLiteral("Invalid Asset: filesize %1 bytes exceeds the maximum of "
                                                               "%2 bytes.")
                                                    .arg(create.filesize)
                                                    .arg(config.maxFileSize));
        }
    }

    create.originalFileId = jsonString(body, "originalFileId");
    if (!create.originalFileId.isEmpty()) {
        const auto previous = m_context->assets.metadataOfFile(create.originalFileId);
        if (!previous)
            return unknownOriginalFile(create.originalFileId);
        // A new version keeps the asset's metadata; values sent with it replace
        // those of the same attribute. Under another template nothing carries over.
        if (previous->metadataTemplateId == create.metadataTemplateId)
            create.metadata = mergeMetadata(previous->metadata, create.metadata);
    }

    const QString metadataError = catalog.validateMetadata(*metadataTemplate, create.metadata);
    if (!metadataError.isEmpty())
        return HttpResponse::jsonError(400, metadataError);

    create.partSize = config.partSize;
    create.multipartThreshold = config.multipartThreshold;
    if (create.filesize >= create.multipartThreshold && create.filesize > 0
        && (create.filesize + create.partSize - 1) / create.partSize > maxPartCount) {
        return HttpResponse::jsonError(400, QStringLiteral("Invalid Asset: filesize %1 bytes needs more than 10000 parts "
                                                           "of %2 bytes.")
                                                .arg(create.filesize)
                                                .arg(create.partSize));
    }

    const auto created = m_context->assets.create(create);
    if (!created)
        return unknownOriginalFile(create.originalFileId);

    const S3Gateway gateway(m_context);
    QJsonObject data{{QStringLiteral("objectId"), created->objectId},
                     {QStringLiteral("filename"), created->filename},
                     {QStringLiteral("fileId"), created->fileId},
                     {QStringLiteral("originalFileId"), created->originalFileId}};
    if (created->uploadId.isEmpty()) {
        data.insert(QStringLiteral("url"), gateway.singleUrl(created->objectId, created->filename));
    } else {
        QJsonArray urls;
        for (int part = 1; part <= created->partCount; ++part) {
            urls.append(QJsonObject{{QStringLiteral("partNumber"), part},
                                    {QStringLiteral("url"),
                                     gateway.partUrl(created->objectId, created->filename, created->uploadId, part)}});
        }
        data.insert(QStringLiteral("uploadId"), created->uploadId);
        data.insert(QStringLiteral("urls"), urls);
    }

    if (!wrapInData)
        return HttpResponse::json(200, data);
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("success")},
                                               {QStringLiteral("message"), QStringLiteral("Asset created successfully")},
                                               {QStringLiteral("data"), data}});
}

HttpResponse ApiRouter::finishUpload(const HttpRequest &request) const
{
    if (auto failure = authenticate(request))
        return *failure;
    QJsonObject body;
    if (auto failure = parseJsonBody(request, &body, QStringLiteral("Failed to parse asset")))
        return *failure;

    const QString action = jsonString(body, "action");
    QStringList missing;
    for (const char *field : {"fileId", "filename", "uploadId", "action"}) {
        if (jsonString(body, field).isEmpty())
            missing.append(QLatin1String(field));
    }
    if (action == QLatin1String("complete") && !body.value(QStringLiteral("parts")).isArray())
        missing.append(QStringLiteral("parts"));
    if (!missing.isEmpty())
        return HttpResponse::jsonError(400, QStringLiteral("Failed to parse asset: Missing fields: %1").arg(missing.join(QStringLiteral(", "))));
    if (action != QLatin1String("complete") && action != QLatin1String("cancel")) {
        return HttpResponse::jsonError(400, QStringLiteral("Failed to parse asset: action \"%1\" is neither \"complete\" "
                                                           "nor \"cancel\" (the value is case-sensitive).")
                                                .arg(action));
    }

    AssetStore::FinishRequest finish;
    finish.fileId = jsonString(body, "fileId");
    finish.uploadId = jsonString(body, "uploadId");
    finish.minPartSize = m_context->config().minPartSize;
    const QJsonValue sizeValue = body.value(QStringLiteral("filesize"));
    if (sizeValue.isDouble())
        finish.filesize = static_cast<qint64>(sizeValue.toDouble());

    const QJsonArray parts = body.value(QStringLiteral("parts")).toArray();
    for (qsizetype i = 0; i < parts.size(); ++i) {
        const QJsonObject part = parts.at(i).toObject();
        const QJsonValue number = part.value(QStringLiteral("partNumber"));
        const QJsonValue etag = part.value(QStringLiteral("etag"));
        if (!number.isDouble() || !etag.isString()) {
            return HttpResponse::jsonError(400, QStringLiteral("Failed to parse asset: parts[%1] needs a numeric "
                                                               "partNumber and a string etag.")
                                                    .arg(i));
        }
        finish.parts.append({number.toInt(), etag.toString()});
    }

    const AssetStore::FinishResult result = action == QLatin1String("complete") ? m_context->assets.complete(finish)
                                                                                : m_context->assets.cancel(finish);
    if (result.status != 200)
        return HttpResponse::jsonError(result.status, result.message, result.code);
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("fileId"), result.fileId},
                                               {QStringLiteral("filename"), result.filename},
                                               {QStringLiteral("action"), action},
                                               {QStringLiteral("originalFileId"), result.originalFileId},
                                               {QStringLiteral("uploadId"), result.uploadId},
                                               {QStringLiteral("s3Key"), result.s3Key},
                                               {QStringLiteral("status"), QStringLiteral("success")}});
}

HttpResponse ApiRouter::lookUp(const HttpRequest &request, const QByteArray &route) const
{
    if (auto failure = authenticate(request))
        return *failure;
    const DemoCatalog &catalog = DemoCatalog::instance();

    if (route == "/security/template") {
        if (m_context->config().securityTemplateListForbidden) {
            return HttpResponse::messageDetail(403, QStringLiteral("Forbidden"),
                                               QStringLiteral("Listing security templates needs the administrator role; "
                                                              "enter the security template id instead."));
        }
        return HttpResponse::json(200, catalog.securityTemplateListJson());
    }
    if (route == "/metadata/template")
        return HttpResponse::json(200, catalog.metadataTemplateListJson());

    if (route.startsWith("/metadata/template/")) {
        const QString id = idAfter(route, "/metadata/template/");
        const DemoCatalog::MetadataTemplate *metadataTemplate = catalog.metadataTemplate(id);
        if (!metadataTemplate)
            return HttpResponse::jsonError(404, QStringLiteral("Metadata template \"%1\" not found.").arg(id));
        return HttpResponse::json(200, catalog.metadataTemplateJson(*metadataTemplate));
    }
    if (route.startsWith("/metadata/vocabulary/")) {
        const QString id = idAfter(route, "/metadata/vocabulary/");
        const DemoCatalog::Vocabulary *vocabulary = catalog.vocabulary(id);
        if (!vocabulary)
            return HttpResponse::json(404, QJsonObject{{QStringLiteral("message"), QStringLiteral("Controlled vocabulary not found")}});
        return HttpResponse::json(200, catalog.vocabularyJson(*vocabulary));
    }

    const QString id = idAfter(route, "/assets/asset/");
    const auto asset = m_context->assets.assetJson(id);
    if (!asset)
        return HttpResponse::jsonError(404, QStringLiteral("Asset not found: no object id or file id \"%1\".").arg(id));
    return HttpResponse::json(200, QJsonObject{{QStringLiteral("status"), QStringLiteral("success")},
                                               {QStringLiteral("message"), QStringLiteral("Asset retrieved successfully")},
                                               {QStringLiteral("data"), *asset}});
}

HttpResponse ApiRouter::searchKeyword(const HttpRequest &request) const
{
    if (auto failure = authenticate(request))
        return *failure;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(request.body, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isObject())
        return HttpResponse::jsonError(400, QStringLiteral("Failed to parse search: the body is not a JSON object."));
    const QJsonObject body = document.object();

    QStringList terms;
    const QJsonValue searchTerm = body.value(QLatin1String("searchTerm"));
    if (searchTerm.isString()) {
        terms.append(searchTerm.toString());
    } else if (searchTerm.isArray()) {
        for (const QJsonValue &term : searchTerm.toArray()) {
            if (!term.isString())
                return HttpResponse::jsonError(400, QStringLiteral("Failed to parse search: searchTerm holds a non-string."));
            terms.append(term.toString());
        }
    } else {
        return HttpResponse::jsonError(400, QStringLiteral("Failed to parse search: Missing fields (searchTerm)."));
    }

    constexpr int defaultLimit = 20;
    constexpr int maxLimit = 100;
    const int from = body.value(QLatin1String("from")).toInt(0);
    const int limit = body.value(QLatin1String("limit")).toInt(defaultLimit);
    if (from < 0 || limit < 1 || limit > maxLimit) {
        return HttpResponse::jsonError(
            400, QStringLiteral("Failed to parse search: from must be 0 or more and limit from 1 to %1.").arg(maxLimit));
    }
    return HttpResponse::json(200, m_context->assets.search(terms, from, limit));
}

HttpResponse ApiRouter::sandboxEndpoint(const HttpRequest &request, const QByteArray &route) const
{
    if (route == "/assets") {
        if (request.method != "GET")
            return methodNotAllowed("GET");
        return HttpResponse::json(200, m_context->assets.toJson());
    }
    if (route.startsWith("/assets/") && route.endsWith("/content")) {
        if (request.method != "GET")
            return methodNotAllowed("GET");
        const QString objectId = idAfter(route.chopped(8), "/assets/");
        const auto content = m_context->assets.content(objectId);
        if (!content)
            return HttpResponse::jsonError(404, QStringLiteral("Asset \"%1\" has no stored content.").arg(objectId));
        HttpResponse response;
        response.setHeader("Content-Type", "application/octet-stream");
        response.streamFiles = content->files;
        response.streamLength = content->size;
        return response;
    }
    if (route == "/faults")
        return faultsEndpoint(request);
    return notFound(request);
}

HttpResponse ApiRouter::faultsEndpoint(const HttpRequest &request) const
{
    const auto listing = [this](const char *status) {
        QJsonObject body{{QStringLiteral("seed"), static_cast<qint64>(m_context->faults.seed())},
                         {QStringLiteral("rules"), m_context->faults.toJson()}};
        if (status)
            body.insert(QStringLiteral("status"), QLatin1String(status));
        return HttpResponse::json(200, body);
    };

    if (request.method == "GET")
        return listing(nullptr);
    if (request.method == "DELETE") {
        m_context->faults.clear();
        return listing("success");
    }
    if (request.method != "POST")
        return methodNotAllowed("GET, POST, DELETE");

    QJsonObject body;
    if (auto failure = parseJsonBody(request, &body, QStringLiteral("Invalid fault request")))
        return *failure;
    const QJsonValue rulesValue = body.value(QStringLiteral("rules"));
    if (!rulesValue.isArray())
        return HttpResponse::jsonError(400, QStringLiteral("Send {\"rules\": [\"RULE\", ...]}, optionally with \"seed\": N."));
    QStringList rules;
    for (const QJsonValue &rule : rulesValue.toArray()) {
        if (!rule.isString()) {
            return HttpResponse::jsonError(400, QStringLiteral("Every item of \"rules\" must be a string such as "
                                                               "\"put@3#2:status=503\"."));
        }
        rules.append(rule.toString());
    }

    // The seed is a JSON number, so it is limited to the integers a double represents exactly.
    constexpr double maxSeed = 9007199254740991.0;
    const QJsonValue seedValue = body.value(QStringLiteral("seed"));
    const double seed = seedValue.toDouble(-1);
    const bool hasSeed = !seedValue.isUndefined();
    if (hasSeed && (!seedValue.isDouble() || seed < 0 || seed > maxSeed || std::floor(seed) != seed)) {
        return HttpResponse::jsonError(400, QStringLiteral("\"seed\" must be a whole number from 0 to "
                                                           "9007199254740991."));
    }

    QString error;
    if (!m_context->faults.add(rules, &error))
        return HttpResponse::jsonError(400, error);
    if (hasSeed)
        m_context->faults.setSeed(static_cast<quint64>(seed));
    return listing("success");
}

} // namespace tenovos::sandbox
