#pragma once

#include "sandboxconfig.h"
#include "sigv4.h"

#include <QJsonArray>
#include <QObject>
#include <QStringList>
#include <QUrl>

#include <memory>

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
class SandboxServer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SandboxServer)

public:
    explicit SandboxServer(const SandboxConfig &config = SandboxConfig::demo(), QObject *parent = nullptr);
    ~SandboxServer() override;

    // Starts listening on 127.0.0.1; port 0 picks a free port. Returns false
    // with errorString() set when the config is invalid or the port is taken.
    bool listen(quint16 port = 0);
    // Stops listening and drops every open connection at once, as if the
    // network went away. listen() may be called again afterwards.
    void close();
    bool isListening() const;
    QString errorString() const;

    quint16 port() const;
    // http://127.0.0.1:PORT/v1
    QUrl baseUrl() const;
    // The folder holding uploaded bytes.
    QString dataDir() const;

    SandboxConfig config() const;
    // Applies new settings to the following requests; dataDir cannot change.
    // Returns false with *error set, and keeps the old settings, when invalid.
    bool setConfig(const SandboxConfig &config, QString *error = nullptr);
    // The credentials part URLs are signed with (from the config).
    SigV4Credentials s3Credentials() const;

    // Adds a fault rule (syntax in tests/sandbox/README.md); on a parse error
    // returns false and sets *error to a message naming the rule.
    bool addFault(const QString &rule, QString *error = nullptr);
    // Adds all rules or, when one fails to parse, none.
    bool addFaults(const QStringList &rules, QString *error = nullptr);
    void clearFaults();
    // [{"rule": TEXT, "selected": COUNT}, ...]
    QJsonArray faults() const;

    // Same JSON as GET /sandbox/assets.
    QJsonArray assets() const;
    // Hex MD5 of the current version's stored bytes; empty if there are none.
    QByteArray contentMd5(const QString &objectId) const;
    // The files holding the current version's bytes, in order; empty if none.
    QStringList contentFiles(const QString &objectId) const;
    // Multipart uploads neither completed nor cancelled.
    int openUploadCount() const;

Q_SIGNALS:
    // Emitted on the server's thread after each request. The path has no
    // query, and status is 0 when the connection closed before a response.
    void requestFinished(const QString &method, const QString &path, int status);

private:
    void dispatch(qintptr socketDescriptor);

    std::unique_ptr<QTemporaryDir> m_temporaryDir;
    std::shared_ptr<SandboxContext> m_context;
    SandboxListener *m_listener = nullptr;
    QList<QThread *> m_threads;
    QList<ConnectionWorker *> m_workers;
    qsizetype m_nextWorker = 0;
    QString m_errorString;
};

} // namespace tenovos::sandbox
