#include "filecollector.h"

#include <QDir>
#include <QFileInfo>
#include <QHash>
#include <QSet>

namespace tenovos {

namespace {

// Maximum number of symbolic links followed before the chain counts as a
// loop, the same limit Linux applies when it resolves a path (40).
constexpr int kMaxLinkHops = 40;

// One path that reached a file, in the order found.
struct Candidate
{
    QString path;
    QString key; // canonical path, or the path as given when it has none
    bool isSymLink = false;
};

struct Collection
{
    QList<Candidate> candidates;
    QSet<QString> seenFolders;      // canonical paths
    QStringList deferredFolders;    // folders reached through a symbolic link
    QStringList *warnings = nullptr;
};

QString native(const QString &path)
{
    return QDir::toNativeSeparators(path);
}

// Describes why the symbolic link at path leads nowhere: a loop or a
// missing target.
QString brokenLinkWarning(const QString &path)
{
    QSet<QString> visited;
    QString current = QFileInfo(path).absoluteFilePath();
    for (int hop = 0; QFileInfo(current).isSymLink(); ++hop) {
        if (visited.contains(current) || hop >= kMaxLinkHops) {
            return FileCollector::tr("Skipping \"%1\": it is a symbolic link loop. Point the link "
                                     "at a file or remove it.")
                .arg(native(path));
        }
        visited.insert(current);
        current = QFileInfo(current).symLinkTarget();
    }
    return FileCollector::tr("Skipping \"%1\": it is a broken symbolic link to \"%2\", which does "
                             "not exist.")
        .arg(native(path), native(QFileInfo(path).symLinkTarget()));
}

void addFile(const QString &path, Collection *collection)
{
    const QFileInfo info(path);
    const QString canonical = info.canonicalFilePath();
    collection->candidates.append(
        Candidate{path, canonical.isEmpty() ? QDir::cleanPath(path) : canonical, info.isSymLink()});
}

void addFolder(const QString &path, Collection *collection);

// Searches a folder now, or after the real folders when the path is a
// symbolic link, so that a folder reached both ways is listed under its
// real path.
void visitFolder(const QString &path, Collection *collection)
{
    if (QFileInfo(path).isSymLink())
        collection->deferredFolders.append(path);
    else
        addFolder(path, collection);
}

void addFolder(const QString &path, Collection *collection)
{
    const QString canonical = QFileInfo(path).canonicalFilePath();
    if (canonical.isEmpty())
        return;
    if (collection->seenFolders.contains(canonical)) {
        if (QFileInfo(path).isSymLink()) {
            collection->warnings->append(
                FileCollector::tr("Skipping folder \"%1\": it is a symbolic link to \"%2\", which "
                                  "is searched already.")
                    .arg(native(path), native(canonical)));
        }
        return;
    }
    collection->seenFolders.insert(canonical);

    const QDir folder(path);
    if (!folder.isReadable()) {
        collection->warnings->append(
            FileCollector::tr("Skipping folder \"%1\": it cannot be read.").arg(native(path)));
        return;
    }
    // Without QDir::Hidden, hidden entries are left out. QDir::System lists
    // broken symbolic links, so they can be reported. Unreadable files stay
    // in, so the upload reports them instead of skipping them silently.
    const QFileInfoList entries = folder.entryInfoList(
        QDir::Files | QDir::Dirs | QDir::System | QDir::NoDotAndDotDot,
        QDir::Name | QDir::DirsLast);
    for (const QFileInfo &entry : entries) {
        if (entry.fileName().startsWith(QLatin1Char('.')))
            continue;
        if (entry.isSymLink() && !entry.exists())
            collection->warnings->append(brokenLinkWarning(entry.filePath()));
        else if (entry.isDir())
            visitFolder(entry.filePath(), collection);
        else if (entry.isFile())
            addFile(entry.filePath(), collection);
        // FIFOs, sockets and device files are not uploaded.
    }
}

// Keeps one path per file: the first that is not a symbolic link, else the
// first. The other paths are reported as skipped duplicates.
QStringList chooseOnePathPerFile(const Collection &collection)
{
    QHash<QString, qsizetype> chosen; // key -> index into candidates
    for (qsizetype i = 0; i < collection.candidates.size(); ++i) {
        const Candidate &candidate = collection.candidates.at(i);
        const auto found = chosen.constFind(candidate.key);
        if (found == chosen.constEnd())
            chosen.insert(candidate.key, i);
        else if (collection.candidates.at(found.value()).isSymLink && !candidate.isSymLink)
            chosen.insert(candidate.key, i);
    }

    QStringList files;
    for (qsizetype i = 0; i < collection.candidates.size(); ++i) {
        const Candidate &candidate = collection.candidates.at(i);
        const Candidate &kept = collection.candidates.at(chosen.value(candidate.key));
        if (chosen.value(candidate.key) == i) {
            files.append(candidate.path);
        } else if (QDir::cleanPath(candidate.path) != QDir::cleanPath(kept.path)) {
            // The same path given twice is dropped without a warning.
            collection.warnings->append(
                FileCollector::tr("Skipping \"%1\": it is the same file as \"%2\", which is "
                                  "uploaded once under that name.")
                    .arg(native(candidate.path), native(kept.path)));
        }
    }
    return files;
}

} // namespace

QStringList FileCollector::collect(const QStringList &paths, QStringList *warnings)
{
    Collection collection;
    collection.warnings = warnings;
    for (const QString &path : paths) {
        if (QFileInfo(path).isDir())
            visitFolder(path, &collection);
        else
            addFile(path, &collection);
    }
    // Searching a deferred folder may defer more folders.
    for (qsizetype i = 0; i < collection.deferredFolders.size(); ++i)
        addFolder(collection.deferredFolders.at(i), &collection);
    return chooseOnePathPerFile(collection);
}

} // namespace tenovos
