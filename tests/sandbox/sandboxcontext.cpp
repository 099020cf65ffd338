#include "sandboxcontext.h"

#include <QMutexLocker>

namespace tenovos::sandbox {

SandboxContext::SandboxContext(const SandboxConfig &config, const QString &dataDirectory)
    : dataDirectory(dataDirectory)
    , assets(dataDirectory)
    , m_config(config)
{
}

SandboxConfig SandboxContext::config() const
{
    QMutexLocker locker(&m_configMutex);
    return m_config;
}

void SandboxContext::setConfig(const SandboxConfig &config)
{
    QMutexLocker locker(&m_configMutex);
    m_config = config;
}

SigV4Credentials SandboxContext::s3Credentials() const
{
    const SandboxConfig current = config();
    SigV4Credentials credentials;
    credentials.accessKeyId = current.s3AccessKeyId;
    credentials.secretAccessKey = current.s3SecretAccessKey;
    credentials.sessionToken = current.s3SessionToken;
    credentials.region = current.s3Region;
    return credentials;
}

QByteArray SandboxContext::hostAndPort() const
{
    return "127.0.0.1:" + QByteArray::number(port.load());
}

QByteArray SandboxContext::origin() const
{
    return "http://" + hostAndPort();
}

} // namespace tenovos::sandbox
