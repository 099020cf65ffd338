#include "assetstore.h"

#include "httpmessage.h"
#include "sandboxlogging.h"
#include "statechangenotice.h"
#include "statereader.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QFileInfo>
#include <QMutexLocker>
#include <QRandomGenerator>
#include <QSet>
#include <QUuid>

#include <algorithm>
#include <utility>

namespace tenovos::sandbox {

namespace {

// S3 numbers parts 1 to 10,000.
constexpr int maxPartNumber = 10000;

QString newUuid()
{
    return QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// A new file name for one PUT's body, such as part-00003.1f0c9e2a: each PUT
// gets its own file, so a replaced part stays intact until the state that
// names its successor is saved.
QString bodyFileName(const QString &uploadId, int partNumber)
{
    const QString base = uploadId.isEmpty() ? QStringLiteral("content")
                                            : QStringLiteral("part-%1").arg(partNumber, 5, 10, QLatin1Char('0'));
    return QStringLiteral("%1.%2").arg(base).arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
}

bool isBodyFileName(const QString &name)
{
    return name.startsWith(QLatin1String("part-")) || name.startsWith(QLatin1String("content"));
}

// A file name from the state file, which must not reach outside its version's folder.
bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && name != QLatin1String(".") && name != QLatin1String("..")
        && !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\'));
}

QJsonObject putCountsJson(const QMap<int, int> &counts)
{
    QJsonObject object;
    for (auto it = counts.cbegin(); it != counts.cend(); ++it)
        object.insert(QString::number(it.key()), it.value());
    return object;
}

// The "state" values of the state file, in the order of AssetStore::State.
const QStringList stateNames{QStringLiteral("pending"), QStringLiteral("uploading"), QStringLiteral("complete"),
                             QStringLiteral("cancelled")};

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
    StateChangeNotice notice(m_changeHandler);
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
    version.directory = versionDirectory(objectId, version.fileId);
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
    notice.markChanged();

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

AssetStore::Version *AssetStore::findPutVersion(const QString &objectId, const QString &key, const QString &uploadId)
{
    if (uploadId.isEmpty()) {
        const auto asset = m_assets.find(objectId);
        if (asset == m_assets.end())
            return nullptr;
        for (auto it = asset->versions.rbegin(); it != asset->versions.rend(); ++it) {
            if (!it->multipart && it->filename == key)
                return &*it;
        }
        return nullptr;
    }
    const auto upload = m_uploads.constFind(uploadId);
    if (upload == m_uploads.constEnd() || upload->first != objectId)
        return nullptr;
    Version *version = findVersion(upload->first, upload->second);
    return version && version->filename == key ? version : nullptr;
}

std::variant<AssetStore::PutTarget, AssetStore::PutError>
AssetStore::beginPut(const QString &objectId, const QString &key, const QString &uploadId, int partNumber)
{
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    if (!uploadId.isEmpty() && (partNumber < 1 || partNumber > maxPartNumber)) {
        return PutError{400, "InvalidArgument",
                        QStringLiteral("Part number must be an integer between 1 and 10000, inclusive")};
    }

    Version *version = findPutVersion(objectId, key, uploadId);
    if (uploadId.isEmpty()) {
        if (!version)
            return PutError{403, "AccessDenied", QStringLiteral("Access Denied")};
    } else {
        if (!version || (version->state != State::Pending && version->state != State::Uploading))
            return noSuchUpload();
        if (version->state != State::Uploading) {
            version->state = State::Uploading;
            notice.markChanged();
        }
    }

    ++version->putsInFlight;
    PutTarget target;
    target.objectId = objectId;
    target.fileId = version->fileId;
    target.uploadId = uploadId;
    target.partNumber = uploadId.isEmpty() ? 1 : partNumber;
    target.finalPath = QDir(version->directory).filePath(bodyFileName(uploadId, partNumber));
    target.temporaryPath = target.finalPath + QStringLiteral(".partial");
    return target;
}

std::optional<AssetStore::PutError> AssetStore::finishPut(const PutTarget &target, qint64 size,
                                                          const QByteArray &md5Hex)
{
    StateChangeNotice notice(m_changeHandler);
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

    // The file of an earlier PUT of this part goes once the new state is saved.
    const auto previous = version->parts.constFind(target.partNumber);
    if (previous != version->parts.constEnd())
        m_obsoleteFiles.append(previous->path);

    const StoredPart part{size, QLatin1Char('"') + QString::fromLatin1(md5Hex) + QLatin1Char('"'), target.finalPath};
    if (target.uploadId.isEmpty()) {
        version->state = State::Complete;
        version->content = Content{{target.finalPath}, size};
        version->parts = {{1, part}};
        m_contentMd5ByFileId.insert(version->fileId, md5Hex);
    } else {
        version->parts.insert(target.partNumber, part);
    }
    notice.markChanged();
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
    StateChangeNotice notice(m_changeHandler);
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
            m_obsoleteFiles.append(it->path);
    }
    version->parts = kept;
    version->content = content;
    version->state = State::Complete;
    m_contentMd5ByFileId.remove(version->fileId);
    notice.markChanged();
    return finishSuccess(objectId, *version);
}

AssetStore::FinishResult AssetStore::cancel(const FinishRequest &request)
{
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    QString objectId;
    FinishResult failure;
    Version *version = findOpenUpload(request, &objectId, &failure);
    if (!version)
        return failure;

    for (const StoredPart &part : std::as_const(version->parts))
        m_obsoleteFiles.append(part.path);
    version->parts.clear();
    version->state = State::Cancelled;
    notice.markChanged();
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
    const bool byFileId = !m_assets.contains(objectId);
    if (byFileId)
        objectId = m_objectByFileId.value(objectOrFileId);
    const auto asset = m_assets.constFind(objectId);
    if (objectId.isEmpty() || asset == m_assets.constEnd())
        return std::nullopt;
    // A file id names one version, and an object id names the asset, whose
    // current version responds.
    const Version *version = nullptr;
    if (byFileId) {
        for (const Version &candidate : asset->versions) {
            if (candidate.fileId == objectOrFileId)
                version = &candidate;
        }
    } else {
        version = currentVersion(*asset);
    }
    if (!version)
        return std::nullopt;
    return versionJson(*asset, *version);
}

QJsonObject AssetStore::versionJson(const Asset &asset, const Version &version) const
{
    const qint64 versionNumber = (&version - asset.versions.constData()) + 1;
    const qint64 size = version.state == State::Complete ? version.content.size : qMax<qint64>(version.declaredSize, 0);
    QJsonArray securityTemplateIds;
    for (const QString &id : version.securityTemplateIds)
        securityTemplateIds.append(id);

    // "pending content" is the state of a metadata-only asset in Tenovos.
    QString fileState = QStringLiteral("pending content");
    if (version.state == State::Complete)
        fileState = QStringLiteral("available");
    else if (version.state == State::Cancelled)
        fileState = QStringLiteral("cancelled");
    else if (version.state == State::Uploading || version.putsInFlight > 0)
        fileState = QStringLiteral("uploading");

    QJsonObject json{{QStringLiteral("objectId"), asset.objectId},
                     {QStringLiteral("fileId"), version.fileId},
                     {QStringLiteral("originalFileId"), version.originalFileId},
                     {QStringLiteral("filename"), version.filename},
                     {QStringLiteral("fileSizeInBytes"), size},
                     {QStringLiteral("createdDate"), version.created.toString(Qt::ISODateWithMs)},
                     {QStringLiteral("createdEpoch"), version.created.toMSecsSinceEpoch()},
                     {QStringLiteral("versionNumber"), versionNumber},
                     {QStringLiteral("versionCount"), asset.versions.size()},
                     {QStringLiteral("fileState"), fileState},
                     {QStringLiteral("metadataTemplateId"), version.metadataTemplateId},
                     {QStringLiteral("securityTemplateIds"), securityTemplateIds},
                     {QStringLiteral("metadataDocument"), version.metadata}};
    // The multipart upload still open for this version, so that a client
    // whose create response was lost can cancel it.
    if (version.multipart && (version.state == State::Pending || version.state == State::Uploading))
        json.insert(QStringLiteral("uploadId"), version.uploadId);
    return json;
}

QJsonObject AssetStore::search(const QStringList &terms, int from, int limit) const
{
    QMutexLocker locker(&m_mutex);
    QJsonArray hits;
    int hitCount = 0;
    // Newest first, each asset once, described by its newest version.
    for (auto id = m_objectOrder.crbegin(); id != m_objectOrder.crend(); ++id) {
        const Asset &asset = *m_assets.constFind(*id);
        if (asset.versions.isEmpty())
            continue;
        const Version &newest = asset.versions.constLast();
        const bool matches = std::any_of(terms.cbegin(), terms.cend(), [&newest](const QString &term) {
            return !term.isEmpty() && newest.filename.contains(term, Qt::CaseInsensitive);
        });
        if (!matches)
            continue;
        if (hitCount >= from && hits.size() < limit)
            hits.append(versionJson(asset, newest));
        ++hitCount;
    }
    return QJsonObject{{QStringLiteral("hitCount"), hitCount}, {QStringLiteral("result"), hits}};
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
                {QStringLiteral("parts"), partsJson(version.parts)},
                {QStringLiteral("putCounts"), putCountsJson(version.putCounts)},
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

void AssetStore::countPut(const QString &objectId, const QString &key, const QString &uploadId, int partNumber)
{
    if (partNumber < 1 || partNumber > maxPartNumber)
        return;
    StateChangeNotice notice(m_changeHandler);
    QMutexLocker locker(&m_mutex);
    Version *version = findPutVersion(objectId, key, uploadId);
    if (!version)
        return;
    ++version->putCounts[uploadId.isEmpty() ? 1 : partNumber];
    notice.markChanged();
}

QMap<int, int> AssetStore::putCounts(const QString &fileId) const
{
    QMutexLocker locker(&m_mutex);
    const auto asset = m_assets.constFind(m_objectByFileId.value(fileId));
    if (asset == m_assets.constEnd())
        return {};
    for (const Version &version : asset->versions) {
        if (version.fileId == fileId)
            return version.putCounts;
    }
    return {};
}

QJsonArray AssetStore::partsJson(const QMap<int, StoredPart> &parts)
{
    QJsonArray list;
    for (auto it = parts.cbegin(); it != parts.cend(); ++it) {
        list.append(QJsonObject{{QStringLiteral("partNumber"), it.key()},
                                {QStringLiteral("size"), it->size},
                                {QStringLiteral("etag"), it->etag}});
    }
    return list;
}

void AssetStore::setChangeHandler(std::function<void()> handler)
{
    m_changeHandler = std::move(handler);
}

QString AssetStore::versionDirectory(const QString &objectId, const QString &fileId) const
{
    return QDir(m_root).filePath(QStringLiteral("objects/%1/%2").arg(objectId, fileId));
}

QJsonObject AssetStore::versionState(const Version &version)
{
    QJsonArray parts;
    for (auto it = version.parts.cbegin(); it != version.parts.cend(); ++it) {
        parts.append(QJsonObject{{QStringLiteral("partNumber"), it.key()},
                                 {QStringLiteral("size"), it->size},
                                 {QStringLiteral("etag"), it->etag},
                                 {QStringLiteral("file"), QFileInfo(it->path).fileName()}});
    }
    QJsonArray contentFiles;
    for (const QString &path : version.content.files)
        contentFiles.append(QFileInfo(path).fileName());
    QJsonArray securityTemplateIds;
    for (const QString &id : version.securityTemplateIds)
        securityTemplateIds.append(id);

    return QJsonObject{{QStringLiteral("fileId"), version.fileId},
                       {QStringLiteral("originalFileId"), version.originalFileId},
                       {QStringLiteral("filename"), version.filename},
                       {QStringLiteral("declaredSize"), version.declaredSize},
                       {QStringLiteral("multipart"), version.multipart},
                       {QStringLiteral("uploadId"), version.uploadId},
                       {QStringLiteral("partCount"), version.partCount},
                       {QStringLiteral("partSize"), version.partSize},
                       {QStringLiteral("state"), stateNames.at(static_cast<int>(version.state))},
                       {QStringLiteral("createdAtMs"), version.created.toMSecsSinceEpoch()},
                       {QStringLiteral("metadataTemplateId"), version.metadataTemplateId},
                       {QStringLiteral("securityTemplateIds"), securityTemplateIds},
                       {QStringLiteral("metadata"), version.metadata},
                       {QStringLiteral("parts"), parts},
                       {QStringLiteral("content"), QJsonObject{{QStringLiteral("files"), contentFiles},
                                                               {QStringLiteral("size"), version.content.size}}},
                       {QStringLiteral("putCounts"), putCountsJson(version.putCounts)}};
}

QJsonArray AssetStore::toState(QStringList *obsoleteFiles)
{
    QMutexLocker locker(&m_mutex);
    QJsonArray list;
    for (const QString &objectId : std::as_const(m_objectOrder)) {
        const Asset &asset = *m_assets.constFind(objectId);
        QJsonArray versions;
        for (const Version &version : asset.versions)
            versions.append(versionState(version));
        list.append(QJsonObject{{QStringLiteral("objectId"), objectId},
                                {QStringLiteral("createdAtMs"), asset.created.toMSecsSinceEpoch()},
                                {QStringLiteral("versions"), versions}});
    }
    obsoleteFiles->append(m_obsoleteFiles);
    m_obsoleteFiles.clear();
    return list;
}

QStringList AssetStore::takeObsoleteFiles()
{
    QMutexLocker locker(&m_mutex);
    return std::exchange(m_obsoleteFiles, QStringList());
}

AssetStore::Version AssetStore::restoreVersion(const QJsonObject &item, const QString &objectId, const QString &path,
                                               StateReader *reader) const
{
    Version version;
    version.fileId = reader->string(item, path, "fileId", true);
    version.originalFileId = reader->string(item, path, "originalFileId", true);
    version.filename = reader->string(item, path, "filename", true);
    version.declaredSize = reader->integer(item, path, "declaredSize");
    version.multipart = reader->boolean(item, path, "multipart");
    version.uploadId = reader->string(item, path, "uploadId");
    version.partCount = static_cast<int>(reader->integer(item, path, "partCount"));
    version.partSize = reader->integer(item, path, "partSize");
    const QString stateName = reader->string(item, path, "state");
    version.created = QDateTime::fromMSecsSinceEpoch(reader->integer(item, path, "createdAtMs"), Qt::UTC);
    version.metadataTemplateId = reader->string(item, path, "metadataTemplateId");
    for (const QJsonValue &id : reader->array(item, path, "securityTemplateIds"))
        version.securityTemplateIds.append(id.toString());
    version.metadata = reader->array(item, path, "metadata");
    version.directory = versionDirectory(objectId, version.fileId);
    if (!reader->ok())
        return version;

    if (!isPlainFileName(version.fileId))
        reader->fail(path + QStringLiteral(".fileId"), QStringLiteral("is not a plain folder name"));
    if (!stateNames.contains(stateName))
        reader->fail(path + QStringLiteral(".state"), QStringLiteral("is not one of %1").arg(stateNames.join(QStringLiteral(", "))));
    version.state = static_cast<State>(stateNames.indexOf(stateName));
    if (version.multipart && (version.uploadId.isEmpty() || version.partCount < 1 || version.partSize < 1)) {
        reader->fail(path, QStringLiteral("is a multipart upload without uploadId, partCount or partSize"));
    }

    const QJsonArray parts = reader->array(item, path, "parts");
    for (qsizetype i = 0; i < parts.size() && reader->ok(); ++i) {
        const QString partPath = QStringLiteral("%1.parts[%2]").arg(path).arg(i);
        const QJsonObject part = reader->element(parts, i, path + QStringLiteral(".parts"));
        const int partNumber = static_cast<int>(reader->integer(part, partPath, "partNumber"));
        StoredPart stored;
        stored.size = reader->integer(part, partPath, "size");
        stored.etag = reader->string(part, partPath, "etag", true);
        const QString file = reader->string(part, partPath, "file", true);
        if (reader->ok() && (partNumber < 1 || partNumber > maxPartNumber))
            reader->fail(partPath + QStringLiteral(".partNumber"), QStringLiteral("is not from 1 to 10000"));
        if (reader->ok() && !isPlainFileName(file))
            reader->fail(partPath + QStringLiteral(".file"), QStringLiteral("is not a plain file name"));
        stored.path = QDir(version.directory).filePath(file);
        version.parts.insert(partNumber, stored);
    }

    const QJsonObject content = reader->object(item, path, "content");
    const QString contentPath = path + QStringLiteral(".content");
    const QJsonArray contentFiles = reader->array(content, contentPath, "files");
    version.content.size = reader->integer(content, contentPath, "size");
    for (const QJsonValue &file : contentFiles) {
        if (reader->ok() && !isPlainFileName(file.toString()))
            reader->fail(contentPath + QStringLiteral(".files"), QStringLiteral("contains a value that is not a plain file name"));
        version.content.files.append(QDir(version.directory).filePath(file.toString()));
    }

    const QJsonObject putCounts = reader->object(item, path, "putCounts");
    for (auto it = putCounts.constBegin(); it != putCounts.constEnd() && reader->ok(); ++it) {
        bool ok = false;
        const int partNumber = it.key().toInt(&ok);
        const double count = it.value().toDouble(-1);
        if (!ok || partNumber < 1 || partNumber > maxPartNumber || count < 0 || count != static_cast<int>(count)) {
            reader->fail(path + QStringLiteral(".putCounts"),
                         QStringLiteral("has the entry \"%1\" that is not a part number with a count").arg(it.key()));
        }
        version.putCounts.insert(partNumber, static_cast<int>(count));
    }
    return version;
}

void AssetStore::checkPartFiles(Version *version, const QString &objectId)
{
    const bool open = version->state == State::Pending || version->state == State::Uploading;
    for (auto it = version->parts.begin(); it != version->parts.end();) {
        const QFileInfo file(it->path);
        if (open && (!file.exists() || file.size() != it->size)) {
            qCWarning(lcSandbox).noquote() << "Dropping part" << it.key() << "of upload" << version->uploadId << "of object"
                                           << objectId << "because its file" << it->path << "is missing or not"
                                           << it->size << "bytes; the client must send it again";
            it = version->parts.erase(it);
        } else {
            ++it;
        }
    }
    if (version->state == State::Complete) {
        for (const QString &path : std::as_const(version->content.files)) {
            if (!QFile::exists(path))
                qCWarning(lcSandbox).noquote() << "The content file" << path << "of object" << objectId
                                               << "is missing; reading that content will fail";
        }
    }
}

void AssetStore::restoreState(const QJsonArray &state, StateReader *reader)
{
    QHash<QString, Asset> assets;
    QStringList objectOrder;
    QHash<QString, QString> objectByFileId;
    QHash<QString, QPair<QString, QString>> uploads;

    for (qsizetype i = 0; i < state.size() && reader->ok(); ++i) {
        const QString path = QStringLiteral("assets[%1]").arg(i);
        const QJsonObject item = reader->element(state, i, QStringLiteral("assets"));
        Asset asset;
        asset.objectId = reader->string(item, path, "objectId", true);
        asset.created = QDateTime::fromMSecsSinceEpoch(reader->integer(item, path, "createdAtMs"), Qt::UTC);
        const QJsonArray versions = reader->array(item, path, "versions");
        if (reader->ok() && !isPlainFileName(asset.objectId))
            reader->fail(path + QStringLiteral(".objectId"), QStringLiteral("is not a plain folder name"));
        if (reader->ok() && assets.contains(asset.objectId))
            reader->fail(path + QStringLiteral(".objectId"), QStringLiteral("repeats object id %1").arg(asset.objectId));

        for (qsizetype j = 0; j < versions.size() && reader->ok(); ++j) {
            const QString versionPath = QStringLiteral("%1.versions[%2]").arg(path).arg(j);
            const QJsonObject versionItem = reader->element(versions, j, path + QStringLiteral(".versions"));
            Version version = restoreVersion(versionItem, asset.objectId, versionPath, reader);
            if (!reader->ok())
                break;
            if (objectByFileId.contains(version.fileId))
                reader->fail(versionPath + QStringLiteral(".fileId"), QStringLiteral("repeats file id %1").arg(version.fileId));
            if (version.multipart && uploads.contains(version.uploadId))
                reader->fail(versionPath + QStringLiteral(".uploadId"), QStringLiteral("repeats an upload id"));
            checkPartFiles(&version, asset.objectId);
            objectByFileId.insert(version.fileId, asset.objectId);
            if (version.multipart)
                uploads.insert(version.uploadId, {asset.objectId, version.fileId});
            asset.versions.append(version);
        }
        assets.insert(asset.objectId, asset);
        objectOrder.append(asset.objectId);
    }
    if (!reader->ok())
        return;

    QMutexLocker locker(&m_mutex);
    m_assets = assets;
    m_objectOrder = objectOrder;
    m_objectByFileId = objectByFileId;
    m_uploads = uploads;
    m_contentMd5ByFileId.clear();
    m_obsoleteFiles.clear();
}

void AssetStore::removeUnreferencedFiles() const
{
    QSet<QString> referenced;
    QSet<QString> versionDirectories;
    {
        QMutexLocker locker(&m_mutex);
        for (const Asset &asset : m_assets) {
            for (const Version &version : asset.versions) {
                versionDirectories.insert(QDir::cleanPath(version.directory));
                for (const StoredPart &part : version.parts)
                    referenced.insert(QDir::cleanPath(part.path));
                for (const QString &path : version.content.files)
                    referenced.insert(QDir::cleanPath(path));
            }
        }
    }

    int removed = 0;
    QDirIterator files(QDir(m_root).filePath(QStringLiteral("objects")), QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QFileInfo file(files.next());
        const QString path = QDir::cleanPath(file.filePath());
        const bool cutOff = file.fileName().endsWith(QLatin1String(".partial"));
        const bool replaced = isBodyFileName(file.fileName()) && !referenced.contains(path)
            && versionDirectories.contains(QDir::cleanPath(file.absolutePath()));
        if ((cutOff || replaced) && QFile::remove(path))
            ++removed;
    }
    if (removed > 0) {
        qCInfo(lcSandbox).noquote() << "Removed" << removed << "files of cut-off or replaced PUTs from"
                                    << QDir::toNativeSeparators(QDir(m_root).filePath(QStringLiteral("objects")));
    }
}

int AssetStore::assetCount() const
{
    QMutexLocker locker(&m_mutex);
    return static_cast<int>(m_assets.size());
}

} // namespace tenovos::sandbox
