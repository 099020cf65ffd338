// UploadJournal on its own: atomic writes, reload, owner-only permissions,
// entry removal, write coalescing, the lock against a second user and a
// damaged file being set aside. Further cases cover entry states,
// replace(), reading format version 1, and keeping the URLs' signatures and
// session tokens out of the file while an entry read back still has them.
// Most cases take the key from memory. keychainKeyRestoresUrls() uses the
// OS keychain and needs a Secret Service, which scripts/with-keyring.sh
// provides.

#include "journalkey.h"
#include "journalsealer.h"
#include "uploadjournal.h"

#include <QDBusConnection>
#include <QDBusConnectionInterface>
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QUuid>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#endif

using tenovos::JournalEntry;
using tenovos::JournalKeychain;
using tenovos::JournalKeyResult;
using tenovos::JournalKeySource;
using tenovos::JournalSealer;
using tenovos::PartUrl;
using tenovos::UploadJournal;
using tenovos::UploadMode;

namespace {

// A key source that returns a fixed key, as a keychain would on each start.
JournalKeySource memoryKey(char seed = 'k')
{
    return [seed](const QString &) { return JournalKeyResult{QByteArray(JournalSealer::kKeySize, seed), QString()}; };
}

// A key source without a key, as on a server without a Secret Service.
JournalKeySource noKey()
{
    return [](const QString &) { return JournalKeyResult{QByteArray(), QStringLiteral("no keychain in this test")}; };
}

// The decoded and the percent-encoded form of the secret query values of
// makeEntry()'s URLs.
QByteArray signatureOf(int partNumber)
{
    return QByteArrayLiteral("5ig+") + QByteArray::number(partNumber) + QByteArrayLiteral("c0ffee");
}

QByteArray encodedSignatureOf(int partNumber)
{
    return QByteArrayLiteral("5ig%2B") + QByteArray::number(partNumber) + QByteArrayLiteral("c0ffee");
}

const QByteArray kSessionToken = QByteArrayLiteral("IQoJb3JpZ2luX2VjE/session+token==");
const QByteArray kEncodedSessionToken = QByteArrayLiteral("IQoJb3JpZ2luX2VjE%2Fsession%2Btoken%3D%3D");

QByteArray partUrl(int partNumber)
{
    return QByteArrayLiteral("http://127.0.0.1:8080/contentstore/masters/o/v.mov?partNumber=")
        + QByteArray::number(partNumber)
        + QByteArrayLiteral("&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIAEXAMPLE%2F20240101"
                            "%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20240101T000000Z"
                            "&X-Amz-Security-Token=")
        + kEncodedSessionToken + QByteArrayLiteral("&X-Amz-SignedHeaders=host&X-Amz-Signature=")
        + encodedSignatureOf(partNumber);
}

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
    for (int number = 1; number <= partCount; ++number)
        entry.urls.append(PartUrl{number, partUrl(number)});
    entry.batch.mode = UploadMode::NewAsset;
    entry.batch.securityTemplateIds = {QStringLiteral("template-a"), QStringLiteral("template-b")};
    entry.batch.metadataTemplateId = QStringLiteral("metadata-template");
    entry.batch.metadata = QJsonArray{QJsonObject{{QStringLiteral("metadataDefinitionId"), QStringLiteral("title")},
                                                  {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Spring")}}};
    entry.createdAt = QDateTime::currentDateTimeUtc();
    return entry;
}

// An entry written just before the create request: no ids and no URLs.
JournalEntry makeCreatingEntry(const QString &name)
{
    JournalEntry entry = makeEntry(QString(), 0);
    entry.state = JournalEntry::State::Creating;
    entry.pendingKey = QUuid::createUuid().toString(QUuid::WithoutBraces);
    entry.filePath = QStringLiteral("/data/%1").arg(name);
    entry.filename = name;
    entry.objectId.clear();
    entry.uploadId.clear();
    entry.fileSize = 12345678;
    entry.createStartedAt = QDateTime::fromMSecsSinceEpoch(1700000100456LL, Qt::UTC);
    entry.createdAt = QDateTime();
    return entry;
}

QByteArray readFileBytes(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    return file.readAll();
}

// The first secret value of entry's URLs that text contains, or an empty
// array when it contains none.
QByteArray firstSecretIn(const QByteArray &text, const JournalEntry &entry)
{
    QByteArrayList secrets{kSessionToken, kEncodedSessionToken};
    for (const PartUrl &url : entry.urls)
        secrets << signatureOf(url.partNumber) << encodedSignatureOf(url.partNumber);
    for (const QByteArray &secret : std::as_const(secrets)) {
        if (text.contains(secret))
            return secret;
    }
    return QByteArray();
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

// Counts the journal's writes through its debug message, so a test can
// tell one write from two.
int g_journalWrites = 0;
QtMessageHandler g_previousHandler = nullptr;

void countJournalWrites(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (message.startsWith(QLatin1String("Upload journal written")))
        ++g_journalWrites;
    else if (g_previousHandler)
        g_previousHandler(type, context, message);
}

bool secretServiceReachable()
{
    QDBusConnection bus = QDBusConnection::sessionBus();
    return bus.isConnected() && bus.interface()
        && bus.interface()->isServiceRegistered(QStringLiteral("org.freedesktop.secrets")).value();
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

    void statesRoundTrip_data();
    void statesRoundTrip();
    void replaceIsOneWrite();
    void replaceKeepsPosition();
    void versionOneFileLoads();
    void noSecretsInFile();
    void reloadedUrlsUsable();
    void keychainKeyRestoresUrls();
    void noKeyDropsSecrets();
    void lostKeyMakesUrlsUnusable();
    void unusableEntryKeepsSealedSecrets();
};

void tst_Journal::missingFileIsEmpty()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
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
        journal.setKeySource(memoryKey());
        QVERIFY(journal.open().isOk());
        journal.put(written);
        journal.confirmPart(written.key(), 2, QByteArrayLiteral("\"etag-two\""));
        QVERIFY(journal.flush());
    }

    UploadJournal journal(dir.path());

    journal.setKeySource(memoryKey());
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
    QCOMPARE(read.state, JournalEntry::State::Uploading);
    QVERIFY(read.urlsUsable);

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
    journal.setKeySource(memoryKey());
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
        journal.setKeySource(memoryKey());
        QVERIFY(journal.open().isOk());
        journal.put(makeEntry(QStringLiteral("file-1"), 2));
        journal.put(makeEntry(QStringLiteral("file-2"), 2));
        journal.remove(QStringLiteral("file-1"));
        // remove() writes at once, without flush().
        QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-1")), -1);
        QCOMPARE(confirmedPartsOnDisk(journal.filePath(), QStringLiteral("file-2")), 0);
    }
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().size(), 1);
    QCOMPARE(journal.entries().constFirst().fileId, QStringLiteral("file-2"));
}

