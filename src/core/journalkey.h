#pragma once

#include <QByteArray>
#include <QString>

#include <functional>

namespace tenovos {

// The master key of one journal folder, or why there is none.
struct JournalKeyResult
{
    QByteArray key;  // JournalSealer::kKeySize bytes; empty on failure
    QString problem; // for the log, without secrets; empty on success

    bool isOk() const { return !key.isEmpty(); }
};

// The source of the master key UploadJournal::open() uses for its folder.
// It is called once per open(), in the journal's thread, and may block.
using JournalKeySource = std::function<JournalKeyResult(const QString &directory)>;

// Keeps one random 32-byte master key per journal folder in the OS keychain
// (Secret Service on Linux, Keychain on macOS, Credential Manager on
// Windows) through QtKeychain. The entry is named keyName(directory), so
// programs and tests with their own data folders never share or overwrite a
// key, and is stored under the same service as the window's remembered
// sign-ins.
//
// QtKeychain queues all jobs of a process in one object that is not thread
// safe, and the window starts its own jobs from the main thread. So every
// job here is started in the QCoreApplication's thread as well, and a caller
// in another thread (the engine thread) blocks until the job ends or the
// timeout passes.
class JournalKeychain
{
public:
    // NOTE: a locked desktop keyring that prompts for its password can take
    // longer than this, and the journal then runs without a key.
    static constexpr int kDefaultTimeoutMs = 10000;

    // "Tenovos Uploader", equal to CredentialStore::defaultServiceName().
    static QString defaultServiceName();

    // "upload-journal-key/" followed by the first 16 hex digits of the
    // SHA-256 of the folder's canonical path (its absolute path when the
    // folder does not exist).
    static QString keyName(const QString &directory);

    explicit JournalKeychain(const QString &serviceName = defaultServiceName(),
                             int timeoutMs = kDefaultTimeoutMs);

    QString serviceName() const { return m_serviceName; }

    // Reads the folder's key. When the keychain has no entry for it, or one
    // that is not a key, creates a random key, stores it and returns it.
    // Any other keychain error, or no reply within the timeout, returns
    // the problem and stores nothing, so a key that is there but cannot be
    // read now is not replaced.
    JournalKeyResult fetchOrCreate(const QString &directory) const;

    // Deletes the folder's key. Returns an empty string on success or when
    // there was none, else the problem.
    QString remove(const QString &directory) const;

    // fetchOrCreate() of this keychain as a JournalKeySource.
    JournalKeySource source() const;

private:
    QString m_serviceName;
    int m_timeoutMs;
};

} // namespace tenovos
