#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>

namespace tenovos {

// Expands the paths of the command line into the files to upload.
class FileCollector
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::FileCollector)

public:
    // Searches folders recursively in name order and skips hidden files and
    // folders. Folders reached through a symbolic link are searched after
    // the real ones, and a folder reached twice (a loop or a second route) is
    // searched once. A file reached twice is returned once, under its first
    // path that is not a symbolic link, else under its first path. Other
    // paths given, missing ones included, are kept as given, so the upload
    // reports them. Skipped duplicates, broken symbolic links and symbolic
    // link loops inside folders, and folders that cannot be read are added
    // to *warnings, each naming the path.
    static QStringList collect(const QStringList &paths, QStringList *warnings);
};

} // namespace tenovos
