#include "uploadtask.h"

#include "apicall.h"
#include "apiclient.h"
#include "logging.h"
#include "networkpool.h"
#include "partupload.h"
#include "session.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QLocale>
#include <QMimeDatabase>

namespace tenovos {

namespace {

// Progress signals are coalesced to at most one per this many milliseconds
// per task; final values are sent at once.
constexpr int kProgressIntervalMs = 100;

// Tenovos accepts 1 to 50 security templates per asset.
constexpr int kMaxSecurityTemplates = 50;

QString displayPath(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

} // namespace

UploadTask::UploadTask(const UploadItem &item, const UploadBatch &batch, ApiClient *client,
                       NetworkPool *pool, QObject *parent)
    : QObject(parent)
    , m_item(item)
    , m_batch(batch)
    , m_client(client)
    , m_pool(pool)
{
    m_progressTimer.setSingleShot(true);
    connect(&m_progressTimer, &QTimer::timeout, this, &UploadTask::flushProgress);
    m_retryTimer.setSingleShot(true);
    m_retryTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_retryTimer, &QTimer::timeout, this, &UploadTask::handleRetryTimer);
    m_createRetryTimer.setSingleShot(true);
    connect(&m_createRetryTimer, &QTimer::timeout, this, &UploadTask::lookForLostCreate);
}

UploadTask::~UploadTask()
{
    abortParts(false);
    if (m_call)
        m_call->abort();
}

QString UploadTask::filename() const
{
    if (m_batch.mode == UploadMode::MetadataOnly && !m_batch.metadataOnlyName.isEmpty())
        return m_batch.metadataOnlyName;
    return QFileInfo(m_item.filePath).fileName();
}

UploadResult UploadTask::result() const
{
    UploadResult result;
    result.id = m_item.id;
    result.filePath = m_item.filePath;
    result.filename = filename();
    result.objectId = m_asset.objectId;
    result.fileId = m_asset.fileId;
    result.state = m_state;
    result.error = m_error;
    return result;
}

qint64 UploadTask::bytesSent() const
{
    qint64 sent = 0;
    for (const Part &part : m_parts)
        sent += part.sentHighWater;
    return sent;
}

bool UploadTask::isActive() const
{
    return m_cleaningUp || m_state == TaskState::Creating || m_state == TaskState::Uploading
        || m_state == TaskState::Completing;
}

int UploadTask::activePartCount() const
{
    int count = 0;
    for (const Part &part : m_parts) {
        if (part.state == PartState::Uploading)
            ++count;
    }
    return count;
}

bool UploadTask::hasStartablePart() const
{
    if (m_state != TaskState::Uploading || m_cancelRequested)
        return false;
    for (const Part &part : m_parts) {
        if (part.state == PartState::Pending)
            return true;
        if (part.state == PartState::Retrying && (part.retryDue || part.retryAt.hasExpired()))
            return true;
    }
    return false;
}

// --- Starting ---------------------------------------------------------------

void UploadTask::start(const EngineSettings &settings)
{
    if (m_state != TaskState::Queued)
        return;
    m_settings = settings;
    if (m_restored) {
        startRestored();
        return;
    }
    if (m_restoredCreating) {
        startRestoredCreate();
        return;
    }
    if (m_created) {
        // Resuming after a pause or a new sign-in: the asset and its URLs
        // exist already, and only parts not yet confirmed are sent.
        qCInfo(lcUpload).noquote() << "Resuming upload of" << filename();
        setState(TaskState::Uploading);
        if (!m_parts.isEmpty() && confirmedPartCount() == m_parts.size()) {
            allPartsDone();
            return;
        }
        Q_EMIT schedulingNeeded();
        return;
    }
    begin();
}

void UploadTask::begin()
{
    m_error = ApiError();
    m_elapsed.start();

    const Result<void> batchOk = checkBatch();
    if (!batchOk) {
        finishTask(TaskState::Failed, batchOk.error());
        return;
    }

    if (m_batch.mode == UploadMode::MetadataOnly) {
        qCInfo(lcUpload).noquote() << "Creating metadata-only asset" << filename();
        setState(TaskState::Creating);
        if (m_createUnresolved)
            lookForLostCreate();
        else
            createAsset();
        return;
    }

    const Result<void> fileOk = checkFile();
    if (!fileOk) {
        qCWarning(lcUpload).noquote() << "Not uploading" << displayPath(m_item.filePath) << ":"
                                      << fileOk.error().userMessage();
        finishTask(TaskState::Failed, fileOk.error());
        return;
    }

    qCInfo(lcUpload).noquote() << "Starting upload of" << displayPath(m_item.filePath) << "("
                               << m_fileSize << "bytes)";
    setState(TaskState::Creating);
    if (m_createUnresolved)
        lookForLostCreate();
    else if (m_batch.mode == UploadMode::NewVersion && m_originalFileId.isEmpty())
        lookUpVersionedAsset();
    else
        createAsset();
}

Result<void> UploadTask::checkBatch() const
{
    const QString name = filename();
    if (m_batch.mode == UploadMode::MetadataOnly && name.isEmpty()) {
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("The metadata-only asset has no name. Enter a name for it."));
        error.setRetryable(false);
        return error;
    }
    if (m_batch.securityTemplateIds.isEmpty()
        || m_batch.securityTemplateIds.size() > kMaxSecurityTemplates) {
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("\"%1\" needs 1 to %2 security templates, but %3 are chosen. Choose the "
                          "security templates for the upload.")
                           .arg(name, QString::number(kMaxSecurityTemplates),
                                QString::number(m_batch.securityTemplateIds.size())));
        error.setRetryable(false);
        return error;
    }
    if (m_batch.metadataTemplateId.isEmpty()) {
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("No metadata template is chosen for \"%1\". Choose a metadata template.")
                           .arg(name));
        error.setRetryable(false);
        return error;
    }
    if (m_batch.mode == UploadMode::NewVersion && m_batch.versionOfObjectId.isEmpty()) {
        ApiError error(ApiError::Kind::InvalidRequest,
                       tr("\"%1\" should become a new version, but no asset id is given. Enter "
                          "the object id of the asset to version.")
                           .arg(name));
        error.setRetryable(false);
        return error;
    }
    return {};
}

