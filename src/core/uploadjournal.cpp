#include "uploadjournal.h"

#include "journalurlsecrets.h"
#include "logging.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLockFile>
#include <QProcessEnvironment>
#include <QSaveFile>
#include <QStandardPaths>

namespace tenovos {

namespace {

const QLatin1String kFileName("upload-journal.json");
const QLatin1String kLockName("upload-journal.lock");

QString modeName(UploadMode mode)
{
    switch (mode) {
    case UploadMode::NewAsset:
        return QStringLiteral("newAsset");
    case UploadMode::NewVersion:
        return QStringLiteral("newVersion");
    case UploadMode::MetadataOnly:
        return QStringLiteral("metadataOnly");
    }
    return QString();
}

bool modeFromName(const QString &name, UploadMode *mode)
{
    for (UploadMode each : {UploadMode::NewAsset, UploadMode::NewVersion, UploadMode::MetadataOnly}) {
        if (modeName(each) == name) {
            *mode = each;
            return true;
        }
    }
    return false;
}

QString stateName(JournalEntry::State state)
{
    switch (state) {
    case JournalEntry::State::Creating:
        return QStringLiteral("creating");
    case JournalEntry::State::Uploading:
        return QStringLiteral("uploading");
    case JournalEntry::State::Cancelling:
        return QStringLiteral("cancelling");
    }
    return QString();
}

bool stateFromName(const QString &name, JournalEntry::State *state)
{
    for (JournalEntry::State each :
         {JournalEntry::State::Creating, JournalEntry::State::Uploading, JournalEntry::State::Cancelling}) {
        if (stateName(each) == name) {
            *state = each;
            return true;
        }
    }
    return false;
}

bool sameUrls(const QList<PartUrl> &a, const QList<PartUrl> &b)
{
    if (a.size() != b.size())
        return false;
    for (qsizetype i = 0; i < a.size(); ++i) {
        if (a.at(i).partNumber != b.at(i).partNumber || a.at(i).url != b.at(i).url)
            return false;
    }
    return true;
}

// The associated data of an entry's sealed secrets: they open only in the
// entry of the same multipart upload.
QByteArray sealingContext(const JournalEntry &entry)
{
    return entry.fileId.toUtf8();
}

QJsonObject entryToJson(const JournalEntry &entry, const QList<PartUrl> &storedUrls, bool secretsRemoved,
                        const QByteArray &sealedSecrets)
{
    QJsonArray urls;
    for (const PartUrl &url : storedUrls) {
        urls.append(QJsonObject{{QStringLiteral("partNumber"), url.partNumber},
                                {QStringLiteral("url"), QString::fromLatin1(url.url)}});
    }
    QJsonArray parts;
    for (auto it = entry.etags.cbegin(); it != entry.etags.cend(); ++it) {
        parts.append(QJsonObject{{QStringLiteral("partNumber"), it.key()},
                                 {QStringLiteral("etag"), QString::fromLatin1(it.value())}});
    }
    const QJsonObject batch{
        {QStringLiteral("mode"), modeName(entry.batch.mode)},
        {QStringLiteral("securityTemplateIds"), QJsonArray::fromStringList(entry.batch.securityTemplateIds)},
        {QStringLiteral("metadataTemplateId"), entry.batch.metadataTemplateId},
        {QStringLiteral("metadata"), entry.batch.metadata},
        {QStringLiteral("versionOfObjectId"), entry.batch.versionOfObjectId},
    };
    QJsonObject object{
        {QStringLiteral("state"), stateName(entry.state)},
        {QStringLiteral("pendingKey"), entry.pendingKey},
        {QStringLiteral("baseUrl"), entry.baseUrl.toString()},
        {QStringLiteral("username"), entry.username},
        {QStringLiteral("filePath"), entry.filePath},
        {QStringLiteral("filename"), entry.filename},
        {QStringLiteral("objectId"), entry.objectId},
        {QStringLiteral("fileId"), entry.fileId},
        {QStringLiteral("originalFileId"), entry.originalFileId},
        {QStringLiteral("uploadId"), entry.uploadId},
        {QStringLiteral("fileSize"), double(entry.fileSize)},
        {QStringLiteral("fileModifiedMs"), double(entry.fileModified.toMSecsSinceEpoch())},
        {QStringLiteral("partSize"), double(entry.partSize)},
        {QStringLiteral("urls"), urls},
        {QStringLiteral("confirmedParts"), parts},
        {QStringLiteral("batch"), batch},
        {QStringLiteral("createStartedAt"), entry.createStartedAt.toUTC().toString(Qt::ISODateWithMs)},
        {QStringLiteral("createdAt"), entry.createdAt.toString(Qt::ISODateWithMs)},
    };
    if (secretsRemoved)
        object.insert(QStringLiteral("urlSecretsRemoved"), true);
    if (!sealedSecrets.isEmpty())
        object.insert(QStringLiteral("sealedUrlSecrets"), QString::fromLatin1(sealedSecrets.toBase64()));
    return object;
}

// The name of the first field a valid entry in entry->state must have but
// does not, or nullptr.
const char *missingField(const JournalEntry &entry)
{
    if (!entry.baseUrl.isValid() || entry.baseUrl.isEmpty())
        return "baseUrl";
    if (entry.filePath.isEmpty())
        return "filePath";
    if (entry.fileSize < 0)
        return "fileSize";
    switch (entry.state) {
    case JournalEntry::State::Creating:
        if (entry.pendingKey.isEmpty())
            return "pendingKey";
        if (!entry.createStartedAt.isValid())
            return "createStartedAt";
        if (entry.partSize <= 0)
            return "partSize";
        return nullptr;
    case JournalEntry::State::Uploading:
        if (entry.fileId.isEmpty())
            return "fileId";
        if (entry.objectId.isEmpty())
            return "objectId";
        if (entry.uploadId.isEmpty())
            return "uploadId";
        if (entry.partSize <= 0)
            return "partSize";
        return nullptr;
    case JournalEntry::State::Cancelling:
        if (entry.fileId.isEmpty())
            return "fileId";
        if (entry.uploadId.isEmpty())
            return "uploadId";
        return nullptr;
    }
    return nullptr;
}

// Reads one entry of a file in format version. The URLs are stored as the
// file has them: with secrets for version 1, without them for version 2.
// On a missing or invalid field returns false with *error naming the field.
bool entryFromJson(const QJsonObject &object, int version, JournalEntry *entry, QString *error)
{
    const auto text = [&object](const char *name) { return object.value(QLatin1String(name)).toString(); };
    if (version >= 2 && !stateFromName(text("state"), &entry->state)) {
        *error = QStringLiteral("an entry has an unknown state \"%1\"").arg(text("state"));
        return false;
    }
    entry->pendingKey = text("pendingKey");
    entry->baseUrl = QUrl(text("baseUrl"), QUrl::StrictMode);
    entry->username = text("username");
    entry->filePath = text("filePath");
    entry->filename = text("filename");
    entry->objectId = text("objectId");
    entry->fileId = text("fileId");
    entry->originalFileId = text("originalFileId");
    entry->uploadId = text("uploadId");
    entry->fileSize = qint64(object.value(QLatin1String("fileSize")).toDouble(-1));
    entry->fileModified = QDateTime::fromMSecsSinceEpoch(
        qint64(object.value(QLatin1String("fileModifiedMs")).toDouble()), Qt::UTC);
    entry->partSize = qint64(object.value(QLatin1String("partSize")).toDouble(0));
    entry->createStartedAt = QDateTime::fromString(text("createStartedAt"), Qt::ISODateWithMs);
    entry->createdAt = QDateTime::fromString(text("createdAt"), Qt::ISODateWithMs);

    if (const char *missing = missingField(*entry)) {
        *error = QStringLiteral("an entry has no valid \"%1\"").arg(QLatin1String(missing));
        return false;
    }

    entry->urls.clear();
    const QJsonArray urls = object.value(QLatin1String("urls")).toArray();
    for (const QJsonValue &value : urls) {
        const QJsonObject url = value.toObject();
        const int number = url.value(QLatin1String("partNumber")).toInt();
        const QString address = url.value(QLatin1String("url")).toString();
        if (number != entry->urls.size() + 1 || address.isEmpty()) {
            *error = QStringLiteral("the part URLs of entry %1 are not numbered 1 to n").arg(entry->key());
            return false;
        }
        entry->urls.append(PartUrl{number, address.toLatin1()});
    }
    if (entry->urls.isEmpty() && entry->state == JournalEntry::State::Uploading) {
        *error = QStringLiteral("file %1 has no part URLs").arg(entry->fileId);
        return false;
    }

    entry->etags.clear();
    const QJsonArray parts = object.value(QLatin1String("confirmedParts")).toArray();
    for (const QJsonValue &value : parts) {
        const QJsonObject part = value.toObject();
        const int number = part.value(QLatin1String("partNumber")).toInt();
        const QString etag = part.value(QLatin1String("etag")).toString();
        // A Cancelling entry may have dropped its URLs but kept its parts.
        const bool beyondUrls = !entry->urls.isEmpty() && number > entry->urls.size();
        if (number < 1 || beyondUrls || etag.isEmpty()) {
            *error = QStringLiteral("entry %1 lists an invalid confirmed part").arg(entry->key());
            return false;
        }
        entry->etags.insert(number, etag.toLatin1());
    }

    const QJsonObject batch = object.value(QLatin1String("batch")).toObject();
    if (!modeFromName(batch.value(QLatin1String("mode")).toString(), &entry->batch.mode)) {
        *error = QStringLiteral("entry %1 has an unknown upload mode").arg(entry->key());
        return false;
    }
    for (const QJsonValue &id : batch.value(QLatin1String("securityTemplateIds")).toArray())
        entry->batch.securityTemplateIds.append(id.toString());
    entry->batch.metadataTemplateId = batch.value(QLatin1String("metadataTemplateId")).toString();
    entry->batch.metadata = batch.value(QLatin1String("metadata")).toArray();
    entry->batch.versionOfObjectId = batch.value(QLatin1String("versionOfObjectId")).toString();
    return true;
}

} // namespace

qint64 JournalEntry::confirmedBytes() const
{
    qint64 bytes = 0;
    for (auto it = etags.cbegin(); it != etags.cend(); ++it) {
        const qint64 offset = qint64(it.key() - 1) * partSize;
        bytes += qBound<qint64>(0, fileSize - offset, partSize);
    }
    return bytes;
}

UploadJournal::UploadJournal(const QString &directory, QObject *parent)
    : QObject(parent)
    , m_directory(directory.isEmpty() ? defaultDirectory() : directory)
    , m_keySource(JournalKeychain().source())
{
    qRegisterMetaType<JournalSummary>();
    qRegisterMetaType<JournalSummaryList>();
    m_writeTimer.setSingleShot(true);
    m_writeTimer.setInterval(kCoalesceIntervalMs);
    connect(&m_writeTimer, &QTimer::timeout, this, &UploadJournal::flush);
}

UploadJournal::~UploadJournal()
{
    flush();
}

QString UploadJournal::defaultDirectory()
{
    const QString fromEnvironment =
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("TENOVOS_DATA_DIR"));
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

QString UploadJournal::fileNameIn(const QString &directory)
{
    return QDir(directory).filePath(kFileName);
}

bool UploadJournal::sameServer(const QUrl &a, const QUrl &b)
{
    return a.adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments)
        == b.adjusted(QUrl::StripTrailingSlash | QUrl::NormalizePathSegments);
}