void tst_Journal::confirmedPartsCoalesced()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
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
    journal.setKeySource(memoryKey());
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
    journal.setKeySource(memoryKey());
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
    first.setKeySource(memoryKey());
    QVERIFY(first.open().isOk());

    UploadJournal second(dir.path());

    second.setKeySource(memoryKey());
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

    journal.setKeySource(memoryKey());
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
    QTest::addRow("entry in an unknown state")
        << QByteArrayLiteral("{\"version\": 2, \"entries\": [{\"state\": \"paused\", "
                             "\"baseUrl\": \"http://127.0.0.1/v1\", \"filePath\": \"/a\", \"fileId\": \"f\", "
                             "\"objectId\": \"o\", \"uploadId\": \"u\", \"fileSize\": 1, \"partSize\": 1}]}");
    QTest::addRow("creating entry without pending key")
        << QByteArrayLiteral("{\"version\": 2, \"entries\": [{\"state\": \"creating\", "
                             "\"baseUrl\": \"http://127.0.0.1/v1\", \"filePath\": \"/a\", \"fileSize\": 1, "
                             "\"partSize\": 1, \"createStartedAt\": \"2024-01-01T00:00:00.000Z\", "
                             "\"batch\": {\"mode\": \"newAsset\"}}]}");
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

    journal.setKeySource(memoryKey());
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