Result<void> UploadTask::checkFile()
{
    const QString path = displayPath(m_item.filePath);
    if (m_item.filePath.isEmpty())
        return ApiError::localFile(tr("No file is given. Choose a file to upload."));

    const QFileInfo info(m_item.filePath);
    if (!info.exists()) {
        return ApiError::localFile(
            tr("\"%1\" does not exist. Check the path and that the file was not moved or deleted.")
                .arg(path));
    }
    if (info.isDir()) {
        return ApiError::localFile(
            tr("\"%1\" is a folder, not a file. Add the files inside it instead.").arg(path));
    }
    if (!info.isFile()) {
        return ApiError::localFile(tr("\"%1\" is not a regular file (it may be a device, pipe or "
                                      "socket) and cannot be uploaded.")
                                       .arg(path));
    }
    QFile file(m_item.filePath);
    if (!file.open(QIODevice::ReadOnly)) {
        return ApiError::localFile(tr("\"%1\" cannot be read: %2. Check the file's permissions.")
                                       .arg(path, file.errorString()));
    }
    const qint64 size = file.size();
    file.close();
    if (size > kMaxFileSize) {
        return ApiError::localFile(
            tr("\"%1\" is %2 (%3 bytes), larger than the 5 GiB (%4 bytes) Tenovos accepts for one "
               "file. Upload a smaller file.")
                .arg(path, QLocale().formattedDataSize(size), QString::number(size),
                     QString::number(kMaxFileSize)));
    }

    m_fileSize = size;
    m_fileModified = info.lastModified();
    m_contentType = QMimeDatabase()
                        .mimeTypeForFile(m_item.filePath, QMimeDatabase::MatchExtension)
                        .name();
    return {};
}

void UploadTask::lookUpVersionedAsset()
{
    const QString objectId = m_batch.versionOfObjectId;
    m_callIsCreate = false;
    m_call = m_client->getAsset(objectId, this, [this, objectId](const Result<AssetInfo> &result) {
        m_call = nullptr;
        if (m_cancelRequested) {
            finishTask(TaskState::Cancelled);
            return;
        }
        if (!result) {
            if (waitForSignIn(result.error()))
                return;
            ApiError error = result.error();
            if (error.kind() == ApiError::Kind::NotFound) {
                error.setUserMessage(tr("The asset %1 to add \"%2\" to as a new version was not "
                                        "found. Check the object id.")
                                         .arg(objectId, filename()));
            } else {
                error = withFileContext(error, tr("look up the asset %1 for").arg(objectId));
            }
            failTask(error);
            return;
        }
        m_originalFileId = result.value().fileId;
        m_versionedObjectId = result.value().objectId.isEmpty() ? objectId : result.value().objectId;
        qCInfo(lcUpload).noquote() << "Uploading" << filename() << "as a new version of object"
                                   << objectId << "file" << m_originalFileId;
        createAsset();
    });
}