QString UploadJournal::filePath() const
{
    return fileNameIn(m_directory);
}

Result<void> UploadJournal::open()
{
    if (m_open)
        return {};
    const QString shownDirectory = QDir::toNativeSeparators(m_directory);
    if (m_directory.isEmpty() || !QDir().mkpath(m_directory)) {
        return ApiError::localFile(tr("The upload journal folder \"%1\" cannot be created, so "
                                      "uploads interrupted by a crash cannot be resumed. Check "
                                      "the folder's permissions or set TENOVOS_DATA_DIR.")
                                       .arg(shownDirectory));
    }

    m_lock = std::make_unique<QLockFile>(QDir(m_directory).filePath(kLockName));
    // Stale time 0 turns off QLockFile's age rule, so a run of any length
    // keeps its lock. A lock whose process is gone (a crash or SIGKILL)
    // still counts as stale, because QLockFile checks the process id
    // recorded in it.
    m_lock->setStaleLockTime(0);
    if (!m_lock->tryLock(0)) {
        qint64 pid = 0;
        QString host;
        QString application;
        m_lock->getLockInfo(&pid, &host, &application);
        m_lock.reset();
        return ApiError::localFile(tr("The upload journal in \"%1\" is in use by %2 (process %3), "
                                      "so this run keeps no journal and cannot be resumed after a "
                                      "crash. Let the other program finish, or give this one "
                                      "another data folder.")
                                       .arg(shownDirectory, application, QString::number(pid)));
    }

    // The key comes before m_open is set: a key source in this thread runs
    // a local event loop, and a write during it must not replace a file
    // that has not been read yet.
    fetchKey();
    m_open = true;
    return readFile();
}

