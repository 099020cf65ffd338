// UploadJournal on its own: atomic writes, reload, owner-only permissions,
// entry removal, write coalescing, the lock against a second user and a
// damaged file being set aside.

#include "uploadjournal.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using tenovos::JournalEntry;
using tenovos::PartUrl;
using tenovos::UploadJournal;
using tenovos::UploadMode;

namespace {

JournalEntry makeEntry(const QString &fileId, int partCount)
{
    JournalEntry entry;
    entry.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:8080/v1"));
    entry.username = QStringLiteral("demo@example.com");
    entry.filePath = QStringLiteral("/data/video-%1.mov").arg(fileId);
    entry.filename = QStringLiteral("video-%1.mov").arg(fileId);
    entry.objectId = QStringLiteral("object-") + fileId;
    entry.fileId = fileId;
    entry.uploadId = QStringLiteral("upload-") + fileId;
    entry.partSize = 5 * 1024 * 1024;
    entry.fileSize = entry.partSize * partCount - 100;
    entry.fileModified = QDateTime::fromMSecsSinceEpoch(1700000000123LL, Qt::UTC);
    for (int number = 1; number <= partCount; ++number) {
        entry.urls.append(PartUrl{number, QByteArrayLiteral("http://127.0.0.1:8080/contentstore/masters/o/v.mov"
                                                            "?partNumber=")
                                              + QByteArray::number(number)
                                              + QByteArrayLiteral("&X-Amz-Signature=abc%2Bdef")});
    }
    entry.batch.mode = UploadMode::NewAsset;
    entry.batch.securityTemplateIds = {QStringLiteral("template-a"), QStringLiteral("template-b")};
    entry.batch.metadataTemplateId = QStringLiteral("metadata-template");
    entry.batch.metadata = QJsonArray{QJsonObject{{QStringLiteral("metadataDefinitionId"), QStringLiteral("title")},
                                                  {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Spring")}}};
    entry.createdAt = QDateTime::currentDateTimeUtc();
    return entry;
}

// The journal file as JSON, or an empty object when it is missing or invalid.
QJsonObject readJournalFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QJsonObject();
    return QJsonDocument::fromJson(file.readAll()).object();
}

int confirmedPartsOnDisk(const QString &path, const QString &fileId)
{
    const QJsonArray entries = readJournalFile(path).value(QLatin1String("entries")).toArray();
    for (const QJsonValue &entry : entries) {
        if (entry.toObject().value(QLatin1String("fileId")).toString() == fileId)
            return int(entry.toObject().value(QLatin1String("confirmedParts")).toArray().size());
    }
    return -1;
}

} // namespace

class tst_Journal : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void missingFileIsEmpty();
    void reloadKeepsEveryField();
    void fileIsOwnerOnly();
    void removeDropsEntry();
    void confirmedPartsCoalesced();
    void flushWritesAtOnce();
    void failedWriteKeepsOldFile();
    void secondUserIsLockedOut();
    void staleLockIsTakenOver();
    void damagedFileSetAside_data();
    void damagedFileSetAside();
    void dataDirFromEnvironment();
};

void tst_Journal::missingFileIsEmpty()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    const auto opened = journal.open();
    QVERIFY2(opened.isOk(), qPrintable(opened.isOk() ? QString() : opened.error().userMessage()));
    QVERIFY(journal.isOpen());
    QVERIFY(journal.entries().isEmpty());
    QVERIFY(!QFile::exists(journal.filePath()));
}