void UploadTask::createAsset()
{
    CreateAssetRequest request;
    request.filename = filename();
    if (m_batch.mode != UploadMode::MetadataOnly && m_fileSize >= m_settings.multipartThreshold)
        request.filesize = m_fileSize;
    request.metadataTemplateId = m_batch.metadataTemplateId;
    request.securityTemplateIds = m_batch.securityTemplateIds;
    request.metadata = m_batch.metadata;
    request.originalFileId = m_originalFileId;

    if (!m_createUnresolved) {
        m_createSentAt = QDateTime::currentDateTimeUtc();
        m_lostCreateSize = m_fileSize;
    }
    writeCreatingEntry();
    m_callIsCreate = true;
    m_call = m_client->createAsset(request, this, [this](const Result<CreatedAsset> &result) {
        m_call = nullptr;
        handleCreated(result);
    });
}

void UploadTask::handleCreated(const Result<CreatedAsset> &result)
{
    if (!result) {
        if (m_cancelRequested) {
            finishTask(TaskState::Cancelled);
            return;
        }
        if (createOutcomeUnknown(result.error())) {
            recoverCreate(result.error());
            return;
        }
        if (waitForSignIn(result.error()))
            return;
        failTask(withFileContext(result.error(), tr("create the asset for")));
        return;
    }
    m_asset = result.value();
    m_created = true;
    m_createUnresolved = false;
    m_createRecoveries = 0;
    if (m_firstFileId.isEmpty())
        m_firstFileId = m_asset.fileId;
    m_uploadClosed = !m_asset.isMultipart();
    qCInfo(lcUpload).noquote() << "Created object" << m_asset.objectId << "file" << m_asset.fileId
                               << "for" << filename()
                               << (m_asset.isMultipart() ? "(multipart upload)" : "");
    writeJournalEntry();

    if (m_batch.mode == UploadMode::MetadataOnly) {
        // The asset exists without content until a file is uploaded for it.
        finishTask(TaskState::Done);
        return;
    }
    if (m_cancelRequested) {
        cancelOpenUpload([this] { finishTask(TaskState::Cancelled); });
        return;
    }

    const Result<void> planned = planParts();
    if (!planned) {
        failTask(planned.error());
        return;
    }
    qint64 partSize = m_parts.isEmpty() ? 0 : m_parts.constFirst().length;
    Q_EMIT partsPlanned(int(m_parts.size()), partSize);
    Q_EMIT progressChanged(0, m_fileSize);

    if (m_pauseRequested) {
        m_pauseRequested = false;
        setState(TaskState::Paused);
        Q_EMIT schedulingNeeded();
        return;
    }
    startUploading();
}

Result<void> UploadTask::planParts()
{
    m_parts.clear();
    const QString name = filename();

    if (!m_asset.isMultipart()) {
        if (m_asset.url.isEmpty()) {
            return ApiError::malformed(QStringLiteral("POST /assets/asset"),
                                       tr("the response for \"%1\" has no upload URL").arg(name));
        }
        const Result<PresignedUrl> url = PresignedUrl::parse(m_asset.url);
        if (!url)
            return withFileContext(url.error(), tr("read the upload URL of"));
        Part part;
        part.number = 1;
        part.length = m_fileSize;
        part.url = url.value();
        m_parts.append(part);
        return {};
    }

    const qint64 partSize = m_settings.partSize;
    const qint64 expected = qMax<qint64>(1, (m_fileSize + partSize - 1) / partSize);
    bool numbersMatch = m_asset.urls.size() == expected;
    for (qsizetype i = 0; numbersMatch && i < m_asset.urls.size(); ++i)
        numbersMatch = m_asset.urls.at(i).partNumber == i + 1;
    if (!numbersMatch) {
        ApiError error = ApiError::malformed(
            QStringLiteral("POST /assets/asset"),
            tr("Tenovos sent %1 part URLs for \"%2\", but a file of %3 bytes in parts of %4 bytes "
               "needs %5, numbered 1 to %5")
                .arg(QString::number(m_asset.urls.size()), name, QString::number(m_fileSize),
                     QString::number(partSize), QString::number(expected)));
        error.setUserMessage(tr("Tenovos planned the parts of \"%1\" differently from the "
                                "uploader (%2 URLs, expected %3 parts of %4 bytes). Check that the "
                                "part size setting matches the server, then retry.")
                                 .arg(name, QString::number(m_asset.urls.size()),
                                      QString::number(expected), QString::number(partSize)));
        return error;
    }

    for (const PartUrl &entry : std::as_const(m_asset.urls)) {
        const Result<PresignedUrl> url = PresignedUrl::parse(entry.url);
        if (!url)
            return withFileContext(url.error(), tr("read the upload URLs of"));
        Part part;
        part.number = entry.partNumber;
        part.offset = qint64(entry.partNumber - 1) * partSize;
        part.length = qMin(partSize, m_fileSize - part.offset);
        part.url = url.value();
        m_parts.append(part);
    }
    return {};
}