void UploadJournal::fetchKey()
{
    m_sealer.reset();
    const JournalKeyResult key = m_keySource ? m_keySource(m_directory)
                                             : JournalKeyResult{QByteArray(), QStringLiteral("no key source is set")};
    if (key.isOk()) {
        auto sealer = std::make_unique<JournalSealer>(key.key);
        if (sealer->isValid()) {
            m_sealer = std::move(sealer);
            return;
        }
    }
    const QString problem = key.isOk() ? QStringLiteral("the key is %1 bytes long instead of %2")
                                             .arg(key.key.size())
                                             .arg(JournalSealer::kKeySize)
                                       : key.problem;
    qCWarning(lcUpload).noquote()
        << QStringLiteral("Upload journal %1 keeps part URLs without their signatures and session tokens, "
                          "because there is no key to seal them (%2). An upload interrupted in this run "
                          "cannot reuse its links and has to start again.")
               .arg(QDir::toNativeSeparators(filePath()), problem);
}

Result<void> UploadJournal::readFile()
{
    QFile file(filePath());
    if (!file.exists())
        return {};
    if (!file.open(QIODevice::ReadOnly)) {
        return ApiError::localFile(tr("The upload journal \"%1\" cannot be read: %2. Uploads "
                                      "interrupted before this start cannot be resumed.")
                                       .arg(QDir::toNativeSeparators(filePath()), file.errorString()));
    }
    const QByteArray data = file.readAll();
    file.close();

    QString problem;
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(data, &parseError);
    const int version = document.object().value(QLatin1String("version")).toInt();
    QList<JournalEntry> loaded;
    QList<StoredUrls> loadedUrls;
    if (parseError.error != QJsonParseError::NoError) {
        problem = QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
    } else if (!document.isObject()) {
        problem = QStringLiteral("the content is not a JSON object");
    } else if (version != 1 && version != kFormatVersion) {
        problem = QStringLiteral("unknown format version %1")
                      .arg(document.object().value(QLatin1String("version")).toVariant().toString());
    } else {
        const QJsonArray entries = document.object().value(QLatin1String("entries")).toArray();
        for (const QJsonValue &value : entries) {
            const QJsonObject object = value.toObject();
            JournalEntry entry;
            if (!entryFromJson(object, version, &entry, &problem))
                break;
            StoredUrls stored;
            stored.urls = entry.urls;
            stored.secretsRemoved = object.value(QLatin1String("urlSecretsRemoved")).toBool();
            stored.sealedSecrets =
                QByteArray::fromBase64(object.value(QLatin1String("sealedUrlSecrets")).toString().toLatin1());
            loaded.append(entry);
            loadedUrls.append(stored);
        }
    }

    if (problem.isEmpty()) {
        int unusable = 0;
        for (qsizetype i = 0; i < loaded.size(); ++i) {
            JournalEntry &entry = loaded[i];
            const StoredUrls &stored = loadedUrls.at(i);
            if (stored.secretsRemoved) {
                entry.urlsUsable = false;
                const std::optional<QByteArray> secrets =
                    m_sealer ? m_sealer->open(stored.sealedSecrets, sealingContext(entry)) : std::nullopt;
                const std::optional<QList<PartUrl>> joined =
                    secrets ? JournalUrlSecrets::join(stored.urls, *secrets) : std::nullopt;
                if (joined) {
                    entry.urls = *joined;
                    entry.urlsUsable = true;
                }
                unusable += entry.urlsUsable ? 0 : 1;
            }
            if (!m_entries.contains(entry.key()))
                m_order.append(entry.key());
            m_entries.insert(entry.key(), entry);
            // The stored form is written back as read, so secrets sealed
            // under a key that is missing now survive until it returns. A
            // version 1 entry has its secrets in plain text in stored.urls
            // and gets none, so the next write seals them.
            if (version == kFormatVersion)
                m_storedUrls.insert(entry.key(), stored);
        }
        qCInfo(lcUpload) << "Upload journal" << QDir::toNativeSeparators(filePath()) << "holds"
                         << m_entries.size() << "unfinished uploads";
        if (unusable > 0) {
            qCWarning(lcUpload).noquote()
                << QStringLiteral("Upload journal %1: the signatures and session tokens of the part URLs of "
                                  "%2 entries cannot be restored %3, so those uploads have to start again.")
                       .arg(QDir::toNativeSeparators(filePath()))
                       .arg(unusable)
                       .arg(m_sealer ? QStringLiteral("with this run's key") : QStringLiteral("without a key"));
        }
        // Rewrite a version 1 file now, so its secrets are sealed at once.
        // Without a key that rewrite would drop them, so it waits for the
        // next change instead.
        if (version != kFormatVersion && !loaded.isEmpty() && m_sealer) {
            m_dirty = true;
            flush();
        }
        return {};
    }

    const QString asideName = filePath() + QStringLiteral(".corrupt-")
        + QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmsszzz"));
    const bool setAside = QFile::rename(filePath(), asideName);
    qCWarning(lcUpload).noquote() << "Upload journal" << QDir::toNativeSeparators(filePath())
                                  << "is unreadable:" << problem
                                  << (setAside ? QStringLiteral("; set aside as %1").arg(asideName)
                                               : QStringLiteral("; it could not be renamed"));
    if (!setAside) {
        return ApiError::localFile(tr("The upload journal \"%1\" is damaged (%2) and could not be "
                                      "set aside. Uploads interrupted before this start cannot be "
                                      "resumed; move or delete the file.")
                                       .arg(QDir::toNativeSeparators(filePath()), problem));
    }
    return ApiError::localFile(tr("The upload journal \"%1\" is damaged (%2), so uploads "
                                  "interrupted before this start cannot be resumed; upload those "
                                  "files again. The damaged file was kept as \"%3\".")
                                   .arg(QDir::toNativeSeparators(filePath()), problem,
                                        QDir::toNativeSeparators(asideName)));
}

