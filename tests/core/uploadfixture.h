#pragma once

// Helpers shared by the log, soak and network tests: seeded source files, a
// batch the sandbox accepts, and waiting on a condition while the event loop
// runs.

#include "uploadtypes.h"

#include <QByteArray>
#include <QString>

#include <functional>

class QSignalSpy;

namespace tenovos::testing {

struct SourceFile
{
    QString path;
    QByteArray md5; // hex
    qint64 size = 0;
};

// Writes size bytes of seeded random data and returns their MD5; an empty md5
// means the file could not be written.
SourceFile writeSourceFile(const QString &path, qint64 size, quint32 seed);

// A batch with the "Product Photo" template of the sandbox's demo catalog
// and its one required attribute filled in.
UploadBatch productPhotoBatch();

// Runs the event loop until condition() is true or timeoutMs pass, waking up
// on each signal the spy records. Returns false when the time runs out.
bool waitUntil(QSignalSpy &spy, const std::function<bool()> &condition, int timeoutMs);

} // namespace tenovos::testing
