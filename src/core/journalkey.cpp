#include "journalkey.h"

#include "journalsealer.h"
#include "logging.h"

#include <QCoreApplication>
#include <QCryptographicHash>
#include <QDir>
#include <QEventLoop>
#include <QFileInfo>
#include <QMutex>
#include <QPointer>
#include <QSemaphore>
#include <QThread>
#include <QTimer>

#include <qt6keychain/keychain.h>

#include <memory>

namespace tenovos {

namespace {

// Called once, in the application thread, when a keychain operation ends.
using Completion = std::function<void(const JournalKeyResult &)>;
// Starts a keychain operation in the application thread.
using Operation = std::function<void(const Completion &)>;

QString describeFailure(const char *action, const QString &keyName, const QKeychain::Job *job)
{
    return QStringLiteral("%1 the keychain entry \"%2\" failed: %3")
        .arg(QLatin1String(action), keyName, job->errorString());
}

void writeNewKey(const QString &serviceName, const QString &keyName, const Completion &complete)
{
    const QByteArray key = JournalSealer::generateKey();
    auto *job = new QKeychain::WritePasswordJob(serviceName);
    job->setKey(keyName);
    // Without a keychain, fail instead of writing the key to a plain file
    // beside the journal it protects.
    job->setInsecureFallback(false);
    job->setTextData(QString::fromLatin1(key.toBase64()));
    QObject::connect(job, &QKeychain::Job::finished, job, [job, keyName, key, complete] {
        if (job->error() != QKeychain::NoError) {
            complete({QByteArray(), describeFailure("Writing", keyName, job)});
            return;
        }
        qCInfo(lcUpload).noquote() << "Created the upload journal key" << keyName << "in the keychain";
        complete({key, QString()});
    });
    job->start();
}

void readOrCreateKey(const QString &serviceName, const QString &keyName, const Completion &complete)
{
    auto *job = new QKeychain::ReadPasswordJob(serviceName);
    job->setKey(keyName);
    job->setInsecureFallback(false);
    QObject::connect(job, &QKeychain::Job::finished, job, [job, serviceName, keyName, complete] {
        if (job->error() == QKeychain::NoError) {
            const QByteArray key = QByteArray::fromBase64(job->textData().toLatin1());
            if (key.size() == JournalSealer::kKeySize) {
                complete({key, QString()});
                return;
            }
            // The entry is named for this journal folder only, so a value
            // that is not a key protects nothing and is replaced.
            qCWarning(lcUpload).noquote() << "The keychain entry" << keyName
                                          << "does not hold a journal key; replacing it";
        } else if (job->error() != QKeychain::EntryNotFound) {
            complete({QByteArray(), describeFailure("Reading", keyName, job)});
            return;
        }
        writeNewKey(serviceName, keyName, complete);
    });
    job->start();
}

void deleteKey(const QString &serviceName, const QString &keyName, const Completion &complete)
{
    auto *job = new QKeychain::DeletePasswordJob(serviceName);
    job->setKey(keyName);
    job->setInsecureFallback(false);
    QObject::connect(job, &QKeychain::Job::finished, job, [job, keyName, complete] {
        const bool deleted = job->error() == QKeychain::NoError || job->error() == QKeychain::EntryNotFound;
        complete({QByteArray(), deleted ? QString() : describeFailure("Deleting", keyName, job)});
    });
    job->start();
}

// Runs operation in the application thread and waits up to timeoutMs for
// it. In the application thread itself a local QEventLoop runs until the
// operation ends, because the keychain jobs need that thread's events. From
// any other thread the caller blocks on a semaphore: it handles no events
// meanwhile, and nothing the operation does needs them.
JournalKeyResult runInApplicationThread(const Operation &operation, int timeoutMs)
{
    QCoreApplication *application = QCoreApplication::instance();
    if (!application)
        return {QByteArray(), QStringLiteral("there is no QCoreApplication to run keychain jobs in")};

    // Shared with the completion, which may run after a timeout returned.
    struct Outcome
    {
        QMutex mutex;
        bool finished = false;
        JournalKeyResult result;
        QSemaphore done;
    };
    auto outcome = std::make_shared<Outcome>();
    const auto record = [outcome](const JournalKeyResult &result) {
        QMutexLocker locker(&outcome->mutex);
        outcome->result = result;
        outcome->finished = true;
        outcome->done.release();
    };
    const auto finished = [outcome] {
        QMutexLocker locker(&outcome->mutex);
        return outcome->finished;
    };

    if (QThread::currentThread() == application->thread()) {
        QEventLoop loop;
        QPointer<QEventLoop> loopAlive(&loop);
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        operation([record, loopAlive](const JournalKeyResult &result) {
            record(result);
            if (loopAlive)
                loopAlive->quit();
        });
        if (!finished())
            loop.exec();
    } else {
        QMetaObject::invokeMethod(application, [operation, record] { operation(record); }, Qt::QueuedConnection);
        outcome->done.tryAcquire(1, timeoutMs);
    }

    if (!finished()) {
        return {QByteArray(), QStringLiteral("the keychain did not reply within %1 seconds")
                                  .arg(timeoutMs / 1000.0)};
    }
    QMutexLocker locker(&outcome->mutex);
    return outcome->result;
}

} // namespace

QString JournalKeychain::defaultServiceName()
{
    return QStringLiteral("Tenovos Uploader");
}

QString JournalKeychain::keyName(const QString &directory)
{
    const QFileInfo info(directory);
    QString path = info.canonicalFilePath();
    if (path.isEmpty())
        path = QDir::cleanPath(info.absoluteFilePath());
    const QByteArray digest = QCryptographicHash::hash(path.toUtf8(), QCryptographicHash::Sha256).toHex();
    return QStringLiteral("upload-journal-key/") + QString::fromLatin1(digest.left(16));
}

JournalKeychain::JournalKeychain(const QString &serviceName, int timeoutMs)
    : m_serviceName(serviceName)
    , m_timeoutMs(timeoutMs)
{
}

JournalKeyResult JournalKeychain::fetchOrCreate(const QString &directory) const
{
    const QString serviceName = m_serviceName;
    const QString name = keyName(directory);
    return runInApplicationThread(
        [serviceName, name](const Completion &complete) { readOrCreateKey(serviceName, name, complete); },
        m_timeoutMs);
}

QString JournalKeychain::remove(const QString &directory) const
{
    const QString serviceName = m_serviceName;
    const QString name = keyName(directory);
    return runInApplicationThread(
               [serviceName, name](const Completion &complete) { deleteKey(serviceName, name, complete); },
               m_timeoutMs)
        .problem;
}

JournalKeySource JournalKeychain::source() const
{
    const JournalKeychain keychain = *this;
    return [keychain](const QString &directory) { return keychain.fetchOrCreate(directory); };
}

} // namespace tenovos
