#pragma once

#include "sandboxconfig.h"
#include "sigv4.h"

#include <QJsonArray>
#include <QMap>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

class QLockFile;
class QTemporaryDir;
class QThread;

namespace tenovos::sandbox {

class ConnectionWorker;
class SandboxContext;
class SandboxListener;

// A local Tenovos-compatible server for tests and demos. It serves the REST
// API under /v1, accepts part uploads at S3-style presigned URLs that it signs
// and verifies, stores what it receives on disk and can inject faults. It
// listens on 127.0.0.1 only; connections run on a few worker threads, so the
// thread that owns the server only accepts them.
//
// With SandboxConfig::dataDir set, sessions, assets and uploads are saved to
// a state file in that folder after each change and loaded again by the next
// server on the folder. So a sandbox that is killed and started again on the
// same folder and port serves the same tokens, URLs and received parts.
class SandboxServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxServer)

public:
    // Loads the state file when config.dataDir contains one. A problem with
    // the folder or the file makes listen() fail with errorString() naming it.
    explicit SandboxServer(const SandboxConfig &config = SandboxConfig::demo(), QObject *parent = nullptr);
    ~SandboxServer() override;

    // Starts listening on 127.0.0.1; port 0 picks a free port. Returns false
    // with errorString() set when the config, the data folder or its state
    // file is invalid, or the port is taken.
    bool listen(quint16 port = 0);
    // Stops listening and drops every open connection at once, as if the
    // network went away; a PUT cut off this way stores nothing. All state is
    // kept, and listen() may be called again, also on the same port.
    void close();
    bool isListening() const;
    QString errorString() const;

    quint16 port() const;
    // http://127.0.0.1:PORT/v1
    QUrl baseUrl() const;
    // The folder holding uploaded bytes.
    QString dataDir() const;
    // The state file in dataDir(). Empty when the state lives in memory only,
    // because the config has no dataDir or the state file could not be loaded.
    QString stateFilePath() const;

    SandboxConfig config() const;
    // Applies new settings to the following requests; dataDir cannot change.
    // A faultSeed other than the current one restarts the random sequences
    // as setFaultSeed() does. Returns false with *error set, and keeps the
    // old settings, when invalid.
    bool setConfig(const SandboxConfig &config, QString *error = nullptr);
    // The credentials part URLs are signed with (from the config).
    SigV4Credentials s3Credentials() const;

    // Adds a fault rule (syntax in tests/sandbox/README.md); on a parse error
    // returns false and sets *error to a message naming the rule.
    bool addFault(const QString &rule, QString *error = nullptr);
    // Adds all rules or, when one fails to parse, none.
    bool addFaults(const QStringList &rules, QString *error = nullptr);
    void clearFaults();
    // Restarts the random sequence of every rule with ~P or the random
    // action from this seed, so the same requests get the same faults again.
    void setFaultSeed(quint64 seed);
    quint64 faultSeed() const;
    // [{"rule": TEXT, "selected": COUNT, "hits": COUNT, "applied": [{"request": N, "action": TEXT}]}, ...]
    QJsonArray faults() const;
    // How many requests each rule has applied to, in the order of faults().
    QList<int> faultHits() const;

    // Same JSON as GET /sandbox/assets.
    QJsonArray assets() const;
    // Hex MD5 of the current version's stored bytes; empty if there are none.
    QByteArray contentMd5(const QString &objectId) const;
    // The files holding the current version's bytes, in order; empty if none.
    QStringList contentFiles(const QString &objectId) const;
    // Multipart uploads neither completed nor cancelled.
    int openUploadCount() const;
    // PUTs received per part number (1 for a single upload) of the version
    // with this file id, counted as they arrive, whatever their outcome.
    QMap<int, int> putCounts(const QString &fileId) const;

Q_SIGNALS:
    // Emitted on the server's thread after each request. The path has no
    // query, and status is 0 when the connection closed before a response.
    void requestFinished(const QString &method, const QString &path, int status);

private:
    void dispatch(qintptr socketDescriptor);

    // Creates (or, with a dataDir, locks) the data folder and returns its
    // path; sets m_startError on a problem.
    QString openDataDirectory(const SandboxConfig &config);
    // Locks a dataDir for this server; another sandbox on it would overwrite its state file.
    bool lockDataDirectory(const QString &directory);

    std::unique_ptr<QTemporaryDir> m_temporaryDir;
    std::unique_ptr<QLockFile> m_lock;
    std::shared_ptr<SandboxContext> m_context;
    SandboxListener *m_listener = nullptr;
    QList<QThread *> m_threads;
    QList<ConnectionWorker *> m_workers;
    qsizetype m_nextWorker = 0;
    QString m_errorString;
    // Set by the constructor when the data folder or its state file is
    // unusable; listen() then fails with this message.
    QString m_startError;
};

} // namespace tenovos::sandbox