void UploadTask::startUploading()
{
    setState(TaskState::Uploading);
    if (m_fileSize == 0 && m_parts.isEmpty()) {
        allPartsDone();
        return;
    }
    Q_EMIT schedulingNeeded();
}

// --- Parts ------------------------------------------------------------------

void UploadTask::startNextPart()
{
    Part *next = nullptr;
    for (Part &part : m_parts) {
        const bool due = part.state == PartState::Pending
            || (part.state == PartState::Retrying && (part.retryDue || part.retryAt.hasExpired()));
        if (due) {
            next = &part;
            break;
        }
    }
    if (!next || m_state != TaskState::Uploading)
        return;

    // A file that changed since the upload began would store a mix of old
    // and new bytes, so it stops before any further part is sent.
    const Result<void> unchanged = checkFileUnchanged();
    if (!unchanged) {
        failTask(unchanged.error());
        return;
    }

    PartSpec spec;
    spec.filePath = m_item.filePath;
    spec.partNumber = next->number;
    spec.offset = next->offset;
    spec.length = next->length;
    spec.url = next->url;
    spec.objectId = m_asset.objectId;
    spec.timeoutMs = m_settings.transferTimeoutMs;
    // S3 stores the Content-Type of a single upload with the object; for
    // parts it was fixed when the multipart upload was created.
    if (!m_asset.isMultipart() && !m_contentType.isEmpty())
        spec.contentType = m_contentType.toUtf8();
    // Parts are large and throughput-bound; single uploads are small and
    // gain from the connection reuse of QNetworkAccessManager.
    spec.preferOwnConnection = m_asset.isMultipart();

    auto *upload = new PartUpload(m_pool, spec, this);
    const int number = next->number;
    connect(upload, &PartUpload::progress, this,
            [this, number](qint64 sent, qint64) { handlePartProgress(number, sent); });
    connect(upload, &PartUpload::finished, this,
            [this, number](const Result<QByteArray> &etag) { handlePartFinished(number, etag); });
    next->upload = upload;
    next->state = PartState::Uploading;
    Q_EMIT partStateChanged(number, PartState::Uploading);
    qCDebug(lcUpload).noquote() << "Sending part" << number << "of" << filename() << "("
                                << next->length << "bytes, attempt" << next->failures + 1 << ")";
    upload->start();
}

void UploadTask::handlePartProgress(int partNumber, qint64 sent)
{
    Part *part = findPart(partNumber);
    if (!part)
        return;
    const qint64 clamped = qMin(sent, part->length);
    if (clamped <= part->sentHighWater)
        return; // a re-sent part counts its bytes once
    part->sentHighWater = clamped;
    part->progressDirty = true;
    markProgressDirty();
}

void UploadTask::handlePartFinished(int partNumber, const Result<QByteArray> &etag)
{
    Part *part = findPart(partNumber);
    if (!part)
        return;
    if (part->upload)
        part->upload->deleteLater();
    part->upload = nullptr;

    if (etag) {
        part->etag = etag.value();
        part->state = PartState::Done;
        if (m_waitingForServer) {
            m_waitingForServer = false;
            Q_EMIT waitingForServer(QDateTime());
        }
        journalPartConfirmed(partNumber, part->etag);
        part->sentHighWater = part->length;
        part->progressDirty = true;
        flushProgress();
        Q_EMIT partStateChanged(partNumber, PartState::Done);

        bool allDone = true;
        for (const Part &each : std::as_const(m_parts))
            allDone = allDone && each.state == PartState::Done;
        if (allDone)
            allPartsDone();
        else
            Q_EMIT schedulingNeeded();
        return;
    }

    ApiError error = etag.error();
    if (error.kind() == ApiError::Kind::LocalFile) {
        // A read error is usually the file shrinking or going away.
        const Result<void> unchanged = checkFileUnchanged();
        if (!unchanged) {
            part->state = PartState::Failed;
            Q_EMIT partStateChanged(partNumber, PartState::Failed);
            failTask(unchanged.error());
            return;
        }
    }
    // While no server responds at all, the network is away: the part keeps
    // being retried for outageToleranceMs, beyond maxRetries.
    const bool outage = ApiClient::isOutage(error);
    if (outage) {
        if (part->outageFailures++ == 0)
            part->outageSince.start();
    } else {
        part->outageFailures = 0;
        part->outageSince.invalidate();
        ++part->failures;
    }
    const bool withinOutage = outage
        && (part->outageFailures <= m_settings.maxRetries
            || part->outageSince.elapsed() < m_settings.outageToleranceMs);
    if (error.isRetryable() && (withinOutage || (!outage && part->failures <= m_settings.maxRetries))) {
        const int delay = outage ? m_client->outageRetryDelay(part->outageFailures)
                                 : m_client->retryDelay(part->failures, error.retryAfterSeconds());
        const QString attempt = outage
            ? QStringLiteral("%1 while no server responds").arg(part->outageFailures)
            : QStringLiteral("%1 of %2").arg(part->failures).arg(m_settings.maxRetries);
        qCInfo(lcUpload).noquote() << "Part" << partNumber << "of" << filename() << "failed ("
                                   << error.logMessage() << "); retry" << attempt << "in" << delay
                                   << "ms";
        if (outage) {
            m_waitingForServer = true;
            Q_EMIT waitingForServer(QDateTime::currentDateTimeUtc().addMSecs(delay));
        }
        part->state = PartState::Retrying;
        part->retryAt = QDeadlineTimer(delay, Qt::PreciseTimer);
        part->retryDue = false;
        Q_EMIT partStateChanged(partNumber, PartState::Retrying);
        scheduleRetryTimer();
        Q_EMIT schedulingNeeded();
        return;
    }

    part->state = PartState::Failed;
    Q_EMIT partStateChanged(partNumber, PartState::Failed);
    ApiError failure = error;
    failure.setUserMessage(tr("Part %1 of \"%2\" could not be uploaded: %3")
                               .arg(partNumber)
                               .arg(filename(), error.userMessage()));
    failTask(failure);
}