void tst_Journal::reloadKeepsEveryField()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 3);
    {
        UploadJournal journal(dir.path());
        QVERIFY(journal.open().isOk());
        journal.put(written);
        journal.confirmPart(written.key(), 2, QByteArrayLiteral("\"etag-two\""));
        QVERIFY(journal.flush());
    }

    UploadJournal journal(dir.path());
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().size(), 1);
    const JournalEntry read = journal.entries().constFirst();
    QCOMPARE(read.baseUrl, written.baseUrl);
    QCOMPARE(read.username, written.username);
    QCOMPARE(read.filePath, written.filePath);
    QCOMPARE(read.filename, written.filename);
    QCOMPARE(read.objectId, written.objectId);
    QCOMPARE(read.fileId, written.fileId);
    QCOMPARE(read.uploadId, written.uploadId);
    QCOMPARE(read.fileSize, written.fileSize);
    QCOMPARE(read.fileModified, written.fileModified);
    QCOMPARE(read.partSize, written.partSize);
    QCOMPARE(read.urls.size(), written.urls.size());
    for (qsizetype i = 0; i < read.urls.size(); ++i) {
        QCOMPARE(read.urls.at(i).partNumber, written.urls.at(i).partNumber);
        QCOMPARE(read.urls.at(i).url, written.urls.at(i).url);
    }
    QCOMPARE(read.etags.size(), 1);
    QCOMPARE(read.etags.value(2), QByteArrayLiteral("\"etag-two\""));
    QCOMPARE(read.batch.mode, written.batch.mode);
    QCOMPARE(read.batch.securityTemplateIds, written.batch.securityTemplateIds);
    QCOMPARE(read.batch.metadataTemplateId, written.batch.metadataTemplateId);
    QCOMPARE(read.batch.metadata, written.batch.metadata);

    const auto summaries = journal.summaries();
    QCOMPARE(summaries.size(), 1);
    QCOMPARE(summaries.constFirst().confirmedParts, 1);
    QCOMPARE(summaries.constFirst().partCount, 3);
    QCOMPARE(summaries.constFirst().confirmedBytes, written.partSize);
}

void tst_Journal::fileIsOwnerOnly()
{
#ifndef Q_OS_UNIX
    QSKIP("POSIX permission bits are checked on Unix only");
#else
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const mode_t previousMask = ::umask(022);
    UploadJournal journal(dir.path());
    QVERIFY(journal.open().isOk());
    journal.put(makeEntry(QStringLiteral("file-1"), 2));
    ::umask(previousMask);

    struct stat status = {};
    QCOMPARE(::stat(QFile::encodeName(journal.filePath()).constData(), &status), 0);
    QCOMPARE(int(status.st_mode & 0777), 0600);
#endif
}

void tst_Journal::removeDropsEntry()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        UploadJournal journal(dir.path());
        QVERIFY(journal.open().isOk());
        journal.put(makeEntry(QStringLiteral("file-1"), 2));
        journal.put(makeEntry(QStringLiteral("file-2"), 2));
        journal.remove(QStringLiteral("file-1"));
        // remove() writes at once, without flush().
        QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), -1);
        QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-2")), 0);
    }
    UploadJournal journal(dir.path());
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().size(), 1);
    QCOMPARE(journal.entries().constFirst().fileId, QStringLiteral("file-2"));
}

void tst_Journal::confirmedPartsCoalesced()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    QVERIFY(journal.open().isOk());
    journal.put(makeEntry(QStringLiteral("file-1"), 4));
    journal.confirmPart(QStringLiteral("file-1"), 1, QByteArrayLiteral("\"a\""));
    journal.confirmPart(QStringLiteral("file-1"), 2, QByteArrayLiteral("\"b\""));
    // Not on disk yet: the write waits up to kCoalesceIntervalMs...
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), 0);
    // ...and then both parts arrive in one write.
    QTRY_COMPARE_WITH_TIMEOUT(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), 2,
                              UploadJournal::kCoalesceIntervalMs * 10);
}

void tst_Journal::flushWritesAtOnce()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    QVERIFY(journal.open().isOk());
    journal.put(makeEntry(QStringLiteral("file-1"), 4));
    journal.confirmPart(QStringLiteral("file-1"), 3, QByteArrayLiteral("\"c\""));
    QVERIFY(journal.flush());
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), 1);
}

void tst_Journal::failedWriteKeepsOldFile()
{
    QTemporaryDir parent;
    QVERIFY(parent.isValid());
    const QString directory = parent.filePath(QStringLiteral("data"));
    const QString movedDirectory = parent.filePath(QStringLiteral("data-moved"));
    QVERIFY(QDir().mkpath(directory));
    UploadJournal journal(directory);
    QVERIFY(journal.open().isOk());
    QSignalSpy failed(&journal, &UploadJournal::writeFailed);
    journal.put(makeEntry(QStringLiteral("file-1"), 2));

    // A plain file where the folder was makes QSaveFile fail to create its
    // temporary file, for root as well. The folder comes back afterwards.
    QVERIFY(QDir().rename(directory, movedDirectory));
    {
        QFile blocker(directory);
        QVERIFY(blocker.open(QIODevice::WriteOnly));
    }
    journal.put(makeEntry(QStringLiteral("file-2"), 2));
    QVERIFY(QFile::remove(directory));
    QVERIFY(QDir().rename(movedDirectory, directory));

    QCOMPARE(failed.size(), 1);
    QVERIFY(failed.constFirst().constFirst().toString().contains(QDir::toNativeSeparators(journal.filePath())));
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), 0);
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-2")), -1);

    // The next write carries the entry that failed.
    QVERIFY(journal.flush());
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-2")), 0);
}

