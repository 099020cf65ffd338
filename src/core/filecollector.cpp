#include "filecollector.h"

#include <QDir>
#include <QFileInfo>
#include <QSet>

namespace tenovos {

namespace {

struct Collection
{
    QStringList files;
    QSet<QString> seenFiles;   // canonical paths
    QSet<QString> seenFolders; // canonical paths
    QStringList *warnings = nullptr;
};

void addFile(const QString &path, Collection *collection)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    const QString key = canonical.isEmpty() ? path : canonical;
    if (collection->seenFiles.contains(key))
        return;
    collection->seenFiles.insert(key);
    collection->files.append(path);
}

void addFolder(const QString &path, Collection *collection)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty() || collection->seenFolders.contains(canonical))
        return;
    collection->seenFolders.insert(canonical);

    const QDir folder(path);
    if (!folder.isReadable()) {
        collection->warnings->append(
            FileCollector::tr("Skipping folder \"%1\": it cannot be read.")
                .arg(QDir::toNativeSeparators(path)));
        return;
    }
    // Without QDir::Hidden, hidden entries are left out. Unreadable files
    // stay in, so the upload reports them instead of skipping them silently.
    const QFileInfoList entries = folder.entryInfoList(
        QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot, QDir::Name | QDir::DirsLast);
    for (const QFileInfo &entry : entries) {
        if (entry.fileName().startsWith(QLatin1Char('.')))
            continue;
        if (entry.isDir())
            addFolder(entry.filePath(), collection);
        else if (entry.isFile())
            addFile(entry.filePath(), collection);
    }
}

} // namespace

QStringList FileCollector::collect(const QStringList &paths, QStringList *warnings)
{
    Collection collection;
    collection.warnings = warnings;
    for (const QString &path : paths) {
        const QFileInfo info(path);
        if (info.isDir())
            addFolder(path, &collection);
        else
            addFile(path, &collection);
    }
    return collection.files;
}

} // namespace tenovos
