#pragma once

#include "apicall.h"
#include "apitypes.h"
#include "result.h"

#include <QNetworkRequest>
#include <QObject>
#include <QPointer>
#include <QUrl>

#include <functional>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace tenovos {

class Session;

template <typename T>
using ApiCallback = std::function<void(const Result<T> &)>;

// Typed asynchronous calls of the Tenovos REST API.
//
// Every call returns an ApiCall (owned by the client, deleted after it
// finishes) and later runs the callback once with a value or an ApiError,
// unless the call is aborted or the context object is destroyed first.
// Authenticated calls send X-API-Key, Authorization (as it is, without
// "Bearer"), AccessToken and, with a JSON body, Content-Type:
// application/json. A 401 makes the client renew the session once through
// the Session and repeat the call.
class ApiClient : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ApiClient)

public:
    explicit ApiClient(QObject *parent = nullptr);
    ~ApiClient() override;

    // Base URL of the tenant, such as https://api.tenovos.io/v1.
    void setBaseUrl(const QUrl &baseUrl);
    QUrl baseUrl() const { return m_baseUrl; }

    void setApiKey(const QString &apiKey) { m_apiKey = apiKey; }
    bool hasApiKey() const { return !m_apiKey.isEmpty(); }

    // The session whose tokens authenticate calls and which renews them
    // after a 401. The client does not own it.
    void setSession(Session *session);
    Session *session() const;

    // Time without any transferred byte after which a call fails as timed out.
    void setTimeout(int milliseconds) { m_timeoutMs = milliseconds; }
    int timeout() const { return m_timeoutMs; }

    // Retries after a retryable failure, and the delay before the first one
    // (doubled for each further retry, or the server's Retry-After).
    void setRetryPolicy(int maxRetries, int firstDelayMilliseconds);
    int maxRetries() const { return m_maxRetries; }
    int retryDelay(int attempt, int retryAfterSeconds) const;

    // How long a call that reaches no server at all keeps being retried
    // beyond maxRetries(); 0 turns this off.
    void setOutageTolerance(int milliseconds) { m_outageToleranceMs = milliseconds; }
    int outageTolerance() const { return m_outageToleranceMs; }
    // Whether error means that no server responded: connection refused or
    // reset, host not found, or timed out without a response.
    static bool isOutage(const ApiError &error);
    // The retry delay during an outage: the usual backoff, at most
    // kOutageProbeIntervalMs, so that the return of the network is noticed.
    int outageRetryDelay(int attempt) const;
    static constexpr int kOutageProbeIntervalMs = 15000;

    QNetworkAccessManager *networkAccessManager() const { return m_network; }

    // POST /auth/token with a user name and password.
    ApiCall *requestToken(const QString &username, const QString &password, QObject *context,
                          ApiCallback<SessionTokens> callback);
    // POST /auth/token with {"session": {accessToken, refreshToken}};
    // accessToken may be empty when only a saved refresh token is known.
    ApiCall *refreshToken(const QString &accessToken, const QString &refreshToken,
                          QObject *context, ApiCallback<SessionTokens> callback);
    // DELETE /auth/token with the given session's headers.
    ApiCall *revokeToken(const SessionTokens &tokens, QObject *context,
                         ApiCallback<void> callback);

    // POST /assets/asset.
    ApiCall *createAsset(const CreateAssetRequest &request, QObject *context,
                         ApiCallback<CreatedAsset> callback);
    // POST /asset/complete, with action "complete" or "cancel".
    ApiCall *completeUpload(const CompleteUploadRequest &request, QObject *context,
                            ApiCallback<CompletedUpload> callback);
    // GET /assets/asset/{id}; id is an object id or a file id.
    ApiCall *getAsset(const QString &id, QObject *context, ApiCallback<AssetInfo> callback);
    // POST /search/keyword with one search term: the first limit assets
    // whose metadata matches it.
    ApiCall *searchAssets(const QString &term, int limit, QObject *context,
                          ApiCallback<QList<AssetInfo>> callback);

    // GET /security/template.
    ApiCall *securityTemplates(QObject *context, ApiCallback<SecurityTemplateList> callback);
    // GET /metadata/template.
    ApiCall *metadataTemplates(QObject *context, ApiCallback<MetadataTemplateList> callback);
    // GET /metadata/template/{id}.
    ApiCall *metadataTemplate(const QString &id, QObject *context,
                              ApiCallback<MetadataTemplate> callback);
    // GET /metadata/vocabulary/{id}.
    ApiCall *vocabulary(const QString &id, QObject *context, ApiCallback<Vocabulary> callback);

    // The URL of path below the base URL; path is percent-encoded.
    QUrl endpointUrl(const QString &path) const;

private:
    friend class ApiCall;

    template <typename T, typename Parser>
    ApiCall *startCall(const ApiCall::Spec &spec, QObject *context, ApiCallback<T> callback,
                       Parser parser);

    QNetworkRequest buildRequest(const ApiCall::Spec &spec) const;

    QNetworkAccessManager *m_network = nullptr;
    QPointer<Session> m_session;
    QUrl m_baseUrl;
    QString m_apiKey;
    int m_timeoutMs = 60000;
    int m_maxRetries = 3;
    int m_firstRetryDelayMs = 1000;
    int m_outageToleranceMs = 0;
};

} // namespace tenovos
