#include "sandboxconfig.h"

#include "sigv4.h"

namespace tenovos::sandbox {

SandboxConfig SandboxConfig::demo()
{
    return SandboxConfig();
}

QString SandboxConfig::validate() const
{
    // S3 numbers parts 1 to 10,000 and never accepts a part above 5 GiB.
    constexpr qint64 maxPartSize = 5368709120;
    if (apiKey.isEmpty())
        return QStringLiteral("The API key is empty; set a non-empty API key.");
    if (username.isEmpty() || password.isEmpty())
        return QStringLiteral("The username or password is empty; set both.");
    if (partSize < 1 || partSize > maxPartSize)
        return QStringLiteral("The part size %1 is out of range; use 1 to %2 bytes.").arg(partSize).arg(maxPartSize);
    if (minPartSize < 0 || minPartSize > partSize)
        return QStringLiteral("The minimum part size %1 is out of range; use 0 to the part size (%2 bytes).")
            .arg(minPartSize)
            .arg(partSize);
    if (multipartThreshold < 0)
        return QStringLiteral("The multipart threshold %1 is negative; use 0 or more bytes.").arg(multipartThreshold);
    if (maxFileSize < 0)
        return QStringLiteral("The maximum file size %1 is negative; use 0 or more bytes.").arg(maxFileSize);
    if (urlLifetimeSeconds > sigv4::maxExpiresSeconds)
        return QStringLiteral("The URL lifetime %1 s exceeds the 604800 s (7 days) S3 allows.").arg(urlLifetimeSeconds);
    if (s3AccessKeyId.isEmpty() || s3SecretAccessKey.isEmpty())
        return QStringLiteral("The S3 access key id or secret is empty; set both.");
    return {};
}

} // namespace tenovos::sandbox
