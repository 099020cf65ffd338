#pragma once

#include "apitypes.h"
#include "presignedurl.h"
#include "result.h"
#include "uploadtypes.h"

#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QList>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <functional>
#include <optional>

namespace tenovos {

class ApiCall;
class ApiClient;
class NetworkPool;
class PartUpload;
class UploadJournal;
struct JournalEntry;

// The upload of one file, driven by the UploadEngine's scheduler.
//
//   Queued --start()--> Creating --created-----> Uploading --all parts--> Completing --> Done
//     |                   |  (NewVersion: GET the asset first)  |                  |
//     |                   |  MetadataOnly: Done after create    | single upload: Done after its PUT
//     +--> Cancelled / Failed from any state before Done; Paused from Queued, Creating, Uploading
//
// Before any request the file is checked (exists, regular, readable, at
// most 5 GiB). Below the multipart threshold the file goes in one PUT to the
// create response's "url" and no complete call follows. From the threshold
// on, the create call carries "filesize", and the response's URL list must
// match the file (ceil(size / partSize) parts numbered 1..n). The parts go up
// as byte ranges while the scheduler grants slots. POST /asset/complete then
// lists every part's ETag in ascending order, after a check that size and
// modification time of the file did not change. Failing or cancelling an
// open multipart upload sends /asset/complete with action "cancel".
class UploadTask : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadTask)

public:
    // Largest file Tenovos accepts: 5 GiB.
    static constexpr qint64 kMaxFileSize = 5368709120LL;

    UploadTask(const UploadItem &item, const UploadBatch &batch, ApiClient *client,
               NetworkPool *pool, QObject *parent = nullptr);
    ~UploadTask() override;

    QString id() const { return m_item.id; }
    QString filePath() const { return m_item.filePath; }
    // The name sent to Tenovos: the file name, or the metadata-only name.
    QString filename() const;
    TaskState state() const { return m_state; }
    ApiError error() const { return m_error; }
    UploadResult result() const;

    qint64 bytesSent() const;
    qint64 totalBytes() const { return m_fileSize; }
    int partCount() const { return int(m_parts.size()); }

    // Whether the task occupies a file slot of the scheduler: it is creating,
    // uploading or completing, or still cancelling its upload on the server.
    bool isActive() const;
    // Parts whose PUT is in flight.
    int activePartCount() const;
    // Whether a part could start now (pending, or its retry delay passed).
    bool hasStartablePart() const;

    // Scheduler entry points.
    void start(const EngineSettings &settings);
    void startNextPart();

    // User actions; each is ignored in states where it makes no sense.
    void cancel();
    void pause();
    void resume();
    // Puts a failed or cancelled task back in the queue as if new; returns
    // false in other states.
    bool resetForRetry();
    // A failed task that kept its multipart upload open, so that Retry
    // sends only the parts not yet confirmed.
    bool holdsUploadForRetry() const { return m_heldForRetry && hasOpenMultipartUpload(); }
    // Cancels the upload a failed task holds for Retry; the task ends
    // Cancelled.
    void discardHeldUpload();

    // Journal hooks, defined in uploadtaskjournal.cpp. With a journal, a
    // multipart upload is recorded once created, each confirmed part is
    // added, and the entry goes when the task finishes.
    void setJournal(UploadJournal *journal, const QString &username);
    // Takes over a multipart upload recorded in the journal, before start():
    // the task skips create and the confirmed parts. start() first cancels
    // the upload through /asset/complete when the file changed since.
    void restoreFromJournal(const JournalEntry &entry);
    // A restored task cancels its upload when started instead of resuming.
    void discardOnStart() { m_discardOnStart = true; }

Q_SIGNALS:
    void stateChanged(tenovos::TaskState state, const tenovos::ApiError &error);
    void progressChanged(qint64 sent, qint64 total);
    void partsPlanned(int partCount, qint64 partSize);
    void partProgress(int partNumber, qint64 sent, qint64 total);
    void partStateChanged(int partNumber, tenovos::PartState state);
    // No server responds the part PUTs; the next attempt comes at nextAttempt
    // (UTC). An invalid time: a part got through again.
    void waitingForServer(const QDateTime &nextAttempt);
    void finished(const tenovos::UploadResult &result);
    // A part slot was freed, a retry came due or the task changed state: the
    // scheduler should look at the queue again.
    void schedulingNeeded();

