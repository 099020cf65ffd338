// UploadTask's part in the upload journal: recording a multipart upload
// while it runs, and taking one over after a restart.

#include "uploadtask.h"

#include "logging.h"
#include "uploadjournal.h"

#include <QDir>
#include <QFileInfo>

namespace tenovos {

void UploadTask::setJournal(UploadJournal *journal, const QString &username)
{
    m_journal = journal;
    m_journalUsername = username;
}

void UploadTask::restoreFromJournal(const JournalEntry &entry)
{
    if (m_state != TaskState::Queued || m_created)
        return;
    m_asset = CreatedAsset();
    m_asset.objectId = entry.objectId;
    m_asset.fileId = entry.fileId;
    m_asset.originalFileId = entry.originalFileId;
    m_asset.filename = entry.filename;
    m_asset.uploadId = entry.uploadId;
    m_asset.urls = entry.urls;
    m_originalFileId = entry.originalFileId;
    // Retrying after expired links adds a version to the first file's asset.
    m_firstFileId = entry.originalFileId.isEmpty() ? entry.fileId : entry.originalFileId;
    m_fileSize = entry.fileSize;
    m_fileModified = entry.fileModified;
    m_created = true;
    m_uploadClosed = false;
    m_restored = true;
    m_restoredBaseUrl = entry.baseUrl;

    m_parts.clear();
    for (const PartUrl &partUrl : entry.urls) {
        Part part;
        part.number = partUrl.partNumber;
        part.offset = qint64(partUrl.partNumber - 1) * entry.partSize;
        part.length = qBound<qint64>(0, entry.fileSize - part.offset, entry.partSize);
        // A URL that does not parse stays null; its PUT then fails with a
        // message instead of the whole restore failing here.
        const Result<PresignedUrl> url = PresignedUrl::parse(partUrl.url);
        if (url)
            part.url = url.value();
        const auto etag = entry.etags.constFind(partUrl.partNumber);
        if (etag != entry.etags.constEnd()) {
            part.etag = etag.value();
            part.state = PartState::Done;
            part.sentHighWater = part.length;
        }
        m_parts.append(part);
    }

    Q_EMIT partsPlanned(int(m_parts.size()), entry.partSize);
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state == PartState::Done)
            Q_EMIT partStateChanged(part.number, PartState::Done);
    }
    Q_EMIT progressChanged(bytesSent(), m_fileSize);
}

void UploadTask::startRestored()
{
    m_restored = false;
    m_error = ApiError();
    m_elapsed.start();
    const QString path = QDir::toNativeSeparators(m_item.filePath);

    if (!UploadJournal::sameServer(m_restoredBaseUrl, m_settings.baseUrl)) {
        // The upload lives on another server; it stays in the journal so that
        // signing in there later can still resume it.
        m_keepJournalEntry = true;
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("The interrupted upload of \"%1\" was started on %2, but the uploader "
                          "is connected to %3. Sign in to %2 to resume it.")
                           .arg(path, m_restoredBaseUrl.toString(QUrl::RemoveUserInfo),
                                m_settings.baseUrl.toString(QUrl::RemoveUserInfo)));
        error.setRetryable(false);
        finishTask(TaskState::Failed, error);
        return;
    }

    if (m_discardOnStart) {
        qCInfo(lcUpload).noquote() << "Discarding the interrupted upload of" << path << "object"
                                   << m_asset.objectId;
        cancel();
        return;
    }

    const QFileInfo info(m_item.filePath);
    if (!info.exists() || info.size() != m_fileSize || info.lastModified() != m_fileModified) {
        qCWarning(lcUpload).noquote() << path << "changed since its upload was interrupted: size"
                                      << m_fileSize << "->" << (info.exists() ? info.size() : -1)
                                      << "; cancelling object" << m_asset.objectId;
        const ApiError error = ApiError::localFile(
            info.exists()
                ? tr("\"%1\" changed since its upload was interrupted (its size or modification "
                     "time is different now), so the unfinished upload was cancelled. Upload the "
                     "file again.")
                      .arg(path)
                : tr("\"%1\" no longer exists, so its interrupted upload was cancelled. Upload "
                     "the file again from its new place.")
                      .arg(path));
        failTask(error);
        return;
    }

    qCInfo(lcUpload).noquote() << "Resuming the interrupted upload of" << path << "object"
                               << m_asset.objectId << ":" << confirmedPartCount() << "of"
                               << m_parts.size() << "parts were confirmed before";
    setState(TaskState::Uploading);
    if (confirmedPartCount() == m_parts.size()) {
        allPartsDone();
        return;
    }
    Q_EMIT schedulingNeeded();
}

void UploadTask::writeJournalEntry()
{
    // NOTE: a kill between Tenovos creating the asset and this write leaves
    // an asset with an open upload that no journal records, so running the
    // upload again creates a second asset.
    if (!m_journal || !m_asset.isMultipart())
        return;
    JournalEntry entry;
    entry.baseUrl = m_settings.baseUrl;
    entry.username = m_journalUsername;
    entry.filePath = m_item.filePath;
    entry.filename = filename();
    entry.objectId = m_asset.objectId;
    entry.fileId = m_asset.fileId;
    entry.originalFileId = m_originalFileId;
    entry.uploadId = m_asset.uploadId;
    entry.fileSize = m_fileSize;
    entry.fileModified = m_fileModified;
    entry.partSize = m_settings.partSize;
    entry.urls = m_asset.urls;
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state == PartState::Done)
            entry.etags.insert(part.number, part.etag);
    }
    entry.batch = m_batch;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    m_journal->put(entry);
}

void UploadTask::journalPartConfirmed(int partNumber, const QByteArray &etag)
{
    if (m_journal && m_asset.isMultipart())
        m_journal->confirmPart(m_asset.fileId, partNumber, etag);
}

void UploadTask::flushJournal()
{
    if (m_journal)
        m_journal->flush();
}

void UploadTask::removeJournalEntry()
{
    // NOTE: the entry goes even when cancelling the multipart upload on the
    // server failed (for example with the network down), so such an upload
    // stays open on the server until it expires there.
    if (m_keepJournalEntry) {
        m_keepJournalEntry = false; // only the restored entry is kept, not a retry's
        return;
    }
    if (m_journal && !m_asset.fileId.isEmpty())
        m_journal->remove(m_asset.fileId);
}

} // namespace tenovos