void tst_Journal::statesRoundTrip_data()
{
    QTest::addColumn<int>("state");
    QTest::addColumn<QString>("stateInFile");
    QTest::addRow("creating") << int(JournalEntry::State::Creating) << QStringLiteral("creating");
    QTest::addRow("uploading") << int(JournalEntry::State::Uploading) << QStringLiteral("uploading");
    QTest::addRow("cancelling") << int(JournalEntry::State::Cancelling) << QStringLiteral("cancelling");
}

void tst_Journal::statesRoundTrip()
{
    QFETCH(int, state);
    QFETCH(QString, stateInFile);
    JournalEntry written;
    switch (JournalEntry::State(state)) {
    case JournalEntry::State::Creating:
        written = makeCreatingEntry(QStringLiteral("photo.jpg"));
        break;
    case JournalEntry::State::Uploading:
        written = makeEntry(QStringLiteral("file-1"), 2);
        break;
    case JournalEntry::State::Cancelling:
        // What sending the cancel needs, without the URLs.
        written = makeEntry(QStringLiteral("file-1"), 2);
        written.state = JournalEntry::State::Cancelling;
        written.originalFileId = QStringLiteral("file-0");
        written.urls.clear();
        written.etags.insert(1, QByteArrayLiteral("\"etag-one\""));
        break;
    }

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(memoryKey());
        QVERIFY(journal.open().isOk());
        journal.put(written);
    }
    const QJsonArray onDisk = readJournalFile(UploadJournal::fileNameIn(dir.path())).value(QLatin1String("entries")).toArray();
    QCOMPARE(onDisk.size(), 1);
    QCOMPARE(onDisk.first().toObject().value(QLatin1String("state")).toString(), stateInFile);

    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().size(), 1);
    const JournalEntry read = journal.entries().constFirst();
    QCOMPARE(read.state, written.state);
    QCOMPARE(read.key(), written.key());
    QCOMPARE(read.pendingKey, written.pendingKey);
    QCOMPARE(read.fileId, written.fileId);
    QCOMPARE(read.uploadId, written.uploadId);
    QCOMPARE(read.originalFileId, written.originalFileId);
    QCOMPARE(read.filePath, written.filePath);
    QCOMPARE(read.filename, written.filename);
    QCOMPARE(read.fileSize, written.fileSize);
    QCOMPARE(read.fileModified, written.fileModified);
    QCOMPARE(read.partSize, written.partSize);
    QCOMPARE(read.createStartedAt, written.createStartedAt);
    QCOMPARE(read.urls.size(), written.urls.size());
    QCOMPARE(read.etags, written.etags);
    QCOMPARE(read.batch.securityTemplateIds, written.batch.securityTemplateIds);
    QVERIFY(read.urlsUsable);

    const auto summaries = journal.summaries();
    QCOMPARE(summaries.size(), 1);
    QCOMPARE(summaries.constFirst().state, written.state);
    QCOMPARE(summaries.constFirst().key, written.key());
}

void tst_Journal::replaceIsOneWrite()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    const JournalEntry creating = makeCreatingEntry(QStringLiteral("video-file-1.mov"));
    journal.put(creating);
    QVERIFY(journal.contains(creating.key()));

    JournalEntry uploading = makeEntry(QStringLiteral("file-1"), 3);
    uploading.createStartedAt = creating.createStartedAt;

    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.upload.debug=true"));
    g_journalWrites = 0;
    g_previousHandler = qInstallMessageHandler(countJournalWrites);
    journal.replace(creating.key(), uploading);
    qInstallMessageHandler(g_previousHandler);
    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.upload.debug=false"));

    QCOMPARE(g_journalWrites, 1);
    QVERIFY(!journal.contains(creating.key()));
    QVERIFY(journal.contains(QStringLiteral("file-1")));
    const QJsonArray onDisk = readJournalFile(journal.filePath()).value(QLatin1String("entries")).toArray();
    QCOMPARE(onDisk.size(), 1);
    QCOMPARE(onDisk.first().toObject().value(QLatin1String("fileId")).toString(), QStringLiteral("file-1"));
    QCOMPARE(onDisk.first().toObject().value(QLatin1String("state")).toString(), QStringLiteral("uploading"));
}

