#include "uploadfixture.h"

#include "democatalog.h"

#include <QCryptographicHash>
#include <QDeadlineTimer>
#include <QFile>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QSignalSpy>

namespace tenovos::testing {

SourceFile writeSourceFile(const QString &path, qint64 size, quint32 seed)
{
    constexpr qint64 kChunk = 1024 * 1024;
    SourceFile source;
    source.path = path;
    source.size = size;
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return source;
    QRandomGenerator generator(seed);
    QCryptographicHash hash(QCryptographicHash::Md5);
    QByteArray chunk;
    qint64 remaining = size;
    while (remaining > 0) {
        const qint64 length = qMin(remaining, kChunk);
        chunk.resize(length);
        generator.fillRange(reinterpret_cast<quint32 *>(chunk.data()), length / 4);
        for (qint64 i = length / 4 * 4; i < length; ++i)
            chunk[i] = char(generator.generate() & 0xff);
        if (file.write(chunk) != length)
            return source;
        hash.addData(chunk);
        remaining -= length;
    }
    source.md5 = hash.result().toHex();
    return source;
}

UploadBatch productPhotoBatch()
{
    using tenovos::sandbox::DemoCatalog;
    const QString templateId = QString::fromLatin1(DemoCatalog::productPhotoTemplateId);
    UploadBatch batch;
    batch.securityTemplateIds = {QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)};
    batch.metadataTemplateId = templateId;
    for (const auto &group : DemoCatalog::instance().metadataTemplate(templateId)->groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.required) {
                batch.metadata.append(QJsonObject{{QStringLiteral("metadataDefinitionId"), attribute.id},
                                                  {QStringLiteral("metadataDefinitionValue"),
                                                   QStringLiteral("Reliability test")}});
            }
        }
    }
    return batch;
}

bool waitUntil(QSignalSpy &spy, const std::function<bool()> &condition, int timeoutMs)
{
    QDeadlineTimer deadline(timeoutMs);
    while (!condition()) {
        if (deadline.hasExpired())
            return false;
        spy.wait(int(qMax<qint64>(1, qMin<qint64>(200, deadline.remainingTime()))));
    }
    return true;
}

} // namespace tenovos::testing
