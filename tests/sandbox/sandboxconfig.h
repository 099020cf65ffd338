#pragma once

#include <QByteArray>
#include <QString>

namespace tenovos::sandbox {

// Settings of a SandboxServer. A default-constructed config contains the
// demo values listed in tests/sandbox/README.md, like SandboxConfig::demo().
struct SandboxConfig
{
    // Credentials the REST API accepts.
    QString apiKey = QStringLiteral("sandbox-demo-key");
    QString username = QStringLiteral("demo@example.com");
    QString password = QStringLiteral("demo-password");

    // Multipart rules, in bytes. Tenovos fixes the part size at 100 MiB; tests
    // lower it together with minPartSize to keep files small.
    qint64 partSize = 104857600;
    qint64 multipartThreshold = 5242880;
    qint64 minPartSize = 5242880;
    qint64 maxFileSize = 5368709120;

    // Lifetimes in seconds. Zero or less mints access tokens or presigned URLs
    // that have already expired, so tests need not wait.
    int accessTokenLifetimeSeconds = 3600;
    int refreshTokenLifetimeSeconds = 30 * 24 * 3600;
    int urlLifetimeSeconds = 86400;

    // GET /security/template is an administrator call, so true makes it return 403.
    bool securityTemplateListForbidden = false;

    // Folder for uploaded bytes and the state file (sandbox-state.json),
    // which keeps sessions, assets and uploads across restarts. Empty means
    // a temporary folder owned by the server and removed with it, with the
    // state in memory only. Read once, when the server is constructed.
    QString dataDir;

    // Seed of the random fault rules (~P and the random action); the same
    // seed gives the same faults for the same requests.
    quint64 faultSeed = 0;

    // Fake AWS credentials the presigned part URLs are signed with. The
    // session token contains '+', '/' and '=' so that a client which
    // re-encodes the URL breaks its signature, as it would on S3.
    QByteArray s3AccessKeyId = QByteArrayLiteral("ASIASANDBOXDEMO00001");
    QByteArray s3SecretAccessKey = QByteArrayLiteral("sandboxDemoSecret/Key+0000000000000000000=");
    QByteArray s3SessionToken = QByteArrayLiteral(
        "IQoJb3JpZ2luX2VjEFAKE//////////wEaCXVzLWVhc3QtMSJGMEQCIHNhbmRib3g+dG9rZW4/Zm9yK3Rlc3Rz==");
    QByteArray s3Region = QByteArrayLiteral("us-east-1");

    static SandboxConfig demo();

    // Returns an empty string when the values are usable, else a message
    // naming the first bad value.
    QString validate() const;
};

} // namespace tenovos::sandbox