void tst_Journal::replaceKeepsPosition()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    const JournalEntry creating = makeCreatingEntry(QStringLiteral("video-file-2.mov"));
    journal.put(makeEntry(QStringLiteral("file-1"), 2));
    journal.put(creating);
    journal.put(makeEntry(QStringLiteral("file-3"), 2));

    journal.replace(creating.key(), makeEntry(QStringLiteral("file-2"), 2));

    QStringList keys;
    for (const JournalEntry &entry : journal.entries())
        keys.append(entry.key());
    QCOMPARE(keys, (QStringList{QStringLiteral("file-1"), QStringLiteral("file-2"), QStringLiteral("file-3")}));
}

void tst_Journal::versionOneFileLoads()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry original = makeEntry(QStringLiteral("file-1"), 2);
    QJsonArray urls;
    for (const PartUrl &url : original.urls)
        urls.append(QJsonObject{{QStringLiteral("partNumber"), url.partNumber}, {QStringLiteral("url"), QString::fromLatin1(url.url)}});
    const QJsonObject versionOneEntry{
        {QStringLiteral("baseUrl"), original.baseUrl.toString()},
        {QStringLiteral("username"), original.username},
        {QStringLiteral("filePath"), original.filePath},
        {QStringLiteral("filename"), original.filename},
        {QStringLiteral("objectId"), original.objectId},
        {QStringLiteral("fileId"), original.fileId},
        {QStringLiteral("originalFileId"), QString()},
        {QStringLiteral("uploadId"), original.uploadId},
        {QStringLiteral("fileSize"), double(original.fileSize)},
        {QStringLiteral("fileModifiedMs"), double(original.fileModified.toMSecsSinceEpoch())},
        {QStringLiteral("partSize"), double(original.partSize)},
        {QStringLiteral("urls"), urls},
        {QStringLiteral("confirmedParts"),
         QJsonArray{QJsonObject{{QStringLiteral("partNumber"), 1}, {QStringLiteral("etag"), QStringLiteral("\"e1\"")}}}},
        {QStringLiteral("batch"), QJsonObject{{QStringLiteral("mode"), QStringLiteral("newAsset")}}},
        {QStringLiteral("createdAt"), original.createdAt.toString(Qt::ISODateWithMs)},
    };
    const QString path = UploadJournal::fileNameIn(dir.path());
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(QJsonDocument(QJsonObject{{QStringLiteral("version"), 1},
                                             {QStringLiteral("entries"), QJsonArray{versionOneEntry}}})
                       .toJson());
    }
    QVERIFY(!firstSecretIn(readFileBytes(path), original).isEmpty());

    {
        UploadJournal journal(dir.path());
        journal.setKeySource(memoryKey());
        const auto opened = journal.open();
        QVERIFY2(opened.isOk(), qPrintable(opened.isOk() ? QString() : opened.error().userMessage()));
        QCOMPARE(journal.entries().size(), 1);
        const JournalEntry read = journal.entries().constFirst();
        QCOMPARE(read.state, JournalEntry::State::Uploading);
        QVERIFY(read.urlsUsable);
        QCOMPARE(read.urls.size(), 2);
        QCOMPARE(read.urls.at(0).url, original.urls.at(0).url);
        QCOMPARE(read.urls.at(1).url, original.urls.at(1).url);
        QCOMPARE(read.etags.value(1), QByteArrayLiteral("\"e1\""));
    }

    // Opening rewrote the file as version 2 with the secrets sealed.
    const QByteArray rewritten = readFileBytes(path);
    QCOMPARE(QJsonDocument::fromJson(rewritten).object().value(QLatin1String("version")).toInt(),
             UploadJournal::kFormatVersion);
    const QByteArray leaked = firstSecretIn(rewritten, original);
    QVERIFY2(leaked.isEmpty(), leaked.constData());

    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().constFirst().urls.at(1).url, original.urls.at(1).url);
}

