#include "sandboxserver.h"

#include "connectionworker.h"
#include "sandboxcontext.h"
#include "sandboxlogging.h"

#include <QDir>
#include <QHostAddress>
#include <QLockFile>
#include <QTcpServer>
#include <QTemporaryDir>
#include <QThread>

namespace tenovos::sandbox {

// Hands each accepted socket descriptor to the server, which passes it on to
// a worker thread before Qt wraps it in a QTcpSocket.
class SandboxListener : public QTcpServer
{
public:
    explicit SandboxListener(std::function<void(qintptr)> dispatch, QObject *parent)
        : QTcpServer(parent)
        , m_dispatch(std::move(dispatch))
    {
    }

protected:
    void incomingConnection(qintptr socketDescriptor) override { m_dispatch(socketDescriptor); }

private:
    std::function<void(qintptr)> m_dispatch;
};

namespace {

// Connections run on this many threads. Four matches the parallel part
// uploads the uploader uses by default. More threads than cores do no harm,
// because a connection mostly waits for its socket or the disk.
constexpr int workerThreadCount = 4;

} // namespace

SandboxServer::SandboxServer(const SandboxConfig &config, QObject *parent)
    : QObject(parent)
{
    const bool persistent = !config.dataDir.isEmpty();
    const QString directory = openDataDirectory(config);
    m_context = std::make_shared<SandboxContext>(config, directory, persistent && m_startError.isEmpty());
    m_context->faults.setSeed(config.faultSeed);
    if (m_startError.isEmpty()) {
        QString error;
        if (!m_context->restoreState(&error))
            m_startError = error;
    }

    if (!m_startError.isEmpty())
        m_errorString = m_startError;
    else if (const QString error = config.validate(); !error.isEmpty()) {
        m_errorString = error;
    }

    m_context->requestFinished = [this](const QString &method, const QString &path, int status) {
        QMetaObject::invokeMethod(
            this, [this, method, path, status] { Q_EMIT requestFinished(method, path, status); },
            Qt::QueuedConnection);
    };

    for (int i = 0; i < workerThreadCount; ++i) {
        auto *thread = new QThread(this);
        thread->setObjectName(QStringLiteral("sandbox-worker-%1").arg(i));
        auto *worker = new ConnectionWorker(m_context);
        worker->moveToThread(thread);
        connect(thread, &QThread::finished, worker, &QObject::deleteLater);
        thread->start();
        m_threads.append(thread);
        m_workers.append(worker);
    }

    m_listener = new SandboxListener([this](qintptr descriptor) { dispatch(descriptor); }, this);
}

SandboxServer::~SandboxServer()
{
    close();
    for (QThread *thread : std::as_const(m_threads)) {
        thread->quit();
        thread->wait();
    }
    // Drop the hook before the context outlives this object in a late copy.
    m_context->requestFinished = nullptr;
}

bool SandboxServer::listen(quint16 port)
{
    if (m_listener->isListening()) {
        m_errorString = tr("The sandbox already listens on port %1; call close() first.").arg(this->port());
        return false;
    }
    if (!m_startError.isEmpty()) {
        m_errorString = m_startError;
        return false;
    }
    if (const QString problem = m_context->config().validate(); !problem.isEmpty()) {
        m_errorString = problem;
        return false;
    }

    if (!m_listener->listen(QHostAddress::LocalHost, port)) {
        m_errorString = tr("Could not listen on 127.0.0.1 port %1: %2").arg(port).arg(m_listener->errorString());
        return false;
    }
    m_errorString.clear();
    m_context->port = m_listener->serverPort();
    m_context->acceptingConnections = true;
    const QString stateFile = m_context->stateFilePath();
    qCInfo(lcSandbox).noquote() << "Listening on" << baseUrl().toString() << "with data in" << m_context->dataDirectory
                                << (stateFile.isEmpty() ? QStringLiteral("(state in memory only)")
                                                        : QStringLiteral("(state saved to %1)").arg(stateFile));

    const quint16 restoredPort = m_context->restoredPort();
    if (restoredPort != 0 && restoredPort != this->port()) {
        qCWarning(lcSandbox) << "The restored state was served on port" << restoredPort << "and URLs handed out then"
                             << "name that port; listen on port" << restoredPort << "(--port" << restoredPort
                             << ") to keep them working";
    }
    // Records the port in the state file.
    m_context->saveState();
    return true;
}

void SandboxServer::close()
{
    const bool wasListening = m_listener->isListening();
    m_context->acceptingConnections = false;
    m_listener->close();
    for (ConnectionWorker *worker : std::as_const(m_workers)) {
        QMetaObject::invokeMethod(worker, &ConnectionWorker::dropAll, Qt::BlockingQueuedConnection);
    }
    if (wasListening)
        qCInfo(lcSandbox) << "Stopped listening on port" << port() << "and dropped open connections";
}

bool SandboxServer::isListening() const
{
    return m_listener->isListening();
}

QString SandboxServer::errorString() const
{
    return m_errorString;
}

quint16 SandboxServer::port() const
{
    return m_context->port;
}

QUrl SandboxServer::baseUrl() const
{
    return QUrl(QString::fromLatin1(m_context->origin() + "/v1"));
}

QString SandboxServer::dataDir() const
{
    return m_context->dataDirectory;
}

QString SandboxServer::openDataDirectory(const SandboxConfig &config)
{
    if (config.dataDir.isEmpty()) {
        m_temporaryDir = std::make_unique<QTemporaryDir>(QDir::temp().filePath(QStringLiteral("tenovos-sandbox-XXXXXX")));
        if (!m_temporaryDir->isValid())
            m_startError = tr("Could not create a temporary data folder: %1").arg(m_temporaryDir->errorString());
        return m_temporaryDir->path();
    }

    const QString directory = QDir(config.dataDir).absolutePath();
    if (!QDir().mkpath(directory)) {
        m_startError = tr("Could not create the data folder %1; check the path and its permissions.")
                           .arg(QDir::toNativeSeparators(directory));
        return directory;
    }
    lockDataDirectory(directory);
    return directory;
}

bool SandboxServer::lockDataDirectory(const QString &directory)
{
    m_lock = std::make_unique<QLockFile>(QDir(directory).filePath(QStringLiteral("sandbox.lock")));
    // Only a live process holds the lock: QLockFile takes over a lock file
    // whose process is gone, as after SIGKILL, and never one by its age.
    m_lock->setStaleLockTime(0);
    if (m_lock->tryLock(0))
        return true;

    qint64 pid = 0;
    QString hostname;
    QString application;
    if (m_lock->error() == QLockFile::LockFailedError && m_lock->getLockInfo(&pid, &hostname, &application)) {
        m_startError = tr("The data folder %1 is in use by another sandbox (process %2, %3); stop it or choose "
                          "another folder.")
                           .arg(QDir::toNativeSeparators(directory))
                           .arg(pid)
                           .arg(application);
    } else {
        m_startError = tr("Could not lock the data folder %1 with the lock file %2; check its permissions.")
                           .arg(QDir::toNativeSeparators(directory), QDir::toNativeSeparators(m_lock->fileName()));
    }
    m_lock.reset();
    return false;
}

QString SandboxServer::stateFilePath() const
{
    return m_context->stateFilePath();
}

SandboxConfig SandboxServer::config() const
{
    SandboxConfig config = m_context->config();
    config.dataDir = m_context->dataDirectory;
    config.faultSeed = m_context->faults.seed();
    return config;
}

bool SandboxServer::setConfig(const SandboxConfig &config, QString *error)
{
    const QString problem = config.validate();
    if (!problem.isEmpty()) {
        if (error)
            *error = problem;
        qCWarning(lcSandbox).noquote() << "Ignoring invalid sandbox settings:" << problem;
        return false;
    }
    if (!config.dataDir.isEmpty() && QDir(config.dataDir).absolutePath() != m_context->dataDirectory)
        qCWarning(lcSandbox) << "The data folder cannot change while the sandbox runs; keeping" << m_context->dataDirectory;
    m_context->setConfig(config);
    if (config.faultSeed != m_context->faults.seed())
        m_context->faults.setSeed(config.faultSeed);
    return true;
}

SigV4Credentials SandboxServer::s3Credentials() const
{
    return m_context->s3Credentials();
}

bool SandboxServer::addFault(const QString &rule, QString *error)
{
    return addFaults({rule}, error);
}

bool SandboxServer::addFaults(const QStringList &rules, QString *error)
{
    return m_context->faults.add(rules, error);
}

void SandboxServer::clearFaults()
{
    m_context->faults.clear();
}

void SandboxServer::setFaultSeed(quint64 seed)
{
    m_context->faults.setSeed(seed);
}

quint64 SandboxServer::faultSeed() const
{
    return m_context->faults.seed();
}

QJsonArray SandboxServer::faults() const
{
    return m_context->faults.toJson();
}

QList<int> SandboxServer::faultHits() const
{
    return m_context->faults.hits();
}

QJsonArray SandboxServer::assets() const
{
    return m_context->assets.toJson();
}

QByteArray SandboxServer::contentMd5(const QString &objectId) const
{
    return m_context->assets.contentMd5(objectId);
}

QStringList SandboxServer::contentFiles(const QString &objectId) const
{
    const auto content = m_context->assets.content(objectId);
    return content ? content->files : QStringList();
}

int SandboxServer::openUploadCount() const
{
    return m_context->assets.openUploadCount();
}

QMap<int, int> SandboxServer::putCounts(const QString &fileId) const
{
    return m_context->assets.putCounts(fileId);
}

void SandboxServer::dispatch(qintptr socketDescriptor)
{
    ConnectionWorker *worker = m_workers.at(m_nextWorker);
    m_nextWorker = (m_nextWorker + 1) % m_workers.size();
    QMetaObject::invokeMethod(worker, [worker, socketDescriptor] { worker->adopt(socketDescriptor); },
                              Qt::QueuedConnection);
}

} // namespace tenovos::sandbox