void UploadTask::scheduleRetryTimer()
{
    qint64 earliest = -1;
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state != PartState::Retrying || part.retryDue)
            continue;
        const qint64 remaining = part.retryAt.remainingTime();
        if (earliest < 0 || remaining < earliest)
            earliest = remaining;
    }
    if (earliest >= 0)
        m_retryTimer.start(int(qMax<qint64>(0, earliest)));
}

void UploadTask::handleRetryTimer()
{
    // A timer may fire a little before the deadline it was armed for, so
    // parts due within a few milliseconds count as due now.
    constexpr qint64 kSlackMs = 20;
    for (Part &part : m_parts) {
        if (part.state == PartState::Retrying && part.retryAt.remainingTime() <= kSlackMs)
            part.retryDue = true;
    }
    bool waiting = false;
    for (const Part &part : std::as_const(m_parts))
        waiting = waiting || (part.state == PartState::Retrying && !part.retryDue);
    if (waiting)
        scheduleRetryTimer();
    Q_EMIT schedulingNeeded();
}

UploadTask::Part *UploadTask::findPart(int partNumber)
{
    for (Part &part : m_parts) {
        if (part.number == partNumber)
            return &part;
    }
    return nullptr;
}

// --- Completing -------------------------------------------------------------

void UploadTask::allPartsDone()
{
    const Result<void> unchanged = checkFileUnchanged();
    if (!m_asset.isMultipart()) {
        if (!unchanged) {
            ApiError error = unchanged.error();
            error.setUserMessage(tr("\"%1\" changed while it was uploaded, so the stored copy may "
                                    "be inconsistent. Upload it again once it is no longer being "
                                    "written.")
                                     .arg(displayPath(m_item.filePath)));
            failTask(error);
            return;
        }
        finishTask(TaskState::Done);
        return;
    }
    if (!unchanged) {
        failTask(unchanged.error());
        return;
    }

    // Complete only when the confirmed parts cover the file exactly: each
    // part starts where the previous one ended and has an ETag.
    qint64 covered = 0;
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state != PartState::Done || part.etag.isEmpty() || part.offset != covered)
            break;
        covered += part.length;
    }
    if (covered != m_fileSize) {
        ApiError error = ApiError::malformed(
            QStringLiteral("complete"),
            tr("the confirmed parts of \"%1\" cover %2 of its %3 bytes")
                .arg(filename(), QString::number(covered), QString::number(m_fileSize)));
        error.setUserMessage(tr("The confirmed parts of \"%1\" cover %2 of its %3 bytes, so the "
                                "upload was not completed. Retry the file.")
                                 .arg(filename(), QString::number(covered),
                                      QString::number(m_fileSize)));
        failTask(error);
        return;
    }
    completeUpload();
}

Result<void> UploadTask::checkFileUnchanged() const
{
    const QFileInfo info(m_item.filePath);
    if (info.exists() && info.size() == m_fileSize && info.lastModified() == m_fileModified)
        return {};
    if (!info.exists()) {
        qCWarning(lcUpload).noquote() << displayPath(m_item.filePath)
                                      << "disappeared during the upload";
        return ApiError::localFile(tr("\"%1\" was moved or deleted during the upload, so the "
                                      "upload was stopped. Put the file back and retry it, or "
                                      "remove it from the queue.")
                                       .arg(displayPath(m_item.filePath)));
    }
    qCWarning(lcUpload).noquote() << displayPath(m_item.filePath) << "changed during the upload:"
                                  << "size" << m_fileSize << "->" << info.size();
    return ApiError::localFile(tr("\"%1\" changed during the upload (its size or modification time "
                                  "is different now), so the upload was stopped. Upload it again "
                                  "once it is no longer being written.")
                                   .arg(displayPath(m_item.filePath)));
}