void tst_Journal::noSecretsInFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    QVERIFY(journal.sealsUrlSecrets());
    const JournalEntry entry = makeEntry(QStringLiteral("file-1"), 3);

    journal.put(entry);
    QByteArray content = readFileBytes(journal.filePath());
    QVERIFY(!content.isEmpty());
    QByteArray leaked = firstSecretIn(content, entry);
    QVERIFY2(leaked.isEmpty(), leaked.constData());
    QVERIFY(!content.contains("X-Amz-Signature"));
    QVERIFY(!content.contains("X-Amz-Security-Token"));
    // The credential (access key id and scope) is no secret and stays.
    QVERIFY(content.contains("X-Amz-Credential=ASIAEXAMPLE"));
    QVERIFY(content.contains("sealedUrlSecrets"));

    // A coalesced write of a confirmed part keeps them out as well.
    journal.confirmPart(entry.key(), 1, QByteArrayLiteral("\"a\""));
    QVERIFY(journal.flush());
    content = readFileBytes(journal.filePath());
    QCOMPARE(confirmedPartsOnDisk(journal.filePath(), entry.key()), 1);
    leaked = firstSecretIn(content, entry);
    QVERIFY2(leaked.isEmpty(), leaked.constData());
}

void tst_Journal::reloadedUrlsUsable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 4);
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(memoryKey());
        QVERIFY(journal.open().isOk());
        journal.put(written);
    }

    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QVERIFY(journal.open().isOk());
    const JournalEntry read = journal.entry(written.key());
    QVERIFY(read.urlsUsable);
    QVERIFY(journal.summaries().constFirst().urlsUsable);
    QCOMPARE(read.urls.size(), written.urls.size());
    for (qsizetype i = 0; i < read.urls.size(); ++i) {
        QCOMPARE(read.urls.at(i).partNumber, written.urls.at(i).partNumber);
        QCOMPARE(read.urls.at(i).url, written.urls.at(i).url);
    }
}

void tst_Journal::keychainKeyRestoresUrls()
{
    if (!secretServiceReachable()) {
        QSKIP("No Secret Service (org.freedesktop.secrets) is reachable on the D-Bus session bus. "
              "Run the tests under scripts/with-keyring.sh, which starts a throw-away gnome-keyring.");
    }
    QTemporaryDir dir;
    QTemporaryDir otherDir;
    QVERIFY(dir.isValid());
    QVERIFY(otherDir.isValid());
    // A service name of its own keeps earlier runs' keys apart.
    const JournalKeychain keychain(QStringLiteral("Tenovos Uploader test %1")
                                       .arg(QUuid::createUuid().toString(QUuid::WithoutBraces)));
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 3);
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(keychain.source());
        QVERIFY(journal.open().isOk());
        QVERIFY(journal.sealsUrlSecrets());
        journal.put(written);
    }
    const QByteArray leaked = firstSecretIn(readFileBytes(UploadJournal::fileNameIn(dir.path())), written);
    QVERIFY2(leaked.isEmpty(), leaked.constData());

    {
        UploadJournal journal(dir.path());
        journal.setKeySource(keychain.source());
        QVERIFY(journal.open().isOk());
        const JournalEntry read = journal.entry(written.key());
        QVERIFY(read.urlsUsable);
        QCOMPARE(read.urls.size(), written.urls.size());
        for (qsizetype i = 0; i < read.urls.size(); ++i)
            QCOMPARE(read.urls.at(i).url, written.urls.at(i).url);
    }

    // Each folder has its own key, read back unchanged, also from a thread
    // other than the application's, as the engine thread calls it.
    const JournalKeyResult first = keychain.fetchOrCreate(dir.path());
    QVERIFY2(first.isOk(), qPrintable(first.problem));
    JournalKeyResult fromThread;
    std::unique_ptr<QThread> thread(QThread::create([&keychain, &dir, &fromThread] {
        fromThread = keychain.fetchOrCreate(dir.path());
    }));
    thread->start();
    QVERIFY(QTest::qWaitFor([&thread] { return thread->isFinished(); }, 2 * JournalKeychain::kDefaultTimeoutMs));
    QVERIFY2(fromThread.isOk(), qPrintable(fromThread.problem));
    QCOMPARE(fromThread.key, first.key);
    const JournalKeyResult other = keychain.fetchOrCreate(otherDir.path());
    QVERIFY2(other.isOk(), qPrintable(other.problem));
    QVERIFY(other.key != first.key);
    QVERIFY(JournalKeychain::keyName(otherDir.path()) != JournalKeychain::keyName(dir.path()));

    QCOMPARE(keychain.remove(dir.path()), QString());
    QCOMPARE(keychain.remove(otherDir.path()), QString());
}

