#pragma once

#include "assetstore.h"
#include "faultrule.h"
#include "httpmessage.h"

#include <memory>
#include <variant>

namespace tenovos::sandbox {

class SandboxContext;

// The S3 side of the sandbox: presigns part and single-upload URLs under
// /contentstore/masters/<objectId>/<file name> and checks each PUT the way
// S3 does before its body is read.
class S3Gateway
{
public:
    explicit S3Gateway(std::shared_ptr<SandboxContext> context);

    static bool isContentStorePath(const QByteArray &path);
    // The part number a PUT carries: partNumber of a multipart URL, 1 for a
    // single upload, 0 when partNumber is not a number.
    static int partNumber(const HttpRequest &request);

    // URL of one part of a multipart upload; signs the host header only.
    QString partUrl(const QString &objectId, const QString &filename, const QString &uploadId, int partNumber) const;
    // URL of a single upload; signs host and x-amz-meta-objectid and repeats
    // x-amz-meta-objectid in the query, as Tenovos' own URLs do.
    QString singleUrl(const QString &objectId, const QString &filename) const;

    // Checks length, signature, expiry and the upload, then reserves where
    // the body goes. Returns S3's error response when a check fails.
    std::variant<AssetStore::PutTarget, HttpResponse> beginPut(const HttpRequest &request) const;
    // Counts a PUT against the part its path and query name, before any
    // check or fault, for the putCounts of GET /sandbox/assets.
    void countPut(const HttpRequest &request) const;
    // Stores a received body and returns 200 with ETag "<md5 hex>" (unless
    // sendEtag is false), or S3's error when the upload ended meanwhile.
    HttpResponse finishPut(const AssetStore::PutTarget &target, qint64 size, const QByteArray &md5Hex,
                           bool sendEtag) const;

    // Builds the response to an injected status=CODE, expired or expired-token fault on a PUT.
    static HttpResponse faultResponse(const FaultRule &rule, const HttpRequest &request);

private:
    QString presign(const QString &objectId, const QString &filename, const ByteArrayPairs &query,
                    const ByteArrayPairs &signedHeaders, const ByteArrayPairs &trailingQuery) const;

    std::shared_ptr<SandboxContext> m_context;
};

} // namespace tenovos::sandbox
