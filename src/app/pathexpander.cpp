#include "pathexpander.h"

#include "applogging.h"
#include "filecollector.h"
#include "uploadtask.h"

#include <QFileInfo>
#include <QFutureWatcher>
#include <QtConcurrent/QtConcurrentRun>

namespace tenovos {

namespace {

struct Expansion
{
    CollectedFileList files;
    QStringList warnings;
};

} // namespace

PathExpander::PathExpander(QObject *parent)
    : QObject(parent)
{
    qRegisterMetaType<tenovos::CollectedFileList>();
}

PathExpander::~PathExpander()
{
    // Watchers are children and die with this object. A collect() still
    // running in the pool finishes on its own and its result is dropped.
    // NOTE: FileCollector cannot be cancelled, so a scan of a large or slow
    // folder runs to its end, and QCoreApplication waits for it on exit.
}

CollectedFileList PathExpander::collect(const QStringList &paths, QStringList *warnings)
{
    const QStringList files = FileCollector::collect(paths, warnings);
    CollectedFileList collected;
    collected.reserve(files.size());
    for (const QString &path : files)
        collected.append(inspect(path));
    return collected;
}

CollectedFile PathExpander::inspect(const QString &path)
{
    CollectedFile file;
    file.path = path;
    const QFileInfo info(path);
    if (!info.exists()) {
        file.problem = FileProblem::Missing;
    } else if (!info.isFile()) {
        file.problem = FileProblem::NotRegular;
    } else if (!info.isReadable()) {
        file.problem = FileProblem::Unreadable;
    } else {
        file.size = info.size();
        if (file.size > UploadTask::kMaxFileSize)
            file.problem = FileProblem::TooLarge;
    }
    return file;
}

void PathExpander::expand(const QStringList &paths)
{
    ++m_pending;
    Q_EMIT pendingCountChanged(m_pending);

    auto *watcher = new QFutureWatcher<Expansion>(this);
    connect(watcher, &QFutureWatcher<Expansion>::finished, this, [this, watcher] {
        const Expansion expansion = watcher->result();
        watcher->deleteLater();
        --m_pending;
        qCDebug(lcUi) << "Expanded the paths; files found:" << expansion.files.size();
        Q_EMIT expanded(expansion.files, expansion.warnings);
        Q_EMIT pendingCountChanged(m_pending);
    });
    watcher->setFuture(QtConcurrent::run([paths] {
        Expansion expansion;
        expansion.files = collect(paths, &expansion.warnings);
        return expansion;
    }));
}

} // namespace tenovos
