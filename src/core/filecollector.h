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
    // folders. A folder reached again through a symbolic link (a loop or a
    // second route) is searched once. Other paths, missing ones included,
    // are kept as given, so the upload reports them. Each file appears once,
    // and folders that cannot be read are added to *warnings.
    static QStringList collect(const QStringList &paths, QStringList *warnings);
};

} // namespace tenovos
