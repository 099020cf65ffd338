#include "apiclient.h"

#include "logging.h"
#include "session.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QRandomGenerator>

namespace tenovos {

namespace {

QString encodedId(const QString &id)
{
    return QString::fromLatin1(QUrl::toPercentEncoding(id));
}

QByteArray userAgent()
{
#ifdef TENOVOS_VERSION_STRING
    return QByteArrayLiteral("TenovosUploader/" TENOVOS_VERSION_STRING);
#else
    return QByteArrayLiteral("TenovosUploader");
#endif
}

QJsonObject objectOf(const QJsonValue &value)
{
    return value.toObject();
}

} // namespace

ApiClient::ApiClient(QObject *parent)
    : QObject(parent)
    , m_network(new QNetworkAccessManager(this))
{
}

ApiClient::~ApiClient() = default;

void ApiClient::setBaseUrl(const QUrl &baseUrl)
{
    QUrl url = baseUrl.adjusted(QUrl::RemoveQuery | QUrl::RemoveFragment | QUrl::StripTrailingSlash);
    m_baseUrl = url;
}

void ApiClient::setSession(Session *session)
{
    m_session = session;
}

Session *ApiClient::session() const
{
    return m_session;
}

void ApiClient::setRetryPolicy(int maxRetries, int firstDelayMilliseconds)
{
    m_maxRetries = qMax(0, maxRetries);
    m_firstRetryDelayMs = qMax(0, firstDelayMilliseconds);
}

bool ApiClient::isOutage(const ApiError &error)
{
    return error.httpStatus() == 0
        && (error.kind() == ApiError::Kind::Network || error.kind() == ApiError::Kind::Timeout)
        && error.isRetryable();
}

int ApiClient::outageRetryDelay(int attempt) const
{
    return qMin(retryDelay(attempt, -1), kOutageProbeIntervalMs);
}

int ApiClient::retryDelay(int attempt, int retryAfterSeconds) const
{
    // The server's Retry-After wins, capped at two minutes.
    if (retryAfterSeconds >= 0)
        return qMin(retryAfterSeconds, 120) * 1000;
    const int exponent = qBound(0, attempt - 1, 6);
    const qint64 base = qint64(m_firstRetryDelayMs) << exponent;
    // Up to 20 % jitter, so parallel parts that failed together do not retry
    // in lockstep.
    const qint64 jitter = base > 0 ? QRandomGenerator::global()->bounded(base / 5 + 1) : 0;
    return int(qMin<qint64>(base + jitter, 60000));
}

QUrl ApiClient::endpointUrl(const QString &path) const
{
    QUrl url = m_baseUrl;
    url.setPath(m_baseUrl.path(QUrl::FullyEncoded) + path, QUrl::TolerantMode);
    return url;
}

QNetworkRequest ApiClient::buildRequest(const ApiCall::Spec &spec) const
{
    QNetworkRequest request(endpointUrl(spec.path));
    request.setRawHeader("X-API-Key", m_apiKey.toUtf8());
    request.setRawHeader("Accept", "application/json");
    request.setRawHeader("User-Agent", userAgent());
    if (!spec.body.isEmpty() || spec.method == "POST")
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));

    if (spec.authenticated) {
        const SessionTokens tokens = spec.tokens.has_value()
            ? *spec.tokens
            : (m_session ? m_session->tokens() : SessionTokens());
        request.setRawHeader("Authorization", tokens.authorization.toUtf8());
        request.setRawHeader("AccessToken", tokens.accessToken.toUtf8());
    }

    request.setTransferTimeout(m_timeoutMs);
    // A redirect to another host would carry the API key and tokens there.
    request.setAttribute(QNetworkRequest::RedirectPolicyAttribute,
                         QNetworkRequest::SameOriginRedirectPolicy);
    return request;
}

template <typename T, typename Parser>
ApiCall *ApiClient::startCall(const ApiCall::Spec &spec, QObject *context,
                              ApiCallback<T> callback, Parser parser)
{
    auto *call = new ApiCall(this, spec);
    QPointer<QObject> guard(context);
    const bool hasContext = context != nullptr;
    const QString operation = call->operation();
    call->m_handler = [guard, hasContext, callback = std::move(callback), parser,
                       operation](const Result<QJsonValue> &raw) {
        if (hasContext && !guard)
            return;
        if (!raw) {
            callback(raw.error());
            return;
        }
        callback(parser(raw.value(), operation));
    };
    if (context)
        connect(context, &QObject::destroyed, call, &ApiCall::abort);
    call->start();
    return call;
}

ApiCall *ApiClient::requestToken(const QString &username, const QString &password,
                                 QObject *context, ApiCallback<SessionTokens> callback)
{
    QJsonObject body;
    body.insert(QLatin1String("username"), username);
    body.insert(QLatin1String("password"), password);

    ApiCall::Spec spec;
    spec.method = "POST";
    spec.path = QStringLiteral("/auth/token");
    spec.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    spec.authenticated = false;
    return startCall<SessionTokens>(spec, context, std::move(callback),
                                    [](const QJsonValue &value, const QString &operation) {
                                        return SessionTokens::fromJson(objectOf(value), operation);
                                    });
}

