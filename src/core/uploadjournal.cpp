#include "uploadjournal.h"

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

QJsonObject entryToJson(const JournalEntry &entry)
{
    QJsonArray urls;
    for (const PartUrl &url : entry.urls) {
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
    return QJsonObject{
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
        {QStringLiteral("createdAt"), entry.createdAt.toString(Qt::ISODateWithMs)},
    };
}

// Reads one entry; on a missing or invalid field returns false with *error
// naming the field.
bool entryFromJson(const QJsonObject &object, JournalEntry *entry, QString *error)
{
    const auto text = [&object](const char *name) { return object.value(QLatin1String(name)).toString(); };
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
    entry->createdAt = QDateTime::fromString(text("createdAt"), Qt::ISODateWithMs);

    const char *missing = nullptr;
    if (!entry->baseUrl.isValid() || entry->baseUrl.isEmpty())
        missing = "baseUrl";
    else if (entry->filePath.isEmpty())
        missing = "filePath";
    else if (entry->fileId.isEmpty())
        missing = "fileId";
    else if (entry->objectId.isEmpty())
        missing = "objectId";
    else if (entry->uploadId.isEmpty())
        missing = "uploadId";
    else if (entry->fileSize < 0)
        missing = "fileSize";
    else if (entry->partSize <= 0)
        missing = "partSize";
    if (missing) {
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
            *error = QStringLiteral("the part URLs of file %1 are not numbered 1 to n").arg(entry->fileId);
            return false;
        }
        entry->urls.append(PartUrl{number, address.toLatin1()});
    }
    if (entry->urls.isEmpty()) {
        *error = QStringLiteral("file %1 has no part URLs").arg(entry->fileId);
        return false;
    }

    entry->etags.clear();
    const QJsonArray parts = object.value(QLatin1String("confirmedParts")).toArray();
    for (const QJsonValue &value : parts) {
        const QJsonObject part = value.toObject();
        const int number = part.value(QLatin1String("partNumber")).toInt();
        const QString etag = part.value(QLatin1String("etag")).toString();
        if (number < 1 || number > entry->urls.size() || etag.isEmpty()) {
            *error = QStringLiteral("file %1 lists an invalid confirmed part").arg(entry->fileId);
            return false;
        }
        entry->etags.insert(number, etag.toLatin1());
    }

    const QJsonObject batch = object.value(QLatin1String("batch")).toObject();
    if (!modeFromName(batch.value(QLatin1String("mode")).toString(), &entry->batch.mode)) {
        *error = QStringLiteral("file %1 has an unknown upload mode").arg(entry->fileId);
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
    m_open = true;

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
    QList<JournalEntry> loaded;
    if (parseError.error != QJsonParseError::NoError) {
        problem = QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset);
    } else if (!document.isObject()) {
        problem = QStringLiteral("the content is not a JSON object");
    } else if (document.object().value(QLatin1String("version")).toInt() != kFormatVersion) {
        problem = QStringLiteral("unknown format version %1")
                      .arg(document.object().value(QLatin1String("version")).toVariant().toString());
    } else {
        const QJsonArray entries = document.object().value(QLatin1String("entries")).toArray();
        for (const QJsonValue &value : entries) {
            JournalEntry entry;
            if (!entryFromJson(value.toObject(), &entry, &problem))
                break;
            loaded.append(entry);
        }
    }

    if (problem.isEmpty()) {
        for (const JournalEntry &entry : std::as_const(loaded)) {
            if (!m_entries.contains(entry.key()))
                m_order.append(entry.key());
            m_entries.insert(entry.key(), entry);
        }
        qCInfo(lcUpload) << "Upload journal" << QDir::toNativeSeparators(filePath()) << "holds"
                         << m_entries.size() << "unfinished uploads";
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
        summary.baseUrl = entry.baseUrl;
        summary.filePath = entry.filePath;
        summary.filename = entry.filename;
        summary.objectId = entry.objectId;
        summary.fileSize = entry.fileSize;
        summary.partCount = entry.partCount();
        summary.confirmedParts = int(entry.etags.size());
        summary.confirmedBytes = entry.confirmedBytes();
        list.append(summary);
    }
    return list;
}

void UploadJournal::put(const JournalEntry &entry)
{
    if (!m_entries.contains(entry.key()))
        m_order.append(entry.key());
    m_entries.insert(entry.key(), entry);
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

bool UploadJournal::write()
{
    QJsonArray entries;
    for (const QString &key : std::as_const(m_order))
        entries.append(entryToJson(m_entries.value(key)));
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
