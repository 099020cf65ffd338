// UploadEngine's part in the upload journal: opening it and turning its
// entries back into queued files after a restart.

#include "uploadengine.h"

#include "apiclient.h"
#include "logging.h"
#include "session.h"
#include "uploadjournal.h"
#include "uploadtask.h"

#include <QPointer>

namespace tenovos {

void UploadEngine::openJournal(const QString &directory)
{
    ensureInitialized();
    if (m_journal) {
        Q_EMIT journalLoaded(resumableSummaries());
        return;
    }
    auto *journal = new UploadJournal(directory, this);
    const Result<void> opened = journal->open();
    if (!opened) {
        qCWarning(lcUpload).noquote() << "Upload journal:" << opened.error().userMessage();
        Q_EMIT journalProblem(opened.error().userMessage());
    }
    if (!journal->isOpen()) {
        delete journal;
        Q_EMIT journalLoaded({});
        return;
    }
    m_journal = journal;
    connect(m_journal, &UploadJournal::writeFailed, this, &UploadEngine::journalProblem);
    // Files enqueued before the journal opened are recorded from now on.
    for (UploadTask *each : std::as_const(m_tasks))
        each->setJournal(m_journal, m_session->username());
    settleOwedCancels();
    Q_EMIT journalLoaded(resumableSummaries());
}

JournalSummaryList UploadEngine::resumableSummaries() const
{
    // Owed cancels are the engine's business, not a choice for the user.
    JournalSummaryList summaries;
    const JournalSummaryList all = m_journal->summaries();
    for (const JournalSummary &summary : all) {
        if (summary.state != JournalEntry::State::Cancelling)
            summaries.append(summary);
    }
    return summaries;
}

void UploadEngine::settleOwedCancels()
{
    if (!m_session->isSignedIn())
        return;
    const QList<JournalEntry> entries = m_journal->entries();
    for (const JournalEntry &entry : entries) {
        if (entry.state != JournalEntry::State::Cancelling
            || !UploadJournal::sameServer(entry.baseUrl, m_settings.baseUrl)) {
            continue;
        }
        CompleteUploadRequest request;
        request.fileId = entry.fileId;
        request.filename = entry.filename;
        request.filesize = entry.fileSize;
        request.uploadId = entry.uploadId;
        request.originalFileId = entry.originalFileId;
        request.action = CompleteUploadRequest::Action::Cancel;
        for (auto etag = entry.etags.cbegin(); etag != entry.etags.cend(); ++etag)
            request.parts.append(CompletedPart{etag.key(), etag.value()});
        qCInfo(lcUpload).noquote() << "Cancelling the multipart upload of" << entry.filename
                                   << "object" << entry.objectId
                                   << "that an earlier run could not cancel";
        const QString key = entry.key();
        QPointer<UploadJournal> journal = m_journal;
        m_client->completeUpload(request, this,
                                 [journal, key](const Result<CompletedUpload> &result) {
            // An upload the server no longer has needs no cancel either.
            if (result || result.error().kind() == ApiError::Kind::NotFound) {
                if (journal)
                    journal->remove(key);
                return;
            }
            qCWarning(lcUpload).noquote() << "Cancelling an upload left open by an earlier run"
                                          << "failed again:" << result.error().logMessage();
        });
    }
}

void UploadEngine::resumeFromJournal(const QHash<QString, QString> &idsByKey)
{
    restoreJournalEntries(idsByKey, false);
}

void UploadEngine::discardJournal(const QHash<QString, QString> &idsByKey)
{
    restoreJournalEntries(idsByKey, true);
}

void UploadEngine::restoreJournalEntries(const QHash<QString, QString> &idsByKey, bool discard)
{
    ensureInitialized();
    if (!m_journal) {
        qCWarning(lcUpload) << "No upload journal is open; call openJournal() first";
        return;
    }

    const QList<JournalEntry> entries = m_journal->entries();
    for (const JournalEntry &entry : entries) {
        if (entry.state == JournalEntry::State::Cancelling
            || (!idsByKey.isEmpty() && !idsByKey.contains(entry.key()))) {
            continue;
        }
        bool queuedAlready = false;
        for (const UploadTask *each : std::as_const(m_tasks))
            queuedAlready = queuedAlready || (!entry.fileId.isEmpty() && each->result().fileId == entry.fileId);
        const QString id = idsByKey.value(entry.key(), entry.key());
        if (queuedAlready || id.isEmpty() || m_tasksById.contains(id)) {
            qCWarning(lcUpload).noquote() << "Not restoring journal entry for file" << entry.fileId
                                          << "because it is queued already or its id" << id
                                          << "is taken";
            continue;
        }

        auto *task = new UploadTask(UploadItem{id, entry.filePath}, entry.batch, m_client, m_pool, this);
        m_tasks.append(task);
        m_tasksById.insert(id, task);
        connectTask(task);
        Q_EMIT taskStateChanged(id, TaskState::Queued, ApiError());
        task->restoreFromJournal(entry);
        if (discard)
            task->discardOnStart();
        qCInfo(lcUpload).noquote() << (discard ? "Discarding" : "Resuming") << "interrupted upload of"
                                   << entry.filename << "object" << entry.objectId << "as" << id;
        Q_EMIT taskResumed(id, entry.filePath, int(entry.etags.size()), entry.partCount());
    }
    m_queueBusy = true;
    requestSchedule();
}

} // namespace tenovos