private:
    struct Part
    {
        int number = 0;
        qint64 offset = 0;
        qint64 length = 0;
        PresignedUrl url;
        PartState state = PartState::Pending;
        QByteArray etag;
        qint64 sentHighWater = 0; // progress never goes back, even when a PUT restarts
        int failures = 0;       // failures with a response from the server
        int outageFailures = 0; // failures that reached no server, in a row
        QElapsedTimer outageSince;
        QDeadlineTimer retryAt;
        bool retryDue = false; // set when the retry timer fired for this part
        QPointer<PartUpload> upload;
        bool progressDirty = false;
    };

    void begin();
    Result<void> checkBatch() const;
    Result<void> checkFile();
    void lookUpVersionedAsset();
    void createAsset();
    void handleCreated(const Result<CreatedAsset> &result);
    Result<void> planParts();
    void startUploading();
    void handlePartProgress(int partNumber, qint64 sent);
    void handlePartFinished(int partNumber, const Result<QByteArray> &etag);
    void scheduleRetryTimer();
    void handleRetryTimer();
    void allPartsDone();
    Result<void> checkFileUnchanged() const;
    void completeUpload();
    void cancelOpenUpload(std::function<void()> then);
    void abortParts(bool keepAsPending);
    void failTask(const ApiError &error);
    void finishTask(TaskState state, const ApiError &error = ApiError());
    void setState(TaskState state, const ApiError &error = ApiError());
    void markProgressDirty();
    void flushProgress();
    Part *findPart(int partNumber);
    ApiError withFileContext(ApiError error, const QString &action) const;
    bool hasOpenMultipartUpload() const;
    void startRestored();
    void writeCreatingEntry();
    void writeJournalEntry();
    void startRestoredCreate();
    bool failForOtherServer();
    void recordOwedCancel();
    // An Uploading entry with the ids, file and batch of this task.
    JournalEntry uploadJournalEntry() const;
    void restartWithNewLinks();
    void journalPartConfirmed(int partNumber, const QByteArray &etag);
    void flushJournal();
    void removeJournalEntry();
    // Parts stored with an ETag.
    int confirmedPartCount() const;
    // Puts the task back in the queue when a REST call failed because the
    // session ended; returns false for every other error.
    bool waitForSignIn(const ApiError &error);
    // Looks the file up after complete found no upload, and ends the task
    // Done when an earlier attempt stored it, Failed with completeError if not.
    void confirmCompleted(const ApiError &completeError);

    // Recovery from a create call whose outcome is unknown, defined in
    // uploadtaskrecovery.cpp. The asset may exist although no response came
    // back, so before creating again the task searches Tenovos for it. An
    // asset it finds is adopted: its open upload is cancelled and the file
    // goes up as a new version of it, so no second asset appears.
    bool createOutcomeUnknown(const ApiError &error) const;
    void recoverCreate(const ApiError &error);
    void lookForLostCreate();
    std::optional<AssetInfo> findLostCreate(const QList<AssetInfo> &assets) const;
    void adoptLostCreate(const AssetInfo &asset);
    ApiError lostCreateError(const ApiError &searchError) const;

    UploadItem m_item;
    UploadBatch m_batch;
    ApiClient *m_client;
    NetworkPool *m_pool;
    EngineSettings m_settings;

    TaskState m_state = TaskState::Queued;
    ApiError m_error;
    qint64 m_fileSize = 0;
    QDateTime m_fileModified;
    QString m_contentType;
    QString m_originalFileId;
    // File id of the first create, kept across retries.
    QString m_firstFileId;
    // Object id of the asset a new version goes to; empty for a new asset.
    QString m_versionedObjectId;
    // A create failed without telling whether it made the asset; cleared
    // once a create succeeds or a search settles it.
    bool m_createUnresolved = false;
    QDateTime m_createSentAt; // when the first unresolved create was sent, UTC
    ApiError m_lastCreateError;
    int m_createRecoveries = 0;
    // A failed task that Retry sends as a new version of m_firstFileId.
    bool m_retryAsVersion = false;
    // The task failed for a passing reason and kept its upload for Retry.
    bool m_heldForRetry = false;
    bool m_waitingForServer = false; // waitingForServer() reported an outage
    CreatedAsset m_asset;
    bool m_created = false;
    bool m_uploadClosed = false; // the multipart upload was completed or cancelled
    QList<Part> m_parts;

    QPointer<ApiCall> m_call;
    bool m_callIsCreate = false;
    bool m_cancelRequested = false;
    bool m_pauseRequested = false;
    bool m_cleaningUp = false;

    UploadJournal *m_journal = nullptr;
    QString m_journalUsername;
    QUrl m_restoredBaseUrl;      // set by restoreFromJournal() until start()
    bool m_restored = false;
    bool m_restoredCreating = false; // restored from a Creating entry
    bool m_restoredUrlsUsable = true;
    QString m_pendingJournalKey;     // key of this task's Creating entry
    qint64 m_lostCreateSize = -1;    // the size the unresolved create declared
    bool m_discardOnStart = false;
    bool m_keepJournalEntry = false; // the entry belongs to another server

    QTimer m_progressTimer;
    QTimer m_retryTimer;
    QTimer m_createRetryTimer;
    QElapsedTimer m_elapsed;
};

} // namespace tenovos