void UploadTask::completeUpload()
{
    // Every confirmed part is on disk before the upload can close.
    flushJournal();
    setState(TaskState::Completing);
    CompleteUploadRequest request;
    request.fileId = m_asset.fileId;
    request.filename = filename();
    request.filesize = m_fileSize;
    request.uploadId = m_asset.uploadId;
    request.originalFileId = m_originalFileId;
    request.action = CompleteUploadRequest::Action::Complete;
    for (const Part &part : std::as_const(m_parts))
        request.parts.append(CompletedPart{part.number, part.etag});

    m_callIsCreate = false;
    m_call = m_client->completeUpload(request, this, [this](const Result<CompletedUpload> &result) {
        m_call = nullptr;
        if (!result) {
            if (waitForSignIn(result.error()))
                return;
            if (result.error().errorCode() == QLatin1String("NoSuchUpload")) {
                // A retried complete finds the upload gone when the first
                // attempt succeeded but its response was lost.
                confirmCompleted(result.error());
                return;
            }
            failTask(withFileContext(result.error(), tr("finish the upload of")));
            return;
        }
        m_uploadClosed = true;
        finishTask(TaskState::Done);
    });
}

void UploadTask::confirmCompleted(const ApiError &completeError)
{
    m_callIsCreate = false;
    m_call = m_client->getAsset(m_asset.fileId, this,
                                [this, completeError](const Result<AssetInfo> &result) {
        m_call = nullptr;
        if (result && result.value().fileId == m_asset.fileId
            && result.value().fileSizeInBytes == m_fileSize) {
            qCInfo(lcUpload).noquote() << "The upload of" << filename() << "was completed by an"
                                       << "earlier attempt whose response was lost";
            m_uploadClosed = true;
            finishTask(TaskState::Done);
            return;
        }
        failTask(withFileContext(completeError, tr("finish the upload of")));
    });
}

int UploadTask::confirmedPartCount() const
{
    int count = 0;
    for (const Part &part : m_parts) {
        if (part.state == PartState::Done && !part.etag.isEmpty())
            ++count;
    }
    return count;
}

bool UploadTask::waitForSignIn(const ApiError &error)
{
    // A 401 after the call's own session renewal, with the session still
    // valid, is a real rejection. Only a lost session makes the file wait.
    const Session *session = m_client->session();
    if (error.kind() != ApiError::Kind::Unauthorized || (session && session->isSignedIn()))
        return false;
    qCInfo(lcUpload).noquote() << filename() << "waits for a new sign-in:" << error.logMessage();
    setState(TaskState::Queued);
    Q_EMIT schedulingNeeded();
    return true;
}

void UploadTask::cancelOpenUpload(std::function<void()> then)
{
    if (!hasOpenMultipartUpload()) {
        then();
        return;
    }
    CompleteUploadRequest request;
    request.fileId = m_asset.fileId;
    request.filename = filename();
    request.filesize = m_fileSize;
    request.uploadId = m_asset.uploadId;
    request.originalFileId = m_originalFileId;
    request.action = CompleteUploadRequest::Action::Cancel;
    for (const Part &part : std::as_const(m_parts)) {
        if (part.state == PartState::Done)
            request.parts.append(CompletedPart{part.number, part.etag});
    }

    m_cleaningUp = true;
    m_uploadClosed = true;
    qCInfo(lcUpload).noquote() << "Cancelling the multipart upload of" << filename() << "object"
                               << m_asset.objectId;
    m_callIsCreate = false;
    m_call = m_client->completeUpload(
        request, this, [this, then = std::move(then)](const Result<CompletedUpload> &result) {
            m_call = nullptr;
            m_cleaningUp = false;
            if (!result && result.error().kind() != ApiError::Kind::NotFound) {
                qCWarning(lcUpload).noquote()
                    << "Cancelling the multipart upload of" << filename() << "object"
                    << m_asset.objectId << "failed:" << result.error().logMessage();
                recordOwedCancel();
            }
            then();
        });
}

bool UploadTask::hasOpenMultipartUpload() const
{
    return m_created && m_asset.isMultipart() && !m_uploadClosed;
}

// --- User actions -----------------------------------------------------------

