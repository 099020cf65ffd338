#pragma once

#include "apierror.h"

#include <QJsonArray>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>
#include <QUrl>

// Value types the UploadEngine takes and reports: settings, batches, items,
// states and results. All are registered metatypes, so they cross threads
// in queued signals and QMetaObject::invokeMethod().
namespace tenovos {

// Life of one file in the queue:
//   Queued -> Creating -> Uploading -> Completing -> Done
// and from any state before Done: Failed or Cancelled. Paused keeps a file
// waiting (pause()) until resume() queues it again.
enum class TaskState { Queued, Creating, Uploading, Completing, Done, Failed, Cancelled, Paused };

// Life of one part: Pending -> Uploading -> Done, with Retrying while a
// failed PUT waits to be sent again, and Failed when it gave up.
enum class PartState { Pending, Uploading, Retrying, Done, Failed };

enum class UploadMode {
    NewAsset,     // each file becomes a new asset
    NewVersion,   // the file becomes a new version of UploadBatch::versionOfObjectId
    MetadataOnly, // an asset without content, named UploadBatch::metadataOnlyName
};

// Whether a task in this state will not change any more by itself.
bool isFinalState(TaskState state);
QString taskStateName(TaskState state); // "queued", "done"... for logs and JSON
QString partStateName(PartState state);

// Engine configuration; see UploadEngine::configure().
struct EngineSettings
{
    // Tenovos API base URL, such as https://api.tenovos.io/v1.
    QUrl baseUrl;
    QString apiKey;

    // Parts in flight across the whole queue, 1..16.
    int maxParallelParts = 4;
    // Files in flight (creating, uploading or completing), 1..16.
    int maxParallelFiles = 4;

    // Bytes per part of a multipart upload. Tenovos fixes 100 MiB; this must
    // match the server, because the client cuts the file where the server's
    // URL list expects it.
    qint64 partSize = 104857600;
    // Files of at least this many bytes are uploaded in parts; smaller ones
    // with one PUT. Tenovos requires a single upload below 5 MiB.
    qint64 multipartThreshold = 5242880;

    // Milliseconds without any transferred byte before a REST call fails.
    int requestTimeoutMs = 60000;
    // Milliseconds without any transferred byte before a part PUT is aborted
    // and, like any other failed PUT, retried.
    int transferTimeoutMs = 60000;
    // Retries of a failed part PUT or REST call when a retry can help: the
    // default 4 makes 5 attempts in all.
    int maxRetries = 4;
    // Delay before the first retry in milliseconds; doubled for each next one.
    int retryDelayMs = 1000;
    // How long a request keeps being retried, beyond maxRetries, while the
    // server cannot be reached at all (connection refused or reset, host
    // not found, timed out): the network is away, as on a train or while a
    // VPN reconnects. Retries then come at most kOutageProbeIntervalMs apart.
    int outageToleranceMs = 30 * 60 * 1000;
    // Seconds before the access token's expiry at which it is renewed.
    int renewalMarginSeconds = 300;
};

// Settings shared by the files of one enqueue() call: what the form asked.
struct UploadBatch
{
    UploadMode mode = UploadMode::NewAsset;
    QStringList securityTemplateIds; // 1 to 50 ids
    QString metadataTemplateId;
    // Metadata items as POST /assets/asset takes them, for example
    // {"metadataDefinitionId": ID, "metadataDefinitionValue": "text"};
    // MetadataValues builds them.
    QJsonArray metadata;
    QString versionOfObjectId; // NewVersion: object id of the asset to version
    QString metadataOnlyName;  // MetadataOnly: placeholder file name of the asset
};

// One file to upload, under an id the caller chooses and uses in every
// signal about it. Ids must be unique within the engine.
struct UploadItem
{
    QString id;
    QString filePath; // empty for a metadata-only item
};

// Outcome of one file, reported by UploadEngine::taskFinished().
struct UploadResult
{
    QString id;
    QString filePath;
    QString filename; // name sent to Tenovos
    QString objectId; // empty when creating the asset failed
    QString fileId;
    TaskState state = TaskState::Queued; // Done, Failed or Cancelled
    ApiError error;                      // kind None unless Failed
};

using UploadItemList = QList<UploadItem>;

// Registers the types above and the API value types with QMetaType; the
// engine calls it, and it is safe to call more than once.
void registerMetaTypes();

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::TaskState)
Q_DECLARE_METATYPE(tenovos::PartState)
Q_DECLARE_METATYPE(tenovos::UploadMode)
Q_DECLARE_METATYPE(tenovos::EngineSettings)
Q_DECLARE_METATYPE(tenovos::UploadBatch)
Q_DECLARE_METATYPE(tenovos::UploadItem)
Q_DECLARE_METATYPE(tenovos::UploadResult)
