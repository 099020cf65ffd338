#pragma once

#include "apitypes.h"
#include "clioptions.h"
#include "result.h"
#include "uploadjournal.h"
#include "uploadtypes.h"

#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QTimer>

namespace tenovos {
class EngineThread;
class UploadEngine;
} // namespace tenovos

namespace tenovos::cli {

// The run of tenovos-upload once its command line is checked. It signs in,
// loads the metadata template (and the vocabularies --meta needs) and turns
// --meta into metadata items. Then it enqueues the files, shows progress,
// prints one line (or JSON object) per finished file and a summary, signs
// out, and reports the exit status through finished().
class UploadCommand : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadCommand)

public:
    explicit UploadCommand(const CliOptions &options, QObject *parent = nullptr);
    ~UploadCommand() override;

    void start(const QString &password);
    // Ctrl+C: the first cancels in-flight uploads cleanly, the second quits.
    void interrupt(int count);

Q_SIGNALS:
    void finished(int exitCode);

private:
    enum class Phase { SigningIn, LoadingMetadata, Uploading, SigningOut, Done };

    void handleSignedIn();
    void handleJournalLoaded(const JournalSummaryList &entries);
    void handleTaskResumed(const QString &id, const QString &filePath, int confirmedParts,
                           int partCount);
    void resumeFromJournal();
    void handleSignInFailed(const ApiError &error);
    void handleMetadataTemplate(const QString &templateId, const Result<MetadataTemplate> &result);
    void handleVocabulary(const QString &vocabularyId, const Result<Vocabulary> &result);
    void buildMetadataAndEnqueue();
    void enqueue(const QJsonArray &metadata);
    void handleTaskProgress(const QString &id, qint64 sent, qint64 total);
    void handleTaskFinished(const QString &id, const UploadResult &result);
    void handleQueueFinished();
    void drawProgress();
    void clearProgressLine();
    void printSummary();
    void fail(int exitCode, const QString &message);
    void finish(int exitCode);
    QString labelOf(const QString &id) const;

    CliOptions m_options;
    EngineThread *m_worker = nullptr;
    UploadEngine *m_engine = nullptr;
    Phase m_phase = Phase::SigningIn;
    int m_exitCode = ExitSuccess;
    bool m_interrupted = false;
    bool m_drawProgress = false;
    bool m_progressLineShown = false;

    QStringList m_files;
    MetadataTemplate m_template;
    bool m_haveTemplate = false;
    QHash<QString, Vocabulary> m_vocabularies;
    QSet<QString> m_pendingVocabularies;

    JournalSummaryList m_journalEntries; // as openJournal() found them
    bool m_journalProblem = false;
    QHash<QString, QString> m_labels; // task id -> file as given, or metadata-only name
    QHash<QString, qint64> m_sent;
    qint64 m_totalBytes = 0;
    QList<UploadResult> m_results;
    QElapsedTimer m_elapsed;
    QTimer m_progressTimer;
};

} // namespace tenovos::cli