void UploadTask::cancel()
{
    // A cancel request to the server is under way already; it ends the task.
    if (m_cleaningUp)
        return;
    switch (m_state) {
    case TaskState::Queued:
    case TaskState::Paused:
        if (hasOpenMultipartUpload()) {
            m_cancelRequested = true;
            cancelOpenUpload([this] { finishTask(TaskState::Cancelled); });
        } else {
            finishTask(TaskState::Cancelled);
        }
        return;
    case TaskState::Creating:
        m_cancelRequested = true;
        // A create call in flight may still create the asset, so its
        // response is awaited (handleCreated() cancels the upload it opened). A
        // lookup can be dropped.
        if (m_createRetryTimer.isActive()) {
            // A lost create may have made the asset: the search runs now and
            // cancels the upload it finds.
            m_createRetryTimer.stop();
            lookForLostCreate();
        } else if (m_call && !m_callIsCreate && !m_createUnresolved) {
            m_call->abort();
            m_call = nullptr;
            finishTask(TaskState::Cancelled);
        }
        return;
    case TaskState::Uploading:
        if (m_cancelRequested)
            return;
        m_cancelRequested = true;
        qCInfo(lcUpload).noquote() << "Cancelling upload of" << filename();
        abortParts(false);
        cancelOpenUpload([this] { finishTask(TaskState::Cancelled); });
        return;
    case TaskState::Completing:
        qCInfo(lcUpload).noquote() << "Not cancelling" << filename()
                                   << "because its upload is being completed";
        return;
    case TaskState::Done:
    case TaskState::Failed:
    case TaskState::Cancelled:
        return;
    }
}

void UploadTask::discardHeldUpload()
{
    if (!holdsUploadForRetry())
        return;
    m_heldForRetry = false;
    cancelOpenUpload([this] { finishTask(TaskState::Cancelled); });
}

void UploadTask::pause()
{
    if (m_cleaningUp)
        return;
    switch (m_state) {
    case TaskState::Queued:
        setState(TaskState::Paused);
        Q_EMIT schedulingNeeded();
        return;
    case TaskState::Creating:
        m_pauseRequested = true;
        return;
    case TaskState::Uploading:
        if (m_cancelRequested)
            return;
        qCInfo(lcUpload).noquote() << "Pausing upload of" << filename();
        abortParts(true);
        setState(TaskState::Paused);
        Q_EMIT schedulingNeeded();
        return;
    default:
        return;
    }
}

void UploadTask::resume()
{
    if (m_state == TaskState::Creating) {
        m_pauseRequested = false;
        return;
    }
    if (m_state != TaskState::Paused)
        return;
    setState(TaskState::Queued);
    Q_EMIT schedulingNeeded();
}

bool UploadTask::resetForRetry()
{
    if (m_state != TaskState::Failed && m_state != TaskState::Cancelled)
        return false;
    if (holdsUploadForRetry()) {
        m_heldForRetry = false;
        for (Part &part : m_parts) {
            part.failures = 0;
            part.outageFailures = 0;
            if (part.state != PartState::Done) {
                part.state = PartState::Pending;
                Q_EMIT partStateChanged(part.number, part.state);
            }
        }
        m_error = ApiError();
        qCInfo(lcUpload).noquote() << "Queueing" << filename() << "again; its"
                                   << confirmedPartCount() << "confirmed parts are not sent again";
        setState(TaskState::Queued);
        // A front end clears a retried file's parts, so the kept ones are reported again.
        Q_EMIT partsPlanned(int(m_parts.size()), m_settings.partSize);
        for (const Part &part : std::as_const(m_parts)) {
            if (part.state == PartState::Done)
                Q_EMIT partStateChanged(part.number, PartState::Done);
        }
        Q_EMIT progressChanged(bytesSent(), m_fileSize);
        Q_EMIT schedulingNeeded();
        return true;
    }
    m_heldForRetry = false;
    abortParts(false);
    // Expired upload links leave an asset without content behind. The file
    // goes up again as a new version of that asset, so no second asset
    // appears. The old multipart upload was cancelled when the file failed.
    const bool linksExpired = (m_error.kind() == ApiError::Kind::UrlExpired || m_retryAsVersion)
        && !m_firstFileId.isEmpty();
    m_retryAsVersion = false;
    if (m_batch.mode == UploadMode::NewAsset) {
        if (!linksExpired)
            m_versionedObjectId.clear();
        else if (!m_asset.objectId.isEmpty())
            m_versionedObjectId = m_asset.objectId;
    }
    m_parts.clear();
    m_asset = CreatedAsset();
    m_created = false;
    m_uploadClosed = false;
    m_originalFileId.clear();
    if (linksExpired && m_batch.mode == UploadMode::NewAsset) {
        m_originalFileId = m_firstFileId;
        qCInfo(lcUpload).noquote() << "Uploading" << filename() << "again as a new version of file"
                                   << m_firstFileId << "so that no second asset appears";
    }
    m_cancelRequested = false;
    m_pauseRequested = false;
    m_error = ApiError();
    m_retryTimer.stop();
    m_createRetryTimer.stop();
    m_createRecoveries = 0;
    qCInfo(lcUpload).noquote() << "Queueing" << filename() << "again";
    setState(TaskState::Queued);
    Q_EMIT progressChanged(0, m_fileSize);
    Q_EMIT schedulingNeeded();
    return true;
}

