// UploadTask's part in the upload journal: recording a multipart upload
// while it runs, and taking one over after a restart.

#include "uploadtask.h"

#include "logging.h"
#include "uploadjournal.h"

#include <QDir>
#include <QFileInfo>
#include <QUuid>

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
    if (entry.state == JournalEntry::State::Creating) {
        // The create was sent, or about to be, when the program stopped.
        // start() searches for the asset it may have made before creating.
        m_restoredCreating = true;
        m_restoredBaseUrl = entry.baseUrl;
        m_createUnresolved = true;
        m_createSentAt = entry.createStartedAt;
        m_lostCreateSize = entry.fileSize;
        m_originalFileId = entry.originalFileId;
        m_versionedObjectId = entry.objectId;
        m_pendingJournalKey = entry.pendingKey;
        m_fileSize = entry.fileSize;
        m_fileModified = entry.fileModified;
        return;
    }
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
    m_restoredUrlsUsable = entry.urlsUsable;
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

bool UploadTask::failForOtherServer()
{
    if (UploadJournal::sameServer(m_restoredBaseUrl, m_settings.baseUrl))
        return false;
    // The upload lives on another server. It stays in the journal so that
    // signing in there later can still resume it.
    m_keepJournalEntry = true;
    ApiError error(ApiError::Kind::InvalidRequest,
                   tr("The interrupted upload of \"%1\" was started on %2, but the uploader "
                      "is connected to %3. Sign in to %2 to resume it.")
                       .arg(QDir::toNativeSeparators(m_item.filePath),
                            m_restoredBaseUrl.toString(QUrl::RemoveUserInfo),
                            m_settings.baseUrl.toString(QUrl::RemoveUserInfo)));
    error.setRetryable(false);
    finishTask(TaskState::Failed, error);
    return true;
}

void UploadTask::startRestoredCreate()
{
    m_restoredCreating = false;
    if (failForOtherServer())
        return;
    if (m_discardOnStart) {
        // A create that reached Tenovos left an asset with an open upload:
        // the search finds it and cancels that upload.
        qCInfo(lcUpload).noquote() << "Discarding the interrupted create of"
                                   << QDir::toNativeSeparators(m_item.filePath);
        m_cancelRequested = true;
        m_elapsed.start();
        setState(TaskState::Creating);
        lookForLostCreate();
        return;
    }
    qCInfo(lcUpload).noquote() << "Resuming the interrupted create of"
                               << QDir::toNativeSeparators(m_item.filePath);
    begin();
}

void UploadTask::restartWithNewLinks()
{
    qCWarning(lcUpload).noquote()
        << "The part links of the interrupted upload of" << filename()
        << "could not be read back from the journal; cancelling it and sending the file again"
        << "as a new version of object" << m_asset.objectId;
    const QString objectId = m_asset.objectId;
    const QString fileId = m_asset.fileId;
    cancelOpenUpload([this, objectId, fileId] {
        removeJournalEntry();
        m_asset = CreatedAsset();
        m_created = false;
        m_uploadClosed = false;
        m_parts.clear();
        m_versionedObjectId = objectId;
        if (m_batch.mode == UploadMode::NewAsset)
            m_originalFileId = fileId;
        Q_EMIT progressChanged(0, m_fileSize);
        begin();
    });
}

void UploadTask::startRestored()
{
    m_restored = false;
    m_error = ApiError();
    m_elapsed.start();
    const QString path = QDir::toNativeSeparators(m_item.filePath);

    if (failForOtherServer())
        return;

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

    if (!m_restoredUrlsUsable) {
        restartWithNewLinks();
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

void UploadTask::writeCreatingEntry()
{
    // Written before the create is sent, so that a kill before its response
    // is recorded leaves an entry: the next start searches for the asset
    // instead of creating a second one. A metadata-only asset has no file
    // to resume and gets no entry.
    if (!m_journal || m_batch.mode == UploadMode::MetadataOnly)
        return;
    if (m_pendingJournalKey.isEmpty())
        m_pendingJournalKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
    JournalEntry entry;
    entry.state = JournalEntry::State::Creating;
    entry.pendingKey = m_pendingJournalKey;
    entry.baseUrl = m_settings.baseUrl;
    entry.username = m_journalUsername;
    entry.filePath = m_item.filePath;
    entry.filename = filename();
    entry.objectId = m_versionedObjectId;
    entry.originalFileId = m_originalFileId;
    entry.fileSize = m_lostCreateSize;
    entry.fileModified = m_fileModified;
    entry.partSize = m_settings.partSize;
    entry.batch = m_batch;
    entry.createStartedAt = m_createSentAt;
    m_journal->put(entry);
}

void UploadTask::writeJournalEntry()
{
    if (!m_journal)
        return;
    if (!m_asset.isMultipart()) {
        // A single upload has nothing to resume once created.
        if (!m_pendingJournalKey.isEmpty())
            m_journal->remove(m_pendingJournalKey);
        m_pendingJournalKey.clear();
        return;
    }
    JournalEntry entry = uploadJournalEntry();
    entry.fileModified = m_fileModified;
    entry.partSize = m_settings.partSize;
    entry.urls = m_asset.urls;
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state == PartState::Done)
            entry.etags.insert(part.number, part.etag);
    }
    entry.createStartedAt = m_createSentAt;
    entry.createdAt = QDateTime::currentDateTimeUtc();
    if (m_pendingJournalKey.isEmpty()) {
        m_journal->put(entry);
    } else {
        m_journal->replace(m_pendingJournalKey, entry);
        m_pendingJournalKey.clear();
    }
}

JournalEntry UploadTask::uploadJournalEntry() const
{
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
    entry.batch = m_batch;
    return entry;
}

void UploadTask::recordOwedCancel()
{
    // The multipart upload is still open on the server. The entry stays, as
    // Cancelling, and the engine sends the cancel again when the journal is
    // next opened.
    if (!m_journal || !m_asset.isMultipart() || m_asset.fileId.isEmpty())
        return;
    JournalEntry entry = uploadJournalEntry();
    if (m_journal->contains(m_asset.fileId)) {
        // Keep the confirmed parts: the cancel lists them.
        entry.etags = m_journal->entry(m_asset.fileId).etags;
    }
    entry.state = JournalEntry::State::Cancelling;
    m_journal->put(entry);
    m_keepJournalEntry = true;
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
    if (m_keepJournalEntry) {
        m_keepJournalEntry = false; // only this entry is kept, not a retry's
        return;
    }
    if (m_journal && !m_pendingJournalKey.isEmpty())
        m_journal->remove(m_pendingJournalKey);
    m_pendingJournalKey.clear();
    if (m_journal && !m_asset.fileId.isEmpty())
        m_journal->remove(m_asset.fileId);
}

} // namespace tenovos
