#pragma once

#include <QMetaType>
#include <QObject>
#include <QString>
#include <QUrl>

#include <qt6keychain/keychain.h>

namespace tenovos {

// The secrets "Remember me" keeps in the OS keychain for one account.
struct StoredCredentials
{
    QString apiKey;
    QString refreshToken;
};

// Keeps the API key and refresh token of remembered accounts in the OS
// keychain (Secret Service on Linux, Keychain on macOS, Credential Manager
// on Windows) through QtKeychain, never in a settings file. Every call is
// asynchronous and ends with exactly one of its two signals. QtKeychain
// runs the jobs one after another in the order they were started.
class CredentialStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CredentialStore)

public:
    explicit CredentialStore(const QString &serviceName = defaultServiceName(), QObject *parent = nullptr);

    // "Tenovos Uploader": the keychain service the window's entries are kept under.
    static QString defaultServiceName();
    QString serviceName() const { return m_serviceName; }

    // The keychain key of an account: one entry per user name and API URL.
    static QString accountKey(const QUrl &apiUrl, const QString &username);

    void read(const QString &key);
    void write(const QString &key, const tenovos::StoredCredentials &credentials);
    void remove(const QString &key);

Q_SIGNALS:
    void readFinished(const QString &key, const tenovos::StoredCredentials &credentials);
    // error is QKeychain::EntryNotFound when nothing is stored under key.
    void readFailed(const QString &key, QKeychain::Error error, const QString &message);
    void writeFinished(const QString &key);
    void writeFailed(const QString &key, QKeychain::Error error, const QString &message);
    void removeFinished(const QString &key);
    void removeFailed(const QString &key, QKeychain::Error error, const QString &message);

private:
    QString m_serviceName;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::StoredCredentials)
