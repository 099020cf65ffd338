#pragma once

#include "faultrule.h"
#include "httpmessage.h"

#include <QJsonObject>

#include <memory>
#include <optional>

namespace tenovos::sandbox {

class SandboxContext;

// Serves the Tenovos REST endpoints under /v1 and the sandbox-only
// endpoints under /sandbox, once a request's JSON body is in memory.
class ApiRouter
{
public:
    explicit ApiRouter(std::shared_ptr<SandboxContext> context);

    // The fault rule kind of a request, when its method and path tell it.
    // POST /v1/asset/complete needs its body, so see completionKind().
    static std::optional<FaultRule::Kind> faultKind(const HttpRequest &request);
    static bool isCompletion(const HttpRequest &request);
    // complete or cancel, from the body's "action"; nothing when it is neither.
    static std::optional<FaultRule::Kind> completionKind(const HttpRequest &request);

    // Builds the response to an injected "status=CODE" or "expired" fault.
    static HttpResponse faultResponse(const FaultRule &rule);

    HttpResponse handle(const HttpRequest &request) const;

private:
    // Returns the 403 or 401 response when the API key or the session headers fail.
    std::optional<HttpResponse> authenticate(const HttpRequest &request) const;
    std::optional<HttpResponse> checkApiKey(const HttpRequest &request) const;
    // Parses a JSON object body, or returns the 415 or 400 response.
    std::optional<HttpResponse> parseJsonBody(const HttpRequest &request, QJsonObject *object,
                                              const QString &errorPrefix) const;

    HttpResponse signIn(const HttpRequest &request) const;
    HttpResponse signOut(const HttpRequest &request) const;
    HttpResponse createAsset(const HttpRequest &request, bool wrapInData) const;
    HttpResponse finishUpload(const HttpRequest &request) const;
    HttpResponse lookUp(const HttpRequest &request, const QByteArray &route) const;
    // POST /search/keyword: assets whose file name contains a search term.
    HttpResponse searchKeyword(const HttpRequest &request) const;
    HttpResponse sandboxEndpoint(const HttpRequest &request, const QByteArray &route) const;
    // GET, POST and DELETE /sandbox/faults.
    HttpResponse faultsEndpoint(const HttpRequest &request) const;

    std::shared_ptr<SandboxContext> m_context;
};

} // namespace tenovos::sandbox
