#pragma once

#include "assetstore.h"
#include "faultinjector.h"
#include "sandboxconfig.h"
#include "sessionstore.h"
#include "sigv4.h"

#include <QMutex>

#include <atomic>
#include <functional>

namespace tenovos::sandbox {

// The state every connection of one SandboxServer shares, on whichever
// worker thread it runs. Each member guards itself.
class SandboxContext
{
public:
    SandboxContext(const SandboxConfig &config, const QString &dataDirectory);

    SandboxConfig config() const;
    void setConfig(const SandboxConfig &config);
    SigV4Credentials s3Credentials() const;

    // "127.0.0.1:PORT", the Host of every URL the sandbox hands out.
    QByteArray hostAndPort() const;
    // "http://127.0.0.1:PORT"
    QByteArray origin() const;

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
};

} // namespace tenovos::sandbox