void tst_Journal::secondUserIsLockedOut()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal first(dir.path());
    QVERIFY(first.open().isOk());

    UploadJournal second(dir.path());
    const auto opened = second.open();
    QVERIFY(!opened.isOk());
    QVERIFY(!second.isOpen());
    QVERIFY2(opened.error().userMessage().contains(QStringLiteral("in use")),
             qPrintable(opened.error().userMessage()));
    // A journal that is not open never writes.
    second.put(makeEntry(QStringLiteral("file-9"), 2));
    QVERIFY(!QFile::exists(second.filePath()));
}

void tst_Journal::staleLockIsTakenOver()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    // A lock file naming a process that does not run, as a killed run leaves it.
    QFile lock(dir.filePath(QStringLiteral("upload-journal.lock")));
    QVERIFY(lock.open(QIODevice::WriteOnly));
    lock.write("2147483646\ntenovos-upload\n" + QSysInfo::machineHostName().toUtf8() + "\n");
    lock.close();

    UploadJournal journal(dir.path());
    const auto opened = journal.open();
    QVERIFY2(opened.isOk(), qPrintable(opened.isOk() ? QString() : opened.error().userMessage()));
    QVERIFY(journal.isOpen());
}

void tst_Journal::damagedFileSetAside_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addRow("not JSON") << QByteArrayLiteral("{\"version\": 1, \"entr");
    QTest::addRow("not an object") << QByteArrayLiteral("[1, 2, 3]");
    QTest::addRow("unknown version") << QByteArrayLiteral("{\"version\": 99, \"entries\": []}");
    QTest::addRow("entry without upload id")
        << QByteArrayLiteral("{\"version\": 1, \"entries\": [{\"baseUrl\": \"http://127.0.0.1/v1\", "
                             "\"filePath\": \"/a\", \"fileId\": \"f\", \"objectId\": \"o\", "
                             "\"fileSize\": 1, \"partSize\": 1}]}");
}

void tst_Journal::damagedFileSetAside()
{
    QFETCH(QByteArray, content);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = UploadJournal::fileNameIn(dir.path());
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();

    UploadJournal journal(dir.path());
    const auto opened = journal.open();
    QVERIFY(!opened.isOk());
    const QString message = opened.error().userMessage();
    QVERIFY2(message.contains(QDir::toNativeSeparators(path)), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("damaged")), qPrintable(message));

    // The damaged file is kept under another name, byte for byte.
    const QStringList aside = QDir(dir.path()).entryList({QStringLiteral("upload-journal.json.corrupt-*")});
    QCOMPARE(aside.size(), 1);
    QVERIFY2(message.contains(aside.constFirst()), qPrintable(message));
    QFile kept(dir.filePath(aside.constFirst()));
    QVERIFY(kept.open(QIODevice::ReadOnly));
    QCOMPARE(kept.readAll(), content);
    QVERIFY(!QFile::exists(path));

    // The journal starts empty and works.
    QVERIFY(journal.isOpen());
    QVERIFY(journal.entries().isEmpty());
    journal.put(makeEntry(QStringLiteral("file-1"), 2));
    QCOMPARE(confirmedPartsOnDisk(path, QStringLiteral("file-1")), 0);
}

void tst_Journal::dataDirFromEnvironment()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QByteArray previous = qgetenv("TENOVOS_DATA_DIR");
    qputenv("TENOVOS_DATA_DIR", QFile::encodeName(dir.path()));
    const QString directory = UploadJournal::defaultDirectory();
    UploadJournal journal;
    const QString filePath = journal.filePath();
    if (previous.isNull())
        qunsetenv("TENOVOS_DATA_DIR");
    else
        qputenv("TENOVOS_DATA_DIR", previous);
    QCOMPARE(directory, dir.path());
    QCOMPARE(filePath, UploadJournal::fileNameIn(dir.path()));
}

QTEST_GUILESS_MAIN(tst_Journal)
#include "tst_journal.moc"
