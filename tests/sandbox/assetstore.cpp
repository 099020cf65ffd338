#include "assetstore.h"

#include "httpmessage.h"
#include "sandboxlogging.h"

#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QMutexLocker>
#include <QUuid>

namespace tenovos::sandbox {

namespace {

// S3 numbers parts 1 to 10,000.
constexpr int maxPartNumber = 10000;

QString newUuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

QString partFileName(int partNumber)
{
    return QStringLiteral("part-%1").arg(partNumber, 5, 10, QLatin1Char('0'));
}

AssetStore::PutError noSuchUpload()
{
    return {404, "NoSuchUpload",
            QStringLiteral("The specified upload does not exist. The upload ID may be invalid, or the upload may "
                           "have been aborted or completed.")};
}

// Replaces destination with source; QFile::rename refuses to overwrite.
bool replaceFile(const QString &source, const QString &destination)
{
    if (QFile::exists(destination) && !QFile::remove(destination))
        return false;
    return QFile::rename(source, destination);
}

} // namespace

AssetStore::AssetStore(const QString &rootDirectory)
    : m_root(rootDirectory)
{
}

std::optional<AssetStore::Created> AssetStore::create(const CreateRequest &request)
{
    QMutexLocker locker(&m_mutex);

    QString objectId;
    if (!request.originalFileId.isEmpty()) {
        objectId = m_objectByFileId.value(request.originalFileId);
        if (objectId.isEmpty())
            return std::nullopt;
    } else {
        objectId = newUuid();
        m_assets.insert(objectId, Asset{objectId, QDateTime::currentDateTimeUtc(), {}});
        m_objectOrder.append(objectId);
    }

    Version version;
    version.fileId = newUuid();
    version.originalFileId = request.originalFileId.isEmpty() ? version.fileId : request.originalFileId;
    version.filename = request.filename;
    version.declaredSize = request.filesize;
    version.created = QDateTime::currentDateTimeUtc();
    version.metadataTemplateId = request.metadataTemplateId;
    version.securityTemplateIds = request.securityTemplateIds;
    version.metadata = request.metadata;
    version.directory = QDir(m_root).filePath(QStringLiteral("objects/%1/%2").arg(objectId, version.fileId));
    version.multipart = request.filesize > 0 && request.filesize >= request.multipartThreshold;
    if (version.multipart) {
        version.uploadId = QString::fromLatin1(randomId(64));
        version.partSize = request.partSize;
        version.partCount = static_cast<int>((request.filesize + request.partSize - 1) / request.partSize);
        m_uploads.insert(version.uploadId, {objectId, version.fileId});
    }
    QDir().mkpath(version.directory);

    m_objectByFileId.insert(version.fileId, objectId);
    m_assets[objectId].versions.append(version);

    Created created;
    created.objectId = objectId;
    created.fileId = version.fileId;
    created.originalFileId = version.originalFileId;
    created.filename = version.filename;
    created.uploadId = version.uploadId;
    created.partCount = version.partCount;
    created.partSize = version.partSize;
    return created;
}

AssetStore::Version *AssetStore::findVersion(const QString &objectId, const QString &fileId)
{
    const auto asset = m_assets.find(objectId);
    if (asset == m_assets.end())
        return nullptr;
    for (Version &version : asset->versions) {
        if (version.fileId == fileId)
            return &version;
    }
    return nullptr;
}

const AssetStore::Version *AssetStore::currentVersion(const Asset &asset) const
{
    for (auto it = asset.versions.crbegin(); it != asset.versions.crend(); ++it) {
        if (it->state == State::Complete)
            return &*it;
    }
    return asset.versions.isEmpty() ? nullptr : &asset.versions.constLast();
}

std::variant<AssetStore::PutTarget, AssetStore::PutError>
AssetStore::beginPut(const QString &objectId, const QString &key, const QString &uploadId, int partNumber)
{
    QMutexLocker locker(&m_mutex);
    Version *version = nullptr;

    if (uploadId.isEmpty()) {
        const auto asset = m_assets.find(objectId);
        if (asset != m_assets.end()) {
            for (auto it = asset->versions.rbegin(); it != asset->versions.rend(); ++it) {
                if (!it->multipart && it->filename == key) {
                    version = &*it;
                    break;
                }
            }
        }
        if (!version)
            return PutError{403, "AccessDenied", QStringLiteral("Access Denied")};
    } else {
        if (partNumber < 1 || partNumber > maxPartNumber) {
            return PutError{400, "InvalidArgument",
                            QStringLiteral("Part number must be an integer between 1 and 10000, inclusive")};
        }
        const auto upload = m_uploads.constFind(uploadId);
        if (upload == m_uploads.constEnd() || upload->first != objectId)
            return noSuchUpload();
        version = findVersion(upload->first, upload->second);
        if (!version || version->filename != key
            || (version->state != State::Pending && version->state != State::Uploading)) {
            return noSuchUpload();
        }
        version->state = State::Uploading;
    }

    ++version->putsInFlight;
    PutTarget target;
    target.objectId = objectId;
    target.fileId = version->fileId;
    target.uploadId = uploadId;
    target.partNumber = uploadId.isEmpty() ? 1 : partNumber;
    target.finalPath = QDir(version->directory).filePath(uploadId.isEmpty() ? QStringLiteral("content")
                                                                            : partFileName(partNumber));
    target.temporaryPath = QStringLiteral("%1.%2.partial").arg(target.finalPath, newUuid());
    return target;
}

std::optional<AssetStore::PutError> AssetStore::finishPut(const PutTarget &target, qint64 size,
                                                          const QByteArray &md5Hex)
{
    QMutexLocker locker(&m_mutex);
    Version *version = findVersion(target.objectId, target.fileId);
    if (version)
        --version->putsInFlight;

    const bool uploadOpen = version && (target.uploadId.isEmpty() || version->state == State::Uploading);
    if (!uploadOpen) {
        QFile::remove(target.temporaryPath);
        return noSuchUpload();
    }
    if (!replaceFile(target.temporaryPath, target.finalPath)) {
        qCWarning(lcSandbox) << "Could not move the received body to" << target.finalPath;
        QFile::remove(target.temporaryPath);
        return PutError{500, "InternalError",
                        QStringLiteral("The sandbox could not store the body; check free space in its data folder.")};
    }

    if (target.uploadId.isEmpty()) {
        version->state = State::Complete;
        version->content = Content{{target.finalPath}, size};
        version->parts = {{1, StoredPart{size, QLatin1Char('"') + QString::fromLatin1(md5Hex) + QLatin1Char('"'),
                                         target.finalPath}}};
        m_contentMd5ByFileId.insert(version->fileId, md5Hex);
    } else {
        version->parts.insert(target.partNumber,
                              StoredPart{size, QLatin1Char('"') + QString::fromLatin1(md5Hex) + QLatin1Char('"'),
                                         target.finalPath});
    }
    return std::nullopt;
}

void AssetStore::abortPut(const PutTarget &target)
{
    QMutexLocker locker(&m_mutex);
    if (Version *version = findVersion(target.objectId, target.fileId))
        --version->putsInFlight;
    QFile::remove(target.temporaryPath);
}

AssetStore::FinishResult AssetStore::finishFailure(const QString &code, const QString &message) const
{
    FinishResult result;
    result.status = 400;
    result.code = code;
    result.message = message;
    return result;
}

AssetStore::Version *AssetStore::findOpenUpload(const FinishRequest &request, QString *objectId,
                                                FinishResult *failure)
{
    const auto upload = m_uploads.constFind(request.uploadId);
    if (upload == m_uploads.constEnd()) {
        *failure = finishFailure(QStringLiteral("NoSuchUpload"),
                                 QStringLiteral("Upload %1 does not exist; create the asset again.").arg(request.uploadId));
        return nullptr;
    }
    if (upload->second != request.fileId) {
        *failure = finishFailure(QStringLiteral("NoSuchUpload"),
                                 QStringLiteral("Upload %1 belongs to file %2, not to file %3.")
                                     .arg(request.uploadId, upload->second, request.fileId));
        return nullptr;
    }
    Version *version = findVersion(upload->first, upload->second);
    if (version->state == State::Complete) {
        *failure = finishFailure(QStringLiteral("NoSuchUpload"),
                                 QStringLiteral("Upload %1 was already completed; it cannot be completed or "
                                                "cancelled again.")
                                     .arg(request.uploadId));
        return nullptr;
    }
    if (version->state == State::Cancelled) {
        *failure = finishFailure(QStringLiteral("NoSuchUpload"),
                                 QStringLiteral("Upload %1 was already cancelled; it cannot be completed or "
                                                "cancelled again.")
                                     .arg(request.uploadId));
        return nullptr;
    }
    *objectId = upload->first;
    return version;
}

AssetStore::FinishResult AssetStore::finishSuccess(const QString &objectId, const Version &version) const
{
    FinishResult result;
    result.objectId = objectId;
    result.fileId = version.fileId;
    result.originalFileId = version.originalFileId;
    result.filename = version.filename;
    result.uploadId = version.uploadId;
    result.s3Key = QStringLiteral("masters/%1/%2").arg(objectId, version.filename);
    return result;
}

AssetStore::FinishResult AssetStore::complete(const FinishRequest &request)
{
    QMutexLocker locker(&m_mutex);
    QString objectId;
    FinishResult failure;
    Version *version = findOpenUpload(request, &objectId, &failure);
    if (!version)
        return failure;

    if (request.parts.isEmpty())
        return finishFailure(QStringLiteral("InvalidRequest"), QStringLiteral("The part list is empty; list every uploaded part."));

    for (qsizetype i = 1; i < request.parts.size(); ++i) {
        if (request.parts.at(i).partNumber <= request.parts.at(i - 1).partNumber) {
            return finishFailure(QStringLiteral("InvalidPartOrder"),
                                 QStringLiteral("The list of parts was not in ascending order: part %1 follows part %2. "
                                                "Parts must be ordered by part number.")
                                     .arg(request.parts.at(i).partNumber)
                                     .arg(request.parts.at(i - 1).partNumber));
        }
    }

    qint64 total = 0;
    for (qsizetype i = 0; i < request.parts.size(); ++i) {
        const PartEntry &entry = request.parts.at(i);
        const auto stored = version->parts.constFind(entry.partNumber);
        if (stored == version->parts.constEnd()) {
            return finishFailure(QStringLiteral("InvalidPart"),
                                 QStringLiteral("One or more of the specified parts could not be found: part %1 "
                                                "was not uploaded.")
                                     .arg(entry.partNumber));
        }
        if (stored->etag != entry.etag) {
            return finishFailure(QStringLiteral("InvalidPart"),
                                 QStringLiteral("The entity tag %1 given for part %2 does not match the part's "
                                                "entity tag %3.")
                                     .arg(entry.etag)
                                     .arg(entry.partNumber)
                                     .arg(stored->etag));
        }
        const bool isLast = i == request.parts.size() - 1;
        if (!isLast && stored->size < request.minPartSize) {
            return finishFailure(QStringLiteral("EntityTooSmall"),
                                 QStringLiteral("Your proposed upload is smaller than the minimum allowed size: part %1 "
                                                "has %2 bytes, and every part but the last needs at least %3 bytes.")
                                     .arg(entry.partNumber)
                                     .arg(stored->size)
                                     .arg(request.minPartSize));
        }
        total += stored->size;
    }

    if (request.filesize >= 0 && request.filesize != version->declaredSize) {
        return finishFailure(QStringLiteral("InvalidFileSize"),
                             QStringLiteral("The filesize %1 differs from the %2 bytes the asset was created with.")
                                 .arg(request.filesize)
                                 .arg(version->declaredSize));
    }
    if (total != version->declaredSize) {
        return finishFailure(QStringLiteral("InvalidFileSize"),
                             QStringLiteral("The listed parts hold %1 bytes, but the asset was created with filesize %2.")
                                 .arg(total)
                                 .arg(version->declaredSize));
    }

    // The content is the listed part files in order; parts left out are
    // discarded, as S3 does.
    Content content;
    QMap<int, StoredPart> kept;
    for (const PartEntry &entry : request.parts) {
        const StoredPart part = version->parts.value(entry.partNumber);
        content.files.append(part.path);
        kept.insert(entry.partNumber, part);
    }
    content.size = total;
    for (auto it = version->parts.cbegin(); it != version->parts.cend(); ++it) {
        if (!kept.contains(it.key()))
            QFile::remove(it->path);
    }
    version->parts = kept;
    version->content = content;
    version->state = State::Complete;
    m_contentMd5ByFileId.remove(version->fileId);
    return finishSuccess(objectId, *version);
}

AssetStore::FinishResult AssetStore::cancel(const FinishRequest &request)
{
    QMutexLocker locker(&m_mutex);
    QString objectId;
    FinishResult failure;
    Version *version = findOpenUpload(request, &objectId, &failure);
    if (!version)
        return failure;

    for (const StoredPart &part : std::as_const(version->parts))
        QFile::remove(part.path);
    version->parts.clear();
    version->state = State::Cancelled;
    return finishSuccess(objectId, *version);
}

QString AssetStore::stateName(const Version &version)
{
    switch (version.state) {
    case State::Pending:
        return version.putsInFlight > 0 ? QStringLiteral("uploading") : QStringLiteral("pending");
    case State::Uploading:
        return QStringLiteral("uploading");
    case State::Complete:
        return QStringLiteral("complete");
    case State::Cancelled:
        return QStringLiteral("cancelled");
    }
    return QString();
}

std::optional<AssetStore::StoredMetadata> AssetStore::metadataOfFile(const QString &fileId) const
{
    QMutexLocker locker(&m_mutex);
    const auto asset = m_assets.constFind(m_objectByFileId.value(fileId));
    if (asset == m_assets.constEnd())
        return std::nullopt;
    const Version *version = currentVersion(*asset);
    if (!version)
        return std::nullopt;
    return StoredMetadata{version->metadataTemplateId, version->metadata};
}

std::optional<QJsonObject> AssetStore::assetJson(const QString &objectOrFileId) const
{
    QMutexLocker locker(&m_mutex);
    QString objectId = objectOrFileId;
    if (!m_assets.contains(objectId))
        objectId = m_objectByFileId.value(objectOrFileId);
    const auto asset = m_assets.constFind(objectId);
    if (objectId.isEmpty() || asset == m_assets.constEnd())
        return std::nullopt;
    const Version *version = currentVersion(*asset);
    if (!version)
        return std::nullopt;

    const qint64 versionNumber = (version - asset->versions.constData()) + 1;
    const qint64 size = version->state == State::Complete ? version->content.size : qMax<qint64>(version->declaredSize, 0);
    QJsonArray securityTemplateIds;
    for (const QString &id : version->securityTemplateIds)
        securityTemplateIds.append(id);

    // "pending content" is the state of a metadata-only asset in Tenovos.
    QString fileState = QStringLiteral("pending content");
    if (version->state == State::Complete)
        fileState = QStringLiteral("available");
    else if (version->state == State::Cancelled)
        fileState = QStringLiteral("cancelled");
    else if (version->state == State::Uploading || version->putsInFlight > 0)
        fileState = QStringLiteral("uploading");

    return QJsonObject{{QStringLiteral("objectId"), objectId},
                       {QStringLiteral("fileId"), version->fileId},
                       {QStringLiteral("originalFileId"), version->originalFileId},
                       {QStringLiteral("filename"), version->filename},
                       {QStringLiteral("fileSizeInBytes"), size},
                       {QStringLiteral("createdDate"), version->created.toString(Qt::ISODateWithMs)},
                       {QStringLiteral("createdEpoch"), version->created.toMSecsSinceEpoch()},
                       {QStringLiteral("versionNumber"), versionNumber},
                       {QStringLiteral("versionCount"), asset->versions.size()},
                       {QStringLiteral("fileState"), fileState},
                       {QStringLiteral("metadataTemplateId"), version->metadataTemplateId},
                       {QStringLiteral("securityTemplateIds"), securityTemplateIds},
                       {QStringLiteral("metadataDocument"), version->metadata}};
}

QJsonArray AssetStore::toJson() const
{
    QMutexLocker locker(&m_mutex);
    QJsonArray list;
    for (const QString &objectId : m_objectOrder) {
        const Asset &asset = *m_assets.constFind(objectId);
        QJsonArray versions;
        for (const Version &version : asset.versions) {
            const qint64 fileSize = version.state == State::Complete ? version.content.size : qMax<qint64>(version.declaredSize, 0);
            versions.append(QJsonObject{
                {QStringLiteral("fileId"), version.fileId},
                {QStringLiteral("originalFileId"), version.originalFileId},
                {QStringLiteral("filename"), version.filename},
                {QStringLiteral("fileSize"), fileSize},
                {QStringLiteral("state"), stateName(version)},
                {QStringLiteral("uploadId"), version.uploadId.isEmpty() ? QJsonValue() : QJsonValue(version.uploadId)},
                {QStringLiteral("partCount"), version.multipart ? version.partCount : 1},
                {QStringLiteral("partsReceived"), version.parts.size()},
                {QStringLiteral("createdDate"), version.created.toString(Qt::ISODateWithMs)}});
        }
        const Version *current = currentVersion(asset);
        list.append(QJsonObject{{QStringLiteral("objectId"), objectId},
                                {QStringLiteral("currentFileId"), current ? current->fileId : QString()},
                                {QStringLiteral("createdDate"), asset.created.toString(Qt::ISODateWithMs)},
                                {QStringLiteral("versions"), versions}});
    }
    return list;
}

std::optional<AssetStore::Content> AssetStore::content(const QString &objectId) const
{
    QMutexLocker locker(&m_mutex);
    const auto asset = m_assets.constFind(objectId);
    if (asset == m_assets.constEnd())
        return std::nullopt;
    const Version *version = currentVersion(*asset);
    if (!version || version->state != State::Complete)
        return std::nullopt;
    return version->content;
}

QByteArray AssetStore::contentMd5(const QString &objectId) const
{
    QString fileId;
    Content stored;
    {
        QMutexLocker locker(&m_mutex);
        const auto asset = m_assets.constFind(objectId);
        if (asset == m_assets.constEnd())
            return {};
        const Version *version = currentVersion(*asset);
        if (!version || version->state != State::Complete)
            return {};
        const auto cached = m_contentMd5ByFileId.constFind(version->fileId);
        if (cached != m_contentMd5ByFileId.constEnd())
            return *cached;
        fileId = version->fileId;
        stored = version->content;
    }

    // Hash outside the lock: a 5 GiB asset takes seconds to read.
    QCryptographicHash md5(QCryptographicHash::Md5);
    for (const QString &path : std::as_const(stored.files)) {
        QFile file(path);
        if (!file.open(QIODevice::ReadOnly) || !md5.addData(&file)) {
            qCWarning(lcSandbox) << "Could not read stored content" << path << file.errorString();
            return {};
        }
    }
    const QByteArray hex = md5.result().toHex();
    QMutexLocker locker(&m_mutex);
    m_contentMd5ByFileId.insert(fileId, hex);
    return hex;
}

int AssetStore::openUploadCount() const
{
    QMutexLocker locker(&m_mutex);
    int count = 0;
    for (const Asset &asset : m_assets) {
        for (const Version &version : asset.versions) {
            if (version.multipart && (version.state == State::Pending || version.state == State::Uploading))
                ++count;
        }
    }
    return count;
}

} // namespace tenovos::sandbox
