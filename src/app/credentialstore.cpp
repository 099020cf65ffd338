#include "credentialstore.h"

#include "applogging.h"

#include <QJsonDocument>
#include <QJsonObject>

namespace tenovos {

namespace {

const QLatin1String kApiKeyField("apiKey");
const QLatin1String kRefreshTokenField("refreshToken");

} // namespace

CredentialStore::CredentialStore(const QString &serviceName, QObject *parent)
    : QObject(parent)
    , m_serviceName(serviceName)
{
    qRegisterMetaType<tenovos::StoredCredentials>();
}

QString CredentialStore::defaultServiceName()
{
    return QStringLiteral("Tenovos Uploader");
}

QString CredentialStore::accountKey(const QUrl &apiUrl, const QString &username)
{
    return QStringLiteral("%1 on %2")
        .arg(username, apiUrl.adjusted(QUrl::RemoveUserInfo | QUrl::RemoveQuery | QUrl::RemoveFragment
                                       | QUrl::StripTrailingSlash)
                           .toString());
}

void CredentialStore::read(const QString &key)
{
    auto *job = new QKeychain::ReadPasswordJob(m_serviceName, this);
    job->setKey(key);
    // Without a keychain, fail instead of writing secrets to a plain file.
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, job, key] {
        if (job->error() != QKeychain::NoError) {
            qCInfo(lcUi).noquote() << "Keychain read of" << key << "failed:" << job->errorString();
            Q_EMIT readFailed(key, job->error(), job->errorString());
            return;
        }
        const QJsonObject stored = QJsonDocument::fromJson(job->textData().toUtf8()).object();
        StoredCredentials credentials;
        credentials.apiKey = stored.value(kApiKeyField).toString();
        credentials.refreshToken = stored.value(kRefreshTokenField).toString();
        if (credentials.apiKey.isEmpty() || credentials.refreshToken.isEmpty()) {
            Q_EMIT readFailed(key, QKeychain::OtherError,
                              tr("The saved sign-in for %1 in the keychain is incomplete. Sign in again.")
                                  .arg(key));
            return;
        }
        Q_EMIT readFinished(key, credentials);
    });
    job->start();
}

// NOTE: Windows Credential Manager rejects an entry above 2560 bytes. A
// refresh token near that size makes the save fail there, and the window
// then reports that the sign-in was not saved.
void CredentialStore::write(const QString &key, const StoredCredentials &credentials)
{
    const QJsonObject stored{{kApiKeyField, credentials.apiKey}, {kRefreshTokenField, credentials.refreshToken}};
    auto *job = new QKeychain::WritePasswordJob(m_serviceName, this);
    job->setKey(key);
    job->setInsecureFallback(false);
    job->setTextData(QString::fromUtf8(QJsonDocument(stored).toJson(QJsonDocument::Compact)));
    connect(job, &QKeychain::Job::finished, this, [this, job, key] {
        if (job->error() != QKeychain::NoError) {
            qCWarning(lcUi).noquote() << "Keychain write of" << key << "failed:" << job->errorString();
            Q_EMIT writeFailed(key, job->error(), job->errorString());
            return;
        }
        qCDebug(lcUi).noquote() << "Saved the sign-in of" << key << "in the keychain";
        Q_EMIT writeFinished(key);
    });
    job->start();
}

void CredentialStore::remove(const QString &key)
{
    auto *job = new QKeychain::DeletePasswordJob(m_serviceName, this);
    job->setKey(key);
    job->setInsecureFallback(false);
    connect(job, &QKeychain::Job::finished, this, [this, job, key] {
        if (job->error() != QKeychain::NoError) {
            qCInfo(lcUi).noquote() << "Keychain delete of" << key << "failed:" << job->errorString();
            Q_EMIT removeFailed(key, job->error(), job->errorString());
            return;
        }
        qCInfo(lcUi).noquote() << "Removed the saved sign-in of" << key << "from the keychain";
        Q_EMIT removeFinished(key);
    });
    job->start();
}

} // namespace tenovos
