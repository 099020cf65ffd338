#pragma once

#include "apierror.h"
#include "apitypes.h"
#include "result.h"
#include "uploadjournal.h"
#include "uploadtypes.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>

namespace tenovos {

class ApiClient;
class NetworkPool;
class Session;
class UploadTask;

// The engine's façade and scheduler: a queue of files (UploadTask), capped
// at maxParallelFiles files and maxParallelParts part PUTs in flight across
// the whole queue, served in queue order.
//
// Threading: the engine is meant to live in its own thread (EngineThread).
// Call its slots through queued connections or QMetaObject::invokeMethod()
// and listen to its signals, whose argument types are registered metatypes.
// Nothing in it blocks or waits. Every object it owns (REST client,
// session, network managers, tasks) is created lazily in the engine's
// thread on the first slot call.
//
// Files are uploaded only while signed in; enqueued files wait otherwise.
// Before destroying the engine, call cancelAll() and wait for
// queueFinished(), so open multipart uploads are cancelled on the server.
class UploadEngine : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadEngine)

public:
    explicit UploadEngine(QObject *parent = nullptr);
    ~UploadEngine() override;

    // Snapshots for callers in the engine's thread (tests, the CLI's own
    // thread); other threads use the signals.
    bool isSignedIn() const;
    EngineSettings settings() const { return m_settings; }
    QList<UploadResult> results() const;

public Q_SLOTS:
    // Applies the settings; values out of range are clamped (parts and files
    // in flight to 1..16, part size and threshold to at least 1 byte).
    void configure(const tenovos::EngineSettings &settings);

    void signIn(const QString &username, const QString &password);
    // Signs in with a refresh token saved from refreshTokenChanged().
    void signInWithRefreshToken(const QString &username, const QString &refreshToken);
    // Cancels every unfinished file, then revokes the session.
    void signOut();

    // Adds files to the end of the queue. An item whose id is empty or
    // already in the queue is skipped with a warning in the log.
    void enqueue(const tenovos::UploadItemList &items, const tenovos::UploadBatch &batch);
    void cancel(const QString &id);
    void cancelAll();
    // Puts a failed or cancelled file back in the queue; it starts over.
    void retry(const QString &id);
    // Takes a file out of the queue, cancelling it first unless it finished;
    // emits taskRemoved() when it is gone.
    void remove(const QString &id);
    // Pauses a queued or uploading file: its in-flight parts stop and are
    // sent again after resume(), which queues the file again.
    void pause(const QString &id);
    void resume(const QString &id);
    // Pauses every queued or uploading file, or resumes every paused one.
    void pauseAll();
    void resumeAll();
    void setMaxParallelParts(int count);
    void setMaxParallelFiles(int count);

    // Look-ups for the form; each reports through the matching *Loaded signal.
    void loadSecurityTemplates();
    void loadMetadataTemplates();
    void loadMetadataTemplate(const QString &templateId);
    void loadVocabulary(const QString &vocabularyId);
    // Object id or file id.
    void loadAsset(const QString &id);

    // Upload journal (uploadenginejournal.cpp). openJournal() reads the
    // journal in directory (empty: UploadJournal::defaultDirectory()) and
    // reports its entries through journalLoaded(); from then on every
    // multipart upload is recorded in it until it finishes.
    void openJournal(const QString &directory = QString());
    // Queues journal entries as files that skip create and the parts
    // confirmed before, under the task id idsByKey maps each entry key to.
    // An empty map takes every entry, each under its key as id.
    void resumeFromJournal(const QHash<QString, QString> &idsByKey = {});
    // Queues journal entries like resumeFromJournal(), but each cancels its
    // multipart upload through /asset/complete once signed in.
    void discardJournal(const QHash<QString, QString> &idsByKey = {});

Q_SIGNALS:
    void signedIn(const QString &username);
    void signInFailed(const tenovos::ApiError &error);
    void signedOut();
    // The session expired and could not be renewed. Files wait (nothing
    // fails, parts under way go on) until signIn() succeeds, then continue
    // where they stopped. signInFailed(reason) follows.
    void signInRequired(const QString &username, const tenovos::ApiError &reason);
    // Store the refresh token (for example in the keychain) to sign in later
    // with signInWithRefreshToken(); empty means delete the stored one.
    void refreshTokenChanged(const QString &username, const QString &refreshToken);

    void taskStateChanged(const QString &id, tenovos::TaskState state,
                          const tenovos::ApiError &error);
    // Bytes of the file sent so far; never decreases except when retry()
    // starts the file over, and ends at the file size. At most ten per second
    // per file.
    void taskProgress(const QString &id, qint64 sent, qint64 total);
    // The file goes up in partCount parts of partSize bytes (the last one
    // shorter); a single upload is one part.
    void taskPartsPlanned(const QString &id, int partCount, qint64 partSize);
    void partProgress(const QString &id, int partNumber, qint64 sent, qint64 total);
    void partStateChanged(const QString &id, int partNumber, tenovos::PartState state);
    // No server responds the file's part uploads, and the next attempt comes
    // at nextAttempt (UTC); an invalid time means parts get through again.
    void taskWaitingForServer(const QString &id, const QDateTime &nextAttempt);
    // The file reached Done, Failed or Cancelled.
    void taskFinished(const QString &id, const tenovos::UploadResult &result);
    void taskRemoved(const QString &id);
    // No file is queued or under way any more (paused files may remain).
    void queueFinished();

    // openJournal() read the journal: its unfinished uploads, possibly none.
    void journalLoaded(const tenovos::JournalSummaryList &entries);
    // The journal could not be read or written; message is for the user.
    void journalProblem(const QString &message);
    // resumeFromJournal() or discardJournal() queued a journal entry as id.
    void taskResumed(const QString &id, const QString &filePath, int confirmedParts, int partCount);

    void securityTemplatesLoaded(const tenovos::Result<tenovos::SecurityTemplateList> &result);
    void metadataTemplatesLoaded(const tenovos::Result<tenovos::MetadataTemplateList> &result);
    void metadataTemplateLoaded(const QString &templateId,
                                const tenovos::Result<tenovos::MetadataTemplate> &result);
    void vocabularyLoaded(const QString &vocabularyId,
                          const tenovos::Result<tenovos::Vocabulary> &result);
    void assetLoaded(const QString &id, const tenovos::Result<tenovos::AssetInfo> &result);

private:
    void ensureInitialized();
    void applySettings();
    void requestSchedule();
    void schedule();
    void checkQueueFinished();
    void connectTask(UploadTask *task);
    void handleTaskFinished(UploadTask *task);
    void removeTask(UploadTask *task);
    UploadTask *task(const QString &id) const;
    void restoreJournalEntries(const QHash<QString, QString> &idsByKey, bool discard);
    // Journal entries the user may resume or discard: all but owed cancels.
    JournalSummaryList resumableSummaries() const;
    // Sends the cancels that earlier runs could not, for this server.
    void settleOwedCancels();

    EngineSettings m_settings;
    ApiClient *m_client = nullptr;
    Session *m_session = nullptr;
    NetworkPool *m_pool = nullptr;
    QList<UploadTask *> m_tasks; // queue order
    QHash<QString, UploadTask *> m_tasksById;
    QSet<QString> m_removeWhenFinished;
    bool m_schedulePending = false;
    bool m_queueBusy = false;
    bool m_signOutWhenIdle = false;
    UploadJournal *m_journal = nullptr;
};

} // namespace tenovos
