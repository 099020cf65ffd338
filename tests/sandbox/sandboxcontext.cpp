#include "sandboxcontext.h"

#include "sandboxlogging.h"
#include "statereader.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QMutexLocker>

namespace tenovos::sandbox {

namespace {

void removeFiles(const QStringList &paths)
{
    for (const QString &path : paths) {
        if (QFile::exists(path) && !QFile::remove(path))
            qCWarning(lcSandbox).noquote() << "Could not remove the replaced file" << path;
    }
}

} // namespace

SandboxContext::SandboxContext(const SandboxConfig &config, const QString &dataDirectory, bool persistent)
    : dataDirectory(dataDirectory)
    , assets(dataDirectory)
    , m_config(config)
{
    if (persistent)
        m_stateFile.emplace(dataDirectory);
    sessions.setChangeHandler([this] { saveState(); });
    assets.setChangeHandler([this] { saveState(); });
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

QString SandboxContext::stateFilePath() const
{
    return m_stateFile ? m_stateFile->path() : QString();
}

quint16 SandboxContext::restoredPort() const
{
    return m_restoredPort;
}

bool SandboxContext::restoreState(QString *error)
{
    QMutexLocker locker(&m_stateMutex);
    if (!m_stateFile || !m_stateFile->exists())
        return true;

    const std::optional<QJsonObject> state = m_stateFile->read(error);
    if (!state) {
        m_stateFile.reset();
        return false;
    }

    StateReader reader;
    const qint64 savedPort = reader.integer(*state, QString(), "port");
    const QByteArray accessKeyId = reader.string(*state, QString(), "s3AccessKeyId").toLatin1();
    const QJsonObject sessionState = reader.object(*state, QString(), "sessions");
    const QJsonArray assetState = reader.array(*state, QString(), "assets");
    if (reader.ok() && (savedPort < 0 || savedPort > 65535))
        reader.fail(QStringLiteral("port"), QStringLiteral("is not from 0 to 65535"));
    if (reader.ok())
        sessions.restoreState(sessionState, &reader);
    if (reader.ok())
        assets.restoreState(assetState, &reader);
    if (!reader.ok()) {
        *error = m_stateFile->invalidMessage(reader.error());
        m_stateFile.reset();
        return false;
    }

    m_restoredPort = static_cast<quint16>(savedPort);
    assets.removeUnreferencedFiles();
    if (accessKeyId != config().s3AccessKeyId) {
        qCWarning(lcSandbox).noquote() << "The S3 access key id differs from the one the saved URLs were signed with;"
                                       << "those URLs will fail with InvalidAccessKeyId";
    }
    qCInfo(lcSandbox).noquote() << "Restored the state from" << QDir::toNativeSeparators(m_stateFile->path())
                                << "with sessions:" << sessions.sessionCount() << "assets:" << assets.assetCount()
                                << "open uploads:" << assets.openUploadCount();
    return true;
}

void SandboxContext::saveState()
{
    QMutexLocker locker(&m_stateMutex);
    if (!m_stateFile) {
        removeFiles(assets.takeObsoleteFiles());
        return;
    }

    QStringList obsoleteFiles;
    const QJsonObject state{{QStringLiteral("savedAt"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                            {QStringLiteral("port"), port.load()},
                            {QStringLiteral("s3AccessKeyId"), QString::fromLatin1(config().s3AccessKeyId)},
                            {QStringLiteral("sessions"), sessions.toState()},
                            {QStringLiteral("assets"), assets.toState(&obsoleteFiles)}};
    QString error;
    if (m_stateFile->write(state, &error)) {
        if (m_failedSaves > 0) {
            qCInfo(lcSandbox).noquote() << "Saved the state file again after" << m_failedSaves << "failed saves";
            m_failedSaves = 0;
        }
    } else if (m_failedSaves++ == 0) {
        // Logged once per run of failures, because every request would repeat it.
        qCWarning(lcSandbox).noquote() << QStringLiteral("Could not save the state file %1 (%2); a restart loses the "
                                                         "changes since the last save. Check free space and "
                                                         "permissions of the data folder.")
                                              .arg(QDir::toNativeSeparators(m_stateFile->path()), error);
    }
    removeFiles(obsoleteFiles);
}

} // namespace tenovos::sandbox