void tst_Journal::noKeyDropsSecrets()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 3);
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(noKey());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("there is no key to seal them")));
        QVERIFY(journal.open().isOk());
        QVERIFY(!journal.sealsUrlSecrets());
        journal.put(written);
        // This run keeps the complete URLs in memory.
        QVERIFY(journal.entry(written.key()).urlsUsable);
        QCOMPARE(journal.entry(written.key()).urls.at(0).url, written.urls.at(0).url);
    }
    const QByteArray content = readFileBytes(UploadJournal::fileNameIn(dir.path()));
    const QByteArray leaked = firstSecretIn(content, written);
    QVERIFY2(leaked.isEmpty(), leaked.constData());
    QVERIFY(!content.contains("sealedUrlSecrets"));

    // The next start has no secrets to put back, with or without a key.
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey());
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot be restored")));
    QVERIFY(journal.open().isOk());
    const JournalEntry read = journal.entry(written.key());
    QVERIFY(!read.urlsUsable);
    QVERIFY(!journal.summaries().constFirst().urlsUsable);
    QCOMPARE(read.urls.size(), written.urls.size());
    QByteArray urls;
    for (const PartUrl &url : read.urls)
        urls += url.url + '\n';
    QVERIFY(urls.contains("X-Amz-Credential=ASIAEXAMPLE"));
    QVERIFY(!urls.contains("X-Amz-Signature"));
    QVERIFY(!urls.contains("X-Amz-Security-Token"));
}

void tst_Journal::lostKeyMakesUrlsUnusable()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 2);
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(memoryKey('a'));
        QVERIFY(journal.open().isOk());
        journal.put(written);
    }

    // Another key, as when the keychain entry was deleted and made anew.
    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey('b'));
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot be restored")));
    QVERIFY(journal.open().isOk());
    QCOMPARE(journal.entries().size(), 1);
    const JournalEntry read = journal.entry(written.key());
    QVERIFY(!read.urlsUsable);
    QCOMPARE(read.uploadId, written.uploadId);
    QVERIFY(!read.urls.at(0).url.contains("X-Amz-Signature"));
}

void tst_Journal::unusableEntryKeepsSealedSecrets()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const JournalEntry written = makeEntry(QStringLiteral("file-1"), 2);
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(memoryKey('a'));
        QVERIFY(journal.open().isOk());
        journal.put(written);
    }

    // A start without the key writes the entry twice, and neither write
    // may lose the sealed secrets.
    {
        UploadJournal journal(dir.path());
        journal.setKeySource(noKey());
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("there is no key to seal them")));
        QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("cannot be restored")));
        QVERIFY(journal.open().isOk());
        JournalEntry read = journal.entry(written.key());
        QVERIFY(!read.urlsUsable);
        journal.confirmPart(written.key(), 2, QByteArrayLiteral("\"b\""));
        QVERIFY(journal.flush());
        read = journal.entry(written.key());
        read.state = JournalEntry::State::Cancelling;
        journal.put(read);
    }

    UploadJournal journal(dir.path());
    journal.setKeySource(memoryKey('a'));
    QVERIFY(journal.open().isOk());
    const JournalEntry read = journal.entry(written.key());
    QCOMPARE(read.state, JournalEntry::State::Cancelling);
    QCOMPARE(read.etags.value(2), QByteArrayLiteral("\"b\""));
    QVERIFY(read.urlsUsable);
    QCOMPARE(read.urls.at(0).url, written.urls.at(0).url);
    QCOMPARE(read.urls.at(1).url, written.urls.at(1).url);
}

QTEST_GUILESS_MAIN(tst_Journal)
#include "tst_journal.moc"