ApiCall *ApiClient::refreshToken(const QString &accessToken, const QString &refreshToken,
                                 QObject *context, ApiCallback<SessionTokens> callback)
{
    QJsonObject session;
    if (!accessToken.isEmpty())
        session.insert(QLatin1String("accessToken"), accessToken);
    session.insert(QLatin1String("refreshToken"), refreshToken);
    QJsonObject body;
    body.insert(QLatin1String("session"), session);

    ApiCall::Spec spec;
    spec.waitsOutOutage = true;
    spec.method = "POST";
    spec.path = QStringLiteral("/auth/token");
    spec.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    spec.authenticated = false;
    return startCall<SessionTokens>(spec, context, std::move(callback),
                                    [](const QJsonValue &value, const QString &operation) {
                                        return SessionTokens::fromJson(objectOf(value), operation);
                                    });
}

ApiCall *ApiClient::revokeToken(const SessionTokens &tokens, QObject *context,
                                ApiCallback<void> callback)
{
    ApiCall::Spec spec;
    spec.method = "DELETE";
    spec.path = QStringLiteral("/auth/token");
    spec.tokens = tokens;
    return startCall<void>(spec, context, std::move(callback),
                           [](const QJsonValue &, const QString &) { return Result<void>(); });
}

ApiCall *ApiClient::createAsset(const CreateAssetRequest &request, QObject *context,
                                ApiCallback<CreatedAsset> callback)
{
    ApiCall::Spec spec;
    spec.waitsOutOutage = true;
    spec.method = "POST";
    spec.path = QStringLiteral("/assets/asset");
    spec.body = QJsonDocument(request.toJson()).toJson(QJsonDocument::Compact);
    spec.retryPolicy = ApiCall::RetryPolicy::NotIdempotent;
    return startCall<CreatedAsset>(spec, context, std::move(callback),
                                   [](const QJsonValue &value, const QString &operation) {
                                       return CreatedAsset::fromJson(objectOf(value), operation);
                                   });
}

ApiCall *ApiClient::completeUpload(const CompleteUploadRequest &request, QObject *context,
                                   ApiCallback<CompletedUpload> callback)
{
    ApiCall::Spec spec;
    spec.waitsOutOutage = true;
    spec.method = "POST";
    spec.path = QStringLiteral("/asset/complete");
    spec.body = QJsonDocument(request.toJson()).toJson(QJsonDocument::Compact);
    // Completing or cancelling twice does no harm: the second call fails with
    // NoSuchUpload, which UploadTask checks with a look-up of the file.
    spec.retryPolicy = ApiCall::RetryPolicy::Idempotent;
    return startCall<CompletedUpload>(spec, context, std::move(callback),
                                      [](const QJsonValue &value, const QString &operation) {
                                          return CompletedUpload::fromJson(objectOf(value),
                                                                           operation);
                                      });
}

ApiCall *ApiClient::getAsset(const QString &id, QObject *context, ApiCallback<AssetInfo> callback)
{
    ApiCall::Spec spec;
    spec.waitsOutOutage = true;
    spec.method = "GET";
    spec.path = QStringLiteral("/assets/asset/") + encodedId(id);
    return startCall<AssetInfo>(spec, context, std::move(callback),
                                [](const QJsonValue &value, const QString &operation) {
                                    return AssetInfo::fromJson(objectOf(value), operation);
                                });
}

ApiCall *ApiClient::searchAssets(const QString &term, int limit, QObject *context,
                                 ApiCallback<QList<AssetInfo>> callback)
{
    ApiCall::Spec spec;
    spec.waitsOutOutage = true;
    spec.method = "POST";
    spec.path = QStringLiteral("/search/keyword");
    const QJsonObject body{{QStringLiteral("from"), 0},
                           {QStringLiteral("limit"), limit},
                           {QStringLiteral("searchTerm"), QJsonArray{term}}};
    spec.body = QJsonDocument(body).toJson(QJsonDocument::Compact);
    // A search changes nothing, so it is retried like a GET.
    spec.retryPolicy = ApiCall::RetryPolicy::Idempotent;
    return startCall<QList<AssetInfo>>(spec, context, std::move(callback),
                                       &AssetInfo::listFromSearch);
}

ApiCall *ApiClient::securityTemplates(QObject *context, ApiCallback<SecurityTemplateList> callback)
{
    ApiCall::Spec spec;
    spec.method = "GET";
    spec.path = QStringLiteral("/security/template");
    return startCall<SecurityTemplateList>(spec, context, std::move(callback),
                                           &SecurityTemplate::listFromJson);
}

ApiCall *ApiClient::metadataTemplates(QObject *context, ApiCallback<MetadataTemplateList> callback)
{
    ApiCall::Spec spec;
    spec.method = "GET";
    spec.path = QStringLiteral("/metadata/template");
    return startCall<MetadataTemplateList>(spec, context, std::move(callback),
                                           &MetadataTemplateSummary::listFromJson);
}

ApiCall *ApiClient::metadataTemplate(const QString &id, QObject *context,
                                     ApiCallback<MetadataTemplate> callback)
{
    ApiCall::Spec spec;
    spec.method = "GET";
    spec.path = QStringLiteral("/metadata/template/") + encodedId(id);
    return startCall<MetadataTemplate>(spec, context, std::move(callback),
                                       &MetadataTemplate::fromJson);
}

ApiCall *ApiClient::vocabulary(const QString &id, QObject *context, ApiCallback<Vocabulary> callback)
{
    ApiCall::Spec spec;
    spec.method = "GET";
    spec.path = QStringLiteral("/metadata/vocabulary/") + encodedId(id);
    return startCall<Vocabulary>(spec, context, std::move(callback),
                                 [id](const QJsonValue &value, const QString &operation) {
                                     return Vocabulary::fromJson(id, value, operation);
                                 });
}

} // namespace tenovos
