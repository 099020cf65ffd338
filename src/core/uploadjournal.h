#pragma once

#include "apitypes.h"
#include "journalkey.h"
#include "journalsealer.h"
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
// was under way. The part URLs carry signatures and session tokens, so an
// entry is a secret: it is never logged, and the journal file keeps those
// query values only sealed, or not at all without a key (see UploadJournal).
struct JournalEntry
{
    enum class State {
        // Written just before the create request is sent: no objectId,
        // fileId, uploadId or urls yet, and key() is pendingKey.
        Creating,
        // Tenovos created the upload and parts are being sent.
        Uploading,
        // Cancelling the multipart upload through /asset/complete failed
        // once and is still owed to the server.
        Cancelling,
    };

    // The upload's file id, unique per multipart upload, or pendingKey
    // before Tenovos assigned one.
    QString key() const { return fileId.isEmpty() ? pendingKey : fileId; }

    State state = State::Uploading;
    QString pendingKey; // a QUuid without braces, set by the caller of a Creating entry
    QUrl baseUrl;       // the Tenovos API the upload was created on
    QString username;   // who created it
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
    QDateTime createStartedAt; // when the create request was sent, UTC
    QDateTime createdAt;       // when the asset was created, UTC
    // False when urls lack the signatures and session tokens because the
    // journal could not restore them (no keychain, or its key is gone).
    // Such URLs cannot be sent, so the upload has to start again.
    bool urlsUsable = true;

    int partCount() const { return int(urls.size()); }
    qint64 confirmedBytes() const;
};

// The part of an entry a front end shows when it offers to resume: no URLs.
struct JournalSummary
{
    QString key;
    JournalEntry::State state = JournalEntry::State::Uploading;
    QUrl baseUrl;
    QString filePath;
    QString filename;
    QString objectId;
    qint64 fileSize = 0;
    int partCount = 0;
    int confirmedParts = 0;
    qint64 confirmedBytes = 0;
    bool urlsUsable = true; // see JournalEntry::urlsUsable
};

using JournalSummaryList = QList<JournalSummary>;

// The journal of unfinished multipart uploads: one JSON file,
// "upload-journal.json", in the application data folder. Every write
// replaces the whole file through QSaveFile, so a crash or a kill leaves
// either the old or the new content and never a torn file. The file is
// created with owner-only permissions (0600).
//
// The secret query values of the part URLs (JournalUrlSecrets: signatures
// and session tokens) are not in the file in plain text. They are removed
// from each stored URL and kept in one value per entry sealed with
// JournalSealer under a key from the key source, by default the folder's
// key in the OS keychain (JournalKeychain). Without a key the journal still
// works but keeps no secrets, and entries read back have urlsUsable false.
//
// A QLockFile beside it ("upload-journal.lock") keeps two processes from
// overwriting each other's entries. A second process that finds the lock
// held by a live process runs without a journal (isOpen() is false); a lock
// left by a killed process is taken over.
//
// Writes are coalesced: a confirmed part is written within
// kCoalesceIntervalMs, and flush() writes at once. Adding, replacing and
// removing entries write at once.
class UploadJournal : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadJournal)

public:
    static constexpr int kCoalesceIntervalMs = 200;
    // Version 2 added entry states and sealed URL secrets. Files of
    // version 1 are read as well, and written back as version 2.
    static constexpr int kFormatVersion = 2;

    // directory empty: defaultDirectory(). The key source is
    // JournalKeychain().source() until setKeySource() replaces it.
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

    // Sets where open() gets the key that seals the URL secrets. Takes
    // effect at the next open().
    void setKeySource(const JournalKeySource &source) { m_keySource = source; }

    // Takes the lock, gets the key from the key source (which may block,
    // see JournalKeychain) and reads the file. A missing file is an empty
    // journal. Without a key, one warning is logged and the journal works
    // without secrets. A file that cannot be parsed is renamed to
    // "<name>.corrupt-<UTC time>" and an error names both files; the
    // journal then starts empty and stays usable. An error without a usable
    // journal (the folder cannot be created, another process holds the
    // lock) leaves isOpen() false.
    Result<void> open();
    bool isOpen() const { return m_open; }
    // Whether open() got a key, so written entries keep their URL secrets.
    bool sealsUrlSecrets() const { return m_sealer != nullptr; }

    QList<JournalEntry> entries() const;
    JournalSummaryList summaries() const;
    bool contains(const QString &key) const { return m_entries.contains(key); }
    JournalEntry entry(const QString &key) const { return m_entries.value(key); }

    // Adds or replaces the entry with the same key and writes at once.
    void put(const JournalEntry &entry);
    // Removes oldKey and puts entry in its place in one write, so no state
    // of the file has both or neither (a Creating entry becoming Uploading
    // under its file id, for example). Works like put() when oldKey is not
    // in the journal or equals entry.key().
    void replace(const QString &oldKey, const JournalEntry &entry);
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
    // An entry's URLs as the file stores them, kept between writes because
    // sealing every URL of every entry on each coalesced write would cost
    // more than the write itself.
    struct StoredUrls
    {
        QList<PartUrl> urls;       // without secret query values
        bool secretsRemoved = false;
        QByteArray sealedSecrets;  // JournalSealer output, empty without a key
    };

    void fetchKey();
    Result<void> readFile();
    StoredUrls storedUrlsOf(const JournalEntry &entry) const;
    void insertEntry(const JournalEntry &entry);
    void scheduleWrite();
    bool write();

    QString m_directory;
    JournalKeySource m_keySource;
    std::unique_ptr<JournalSealer> m_sealer;
    QHash<QString, JournalEntry> m_entries;
    QHash<QString, StoredUrls> m_storedUrls; // by key, missing until the next write computes it
    QStringList m_order; // keys in the order they were added
    std::unique_ptr<QLockFile> m_lock;
    bool m_open = false;
    bool m_dirty = false;
    bool m_reportedWriteFailure = false;
    QTimer m_writeTimer;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::JournalSummary)