QList<JournalEntry> UploadJournal::entries() const
{
    QList<JournalEntry> list;
    list.reserve(m_order.size());
    for (const QString &key : m_order)
        list.append(m_entries.value(key));
    return list;
}

JournalSummaryList UploadJournal::summaries() const
{
    JournalSummaryList list;
    list.reserve(m_order.size());
    for (const QString &key : m_order) {
        const JournalEntry &entry = m_entries[key];
        JournalSummary summary;
        summary.key = key;
        summary.state = entry.state;
        summary.baseUrl = entry.baseUrl;
        summary.filePath = entry.filePath;
        summary.filename = entry.filename;
        summary.objectId = entry.objectId;
        summary.fileSize = entry.fileSize;
        summary.partCount = entry.partCount();
        summary.confirmedParts = int(entry.etags.size());
        summary.confirmedBytes = entry.confirmedBytes();
        summary.urlsUsable = entry.urlsUsable;
        list.append(summary);
    }
    return list;
}

void UploadJournal::insertEntry(const JournalEntry &entry)
{
    const QString key = entry.key();
    const auto previous = m_entries.constFind(key);
    if (previous == m_entries.constEnd()) {
        m_order.append(key);
        m_storedUrls.remove(key);
    } else if (previous->fileId != entry.fileId || previous->urlsUsable != entry.urlsUsable
               || !sameUrls(previous->urls, entry.urls)) {
        // The stored form stays valid while the URLs do not change, so
        // state and part updates do not seal again.
        m_storedUrls.remove(key);
    }
    m_entries.insert(key, entry);
}

