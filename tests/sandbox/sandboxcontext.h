#pragma once

#include "assetstore.h"
#include "faultinjector.h"
#include "sandboxconfig.h"
#include "sessionstore.h"
#include "sigv4.h"
#include "statefile.h"

#include <QMutex>

#include <atomic>
#include <functional>
#include <optional>

namespace tenovos::sandbox {

// The state every connection of one SandboxServer shares, on whichever
// worker thread it runs. Each member guards itself.
class SandboxContext
{
public:
    // With persistent true, sessions and assets are saved to the state file
    // in dataDirectory after each change; otherwise they live in memory only.
    SandboxContext(const SandboxConfig &config, const QString &dataDirectory, bool persistent);

    SandboxConfig config() const;
    void setConfig(const SandboxConfig &config);
    SigV4Credentials s3Credentials() const;

    // "127.0.0.1:PORT", the Host of every URL the sandbox hands out.
    QByteArray hostAndPort() const;
    // "http://127.0.0.1:PORT"
    QByteArray origin() const;

    // The state file's path; empty when the state lives in memory only.
    QString stateFilePath() const;
    // Loads the state file, if there is one, into the stores. On a problem
    // returns false with *error naming the file, and saves nothing from then
    // on, so the file stays as it was for inspection.
    bool restoreState(QString *error);
    // The port the restored state was last served on; 0 when none was restored.
    quint16 restoredPort() const;
    // Writes the state file (when persistent) and then removes the files
    // the saved state no longer refers to. Safe to call from any thread.
    void saveState();

    const QString dataDirectory;
    SessionStore sessions;
    AssetStore assets;
    FaultInjector faults;
    std::atomic<quint16> port{0};
    std::atomic<bool> acceptingConnections{false};

    // Called on the connection's thread when a request ends; status 0 when
    // the connection closed before a response. Set before listening.
    std::function<void(const QString &method, const QString &path, int status)> requestFinished;

private:
    mutable QMutex m_configMutex;
    SandboxConfig m_config;

    // Held while the state is taken, written and its obsolete files removed,
    // so saves run one at a time and the newest change is saved last.
    QMutex m_stateMutex;
    std::optional<StateFile> m_stateFile;
    quint16 m_restoredPort = 0;
    int m_failedSaves = 0;
};

} // namespace tenovos::sandbox
