// UploadTask's recovery from a create call whose outcome is unknown. A create
// whose connection broke, or that timed out or got a 5xx, may still have made
// the asset on the server. Creating again could then leave two assets for one
// file, so the task first searches Tenovos for an asset that the lost call
// made, and adopts it when it finds one.

#include "uploadtask.h"

#include "apicall.h"
#include "apiclient.h"
#include "logging.h"

#include <QDir>

namespace tenovos {

namespace {

// Client and server clocks differ, so an asset created up to this long before
// the create was sent (by the client's clock) may still be the one it made.
constexpr qint64 kClockSkewMs = 5 * 60 * 1000;
// Search hits read per look-up. Same-named assets beyond these are older.
constexpr int kSearchLimit = 50;

} // namespace

bool UploadTask::createOutcomeUnknown(const ApiError &error) const
{
    // ApiCall retries a create only where the server cannot have acted
    // (connection refused, 429, 503). A 429 that is still failing had no
    // effect either. A dropped connection, a timeout or another 5xx may have
    // created the asset.
    return error.isRetryable() && error.kind() != ApiError::Kind::RateLimited;
}

void UploadTask::recoverCreate(const ApiError &error)
{
    m_createUnresolved = true;
    m_lastCreateError = error;
    ++m_createRecoveries;
    const int delay = m_client->retryDelay(m_createRecoveries, error.retryAfterSeconds());
    qCInfo(lcUpload).noquote() << "The create call for" << filename()
                               << "ended without a response (" << error.logMessage()
                               << "); searching for the asset in" << delay << "ms";
    if (m_cancelRequested) {
        lookForLostCreate();
        return;
    }
    m_createRetryTimer.start(delay);
}

void UploadTask::lookForLostCreate()
{
    m_callIsCreate = false;
    m_call = m_client->searchAssets(
        filename(), kSearchLimit, this, [this](const Result<QList<AssetInfo>> &result) {
            m_call = nullptr;
            if (!result) {
                if (m_cancelRequested) {
                    finishTask(TaskState::Cancelled);
                    return;
                }
                if (waitForSignIn(result.error()))
                    return;
                failTask(lostCreateError(result.error()));
                return;
            }
            const std::optional<AssetInfo> lost = findLostCreate(result.value());
            if (lost) {
                adoptLostCreate(*lost);
                return;
            }
            qCInfo(lcUpload).noquote() << "No asset named" << filename()
                                       << "was created by the lost call";
            m_createUnresolved = false;
            if (m_cancelRequested) {
                finishTask(TaskState::Cancelled);
                return;
            }
            if (m_createRecoveries > m_client->maxRetries()) {
                failTask(withFileContext(m_lastCreateError, tr("create the asset for")));
                return;
            }
            createAsset();
        });
}

std::optional<AssetInfo> UploadTask::findLostCreate(const QList<AssetInfo> &assets) const
{
    const QDateTime earliest = m_createSentAt.addMSecs(-kClockSkewMs);
    std::optional<AssetInfo> newest;
    for (const AssetInfo &asset : assets) {
        if (asset.filename != filename())
            continue;
        const QDateTime created = asset.created();
        if (!created.isValid() || created < earliest)
            continue;
        // A new version lands in the versioned asset, and a new asset is any
        // other one.
        if (!m_versionedObjectId.isEmpty()) {
            if (asset.objectId != m_versionedObjectId || asset.fileId == m_originalFileId)
                continue;
        } else if (!m_firstFileId.isEmpty() && asset.fileId == m_firstFileId) {
            continue;
        }
        // A create for a multipart upload declares the size, so an asset
        // with another size came from another upload.
        if (m_batch.mode != UploadMode::MetadataOnly && asset.fileSizeInBytes > 0
            && asset.fileSizeInBytes != m_lostCreateSize) {
            continue;
        }
        if (!newest || created > newest->created())
            newest = asset;
    }
    return newest;
}

void UploadTask::adoptLostCreate(const AssetInfo &asset)
{
    qCInfo(lcUpload).noquote() << "The lost create call for" << filename() << "made object"
                               << asset.objectId << "file" << asset.fileId;
    m_createUnresolved = false;
    if (m_versionedObjectId.isEmpty())
        m_versionedObjectId = asset.objectId;
    if (m_firstFileId.isEmpty())
        m_firstFileId = asset.fileId;

    if (m_batch.mode == UploadMode::MetadataOnly) {
        // The asset is what was asked for: it exists without content.
        m_asset.objectId = asset.objectId;
        m_asset.fileId = asset.fileId;
        m_asset.originalFileId = asset.originalFileId;
        m_asset.filename = asset.filename;
        m_created = true;
        m_uploadClosed = true;
        finishTask(m_cancelRequested ? TaskState::Cancelled : TaskState::Done);
        return;
    }

    const auto carryOn = [this, asset] {
        if (m_cancelRequested) {
            finishTask(TaskState::Cancelled);
            return;
        }
        // The file goes up as a new version of the adopted asset: its links
        // were never received, and a new asset would duplicate it.
        if (m_batch.mode == UploadMode::NewAsset)
            m_originalFileId = asset.fileId;
        if (m_createRecoveries > m_client->maxRetries()) {
            m_retryAsVersion = true;
            failTask(withFileContext(m_lastCreateError, tr("create the asset for")));
            return;
        }
        createAsset();
    };

    if (asset.uploadId.isEmpty()) {
        // NOTE: a service that does not report the open upload of a file
        // leaves that upload to expire on the server.
        carryOn();
        return;
    }

    CompleteUploadRequest request;
    request.fileId = asset.fileId;
    request.filename = asset.filename;
    request.filesize = m_fileSize;
    request.uploadId = asset.uploadId;
    request.originalFileId = asset.originalFileId == asset.fileId ? QString() : asset.originalFileId;
    request.action = CompleteUploadRequest::Action::Cancel;
    qCInfo(lcUpload).noquote() << "Cancelling the multipart upload that the lost create call"
                               << "opened for object" << asset.objectId;
    m_callIsCreate = false;
    m_call = m_client->completeUpload(request, this,
                                      [this, carryOn](const Result<CompletedUpload> &result) {
        m_call = nullptr;
        if (!result) {
            qCWarning(lcUpload).noquote()
                << "Cancelling the multipart upload of" << filename()
                << "that the lost create call opened failed:" << result.error().logMessage();
        }
        carryOn();
    });
}

ApiError UploadTask::lostCreateError(const ApiError &searchError) const
{
    ApiError error = m_lastCreateError.isError() ? m_lastCreateError : searchError;
    error.setRetryable(false);
    error.setUserMessage(
        tr("Could not create the asset for \"%1\": the connection to Tenovos failed while the "
           "asset was being created (%2), and searching Tenovos for it failed too (%3). Look in "
           "Tenovos for an asset named \"%1\" created just now before you retry the file, so that "
           "it is not stored twice.")
            .arg(filename(), m_lastCreateError.userMessage(), searchError.userMessage()));
    return error;
}

} // namespace tenovos
