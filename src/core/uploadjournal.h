#pragma once

#include "apitypes.h"
#include "result.h"
#include "uploadtypes.h"

#include <QDateTime>
#include <QHash>
#include <QList>
#include <QMap>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <memory>

class QLockFile;

namespace tenovos {

// The state a restart needs to finish or cancel one multipart upload that
// was under way. The part URLs carry signatures and session tokens, so an entry
// is a secret: it is kept only in the journal file (mode 0600) and never
// logged.
struct JournalEntry
{
    // The upload's file id, unique per multipart upload.
    QString key() const { return fileId; }

    QUrl baseUrl;     // the Tenovos API the upload was created on
    QString username; // who created it
    QString filePath;
    QString filename; // the name sent to Tenovos
    QString objectId;
    QString fileId;
    QString originalFileId; // the versioned file of a new version; empty for a new asset
    QString uploadId;
    qint64 fileSize = 0;
    QDateTime fileModified; // millisecond precision, as QFileInfo reports it
    qint64 partSize = 0;
    QList<PartUrl> urls;            // presigned part URLs, partNumber ascending
    QMap<int, QByteArray> etags;    // confirmed parts: partNumber -> ETag as S3 sent it
    UploadBatch batch;
    QDateTime createdAt; // when the asset was created, UTC

    int partCount() const { return int(urls.size()); }
    qint64 confirmedBytes() const;
};

// The part of an entry a front end shows when it offers to resume: no URLs.
struct JournalSummary
{
    QString key;
    QUrl baseUrl;
    QString filePath;
    QString filename;
    QString objectId;
    qint64 fileSize = 0;
    int partCount = 0;
    int confirmedParts = 0;
    qint64 confirmedBytes = 0;
};

using JournalSummaryList = QList<JournalSummary>;

// The journal of unfinished multipart uploads: one JSON file,
// "upload-journal.json", in the application data folder. Every write
// replaces the whole file through QSaveFile, so a crash or a kill leaves
// either the old or the new content and never a torn file. The file is
// created with owner-only permissions (0600) because it contains
// presigned URLs.
//
// A QLockFile beside it ("upload-journal.lock") keeps two processes from
// overwriting each other's entries. A second process that finds the lock
// held by a live process runs without a journal (isOpen() is false); a lock
// left by a killed process is taken over.
//
// Writes are coalesced: a confirmed part is written within
// kCoalesceIntervalMs, and flush() writes at once. Adding and removing
// entries write at once.
class UploadJournal : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadJournal)

public:
    static constexpr int kCoalesceIntervalMs = 200;
    static constexpr int kFormatVersion = 1;

    // directory empty: defaultDirectory().
    explicit UploadJournal(const QString &directory = QString(), QObject *parent = nullptr);
    ~UploadJournal() override;

    // $TENOVOS_DATA_DIR when set, else QStandardPaths::AppDataLocation.
    static QString defaultDirectory();
    static QString fileNameIn(const QString &directory);
    // Whether two API base URLs name the same server and path, ignoring a
    // trailing slash.
    static bool sameServer(const QUrl &a, const QUrl &b);

    QString directory() const { return m_directory; }
    QString filePath() const;

    // Takes the lock and reads the file. A missing file is an empty journal.
    // A file that cannot be parsed is renamed to "<name>.corrupt-<UTC time>"
    // and an error names both files; the journal then starts empty and
    // stays usable. An error without a usable journal (the folder cannot be
    // created, another process holds the lock) leaves isOpen() false.
    Result<void> open();
    bool isOpen() const { return m_open; }

    QList<JournalEntry> entries() const;
    JournalSummaryList summaries() const;
    bool contains(const QString &key) const { return m_entries.contains(key); }
    JournalEntry entry(const QString &key) const { return m_entries.value(key); }

    // Adds or replaces an entry and writes at once.
    void put(const JournalEntry &entry);
    // Records a confirmed part; written within kCoalesceIntervalMs.
    void confirmPart(const QString &key, int partNumber, const QByteArray &etag);
    // Drops an entry and writes at once.
    void remove(const QString &key);
    // Writes pending changes now. Returns false when the write failed (the
    // error is logged and reported through writeFailed()).
    bool flush();

Q_SIGNALS:
    // A write failed; message is for the user and names the file.
    void writeFailed(const QString &message);

private:
    void scheduleWrite();
    bool write();

    QString m_directory;
    QHash<QString, JournalEntry> m_entries;
    QStringList m_order; // keys in the order they were added
    std::unique_ptr<QLockFile> m_lock;
    bool m_open = false;
    bool m_dirty = false;
    bool m_reportedWriteFailure = false;
    QTimer m_writeTimer;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::JournalSummary)