void UploadTask::abortParts(bool keepAsPending)
{
    for (Part &part : m_parts) {
        if (part.upload) {
            part.upload->abort();
            part.upload->deleteLater();
            part.upload = nullptr;
        }
        if (part.state == PartState::Uploading || part.state == PartState::Retrying) {
            part.state = keepAsPending ? PartState::Pending : PartState::Failed;
            Q_EMIT partStateChanged(part.number, part.state);
        }
    }
    m_retryTimer.stop();
}

// --- Ending -----------------------------------------------------------------

void UploadTask::failTask(const ApiError &error)
{
    if (isFinalState(m_state))
        return;
    abortParts(false);
    if (m_call) {
        m_call->abort();
        m_call = nullptr;
    }
    qCWarning(lcUpload).noquote() << "Upload of" << displayPath(m_item.filePath)
                                  << (m_asset.objectId.isEmpty()
                                          ? QString()
                                          : QStringLiteral("(object %1)").arg(m_asset.objectId))
                                  << "failed:" << error.logMessage();
    // A passing failure (the server or the network gave up for now) keeps
    // the multipart upload and its confirmed parts: Retry, or the journal's
    // resume offer after a restart, sends only the missing parts.
    if (error.isRetryable() && error.kind() != ApiError::Kind::UrlExpired
        && hasOpenMultipartUpload() && confirmedPartCount() > 0) {
        qCInfo(lcUpload).noquote() << "Keeping the multipart upload of" << filename() << "with"
                                   << confirmedPartCount() << "confirmed parts for a retry";
        ApiError failure = error;
        failure.setUserMessage(error.userMessage() + QLatin1Char(' ')
                               + tr("The %n part(s) already uploaded are kept, and retrying the "
                                    "file sends only the rest.",
                                    nullptr, confirmedPartCount()));
        m_heldForRetry = true;
        m_keepJournalEntry = true;
        flushJournal();
        finishTask(TaskState::Failed, failure);
        return;
    }
    const ApiError failure = error;
    cancelOpenUpload([this, failure] { finishTask(TaskState::Failed, failure); });
}

void UploadTask::finishTask(TaskState state, const ApiError &error)
{
    m_cleaningUp = false;
    m_cancelRequested = false;
    m_pauseRequested = false;
    m_retryTimer.stop();
    m_createRetryTimer.stop();
    flushProgress();
    removeJournalEntry();
    if (state == TaskState::Done) {
        qCInfo(lcUpload).noquote() << "Uploaded" << displayPath(filename()) << "as object"
                                   << m_asset.objectId << "file" << m_asset.fileId << "("
                                   << m_fileSize << "bytes in" << m_elapsed.elapsed() << "ms)";
    } else if (state == TaskState::Cancelled) {
        qCInfo(lcUpload).noquote() << "Cancelled" << displayPath(filename())
                                   << (m_asset.objectId.isEmpty()
                                           ? QString()
                                           : QStringLiteral("(object %1)").arg(m_asset.objectId));
    }
    setState(state, error);
    Q_EMIT finished(result());
    Q_EMIT schedulingNeeded();
}

void UploadTask::setState(TaskState state, const ApiError &error)
{
    m_error = error;
    if (m_state == state && !error.isError())
        return;
    m_state = state;
    Q_EMIT stateChanged(state, error);
}

ApiError UploadTask::withFileContext(ApiError error, const QString &action) const
{
    // "Could not create the asset for "a.jpg": <reason and next step>"
    error.setUserMessage(tr("Could not %1 \"%2\": %3")
                             .arg(action, filename(), error.userMessage()));
    return error;
}

// --- Progress ---------------------------------------------------------------

void UploadTask::markProgressDirty()
{
    if (!m_progressTimer.isActive())
        m_progressTimer.start(kProgressIntervalMs);
}

void UploadTask::flushProgress()
{
    m_progressTimer.stop();
    bool anyDirty = false;
    for (Part &part : m_parts) {
        if (!part.progressDirty)
            continue;
        part.progressDirty = false;
        anyDirty = true;
        Q_EMIT partProgress(part.number, part.sentHighWater, part.length);
    }
    if (anyDirty)
        Q_EMIT progressChanged(bytesSent(), m_fileSize);
}

} // namespace tenovos