void UploadJournal::put(const JournalEntry &entry)
{
    insertEntry(entry);
    m_dirty = true;
    flush();
}

void UploadJournal::replace(const QString &oldKey, const JournalEntry &entry)
{
    const QString key = entry.key();
    if (oldKey == key || !m_entries.contains(oldKey)) {
        put(entry);
        return;
    }

    // With the same upload and URLs the new entry takes over the stored
    // form of the old one's URLs, so they are not sealed again.
    const JournalEntry previous = m_entries.take(oldKey);
    const bool storedUrlsFit = previous.fileId == entry.fileId && previous.urlsUsable == entry.urlsUsable
        && sameUrls(previous.urls, entry.urls) && m_storedUrls.contains(oldKey);
    const StoredUrls stored = m_storedUrls.take(oldKey);

    // A third entry under the new key gives way, and the new entry takes
    // the old one's place in the order.
    if (m_entries.remove(key)) {
        m_order.removeOne(key);
        m_storedUrls.remove(key);
    }
    m_order[m_order.indexOf(oldKey)] = key;
    m_entries.insert(key, entry);
    if (storedUrlsFit)
        m_storedUrls.insert(key, stored);
    m_dirty = true;
    flush();
}

void UploadJournal::confirmPart(const QString &key, int partNumber, const QByteArray &etag)
{
    const auto found = m_entries.find(key);
    if (found == m_entries.end())
        return;
    found->etags.insert(partNumber, etag);
    m_dirty = true;
    scheduleWrite();
}

void UploadJournal::remove(const QString &key)
{
    if (!m_entries.remove(key))
        return;
    m_order.removeOne(key);
    m_storedUrls.remove(key);
    m_dirty = true;
    flush();
}

bool UploadJournal::flush()
{
    m_writeTimer.stop();
    if (!m_dirty || !m_open)
        return true;
    if (!write())
        return false;
    m_dirty = false;
    return true;
}

void UploadJournal::scheduleWrite()
{
    if (!m_writeTimer.isActive())
        m_writeTimer.start();
}

UploadJournal::StoredUrls UploadJournal::storedUrlsOf(const JournalEntry &entry) const
{
    const JournalUrlSecrets::Split split = JournalUrlSecrets::split(entry.urls);
    StoredUrls stored;
    stored.urls = split.urls;
    // URLs that came back without their secrets stay marked, so the next
    // start does not take them for complete ones.
    stored.secretsRemoved = !split.secrets.isEmpty() || !entry.urlsUsable;
    if (!split.secrets.isEmpty() && m_sealer)
        stored.sealedSecrets = m_sealer->seal(split.secrets, sealingContext(entry));
    return stored;
}

bool UploadJournal::write()
{
    QJsonArray entries;
    for (const QString &key : std::as_const(m_order)) {
        const JournalEntry &entry = m_entries[key];
        auto stored = m_storedUrls.find(key);
        if (stored == m_storedUrls.end())
            stored = m_storedUrls.insert(key, storedUrlsOf(entry));
        entries.append(entryToJson(entry, stored->urls, stored->secretsRemoved, stored->sealedSecrets));
    }
    const QJsonObject root{{QStringLiteral("version"), kFormatVersion}, {QStringLiteral("entries"), entries}};

    QSaveFile file(filePath());
    bool ok = file.open(QIODevice::WriteOnly);
    // The permissions are set before any byte is written: the temporary file
    // QSaveFile renames into place must never be readable by others.
    ok = ok && file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    ok = ok && file.write(QJsonDocument(root).toJson(QJsonDocument::Compact)) >= 0;
    ok = ok && file.commit();
    if (ok) {
        m_reportedWriteFailure = false;
        qCDebug(lcUpload) << "Upload journal written:" << m_order.size() << "entries";
        return true;
    }

    const QString reason = file.errorString();
    file.cancelWriting();
    qCWarning(lcUpload).noquote() << "Writing the upload journal" << QDir::toNativeSeparators(filePath())
                                  << "failed:" << reason;
    if (!m_reportedWriteFailure) {
        m_reportedWriteFailure = true;
        Q_EMIT writeFailed(tr("The upload journal \"%1\" cannot be written (%2), so the current "
                              "uploads cannot be resumed after a crash. Free disk space or check "
                              "the folder's permissions.")
                               .arg(QDir::toNativeSeparators(filePath()), reason));
    }
    return false;
}

} // namespace tenovos
