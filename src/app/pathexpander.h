#pragma once

#include <QList>
#include <QMetaType>
#include <QObject>
#include <QString>
#include <QStringList>

namespace tenovos {

// The reason a collected file cannot be uploaded.
enum class FileProblem {
    None,
    Missing,    // not found, such as a path given on the command line or deleted since
    Unreadable, // no permission to read it
    NotRegular, // a device, pipe or socket
    TooLarge,   // over UploadTask::kMaxFileSize, the largest file Tenovos accepts
};

// A file found by PathExpander, with its size and problem read in the
// worker thread, so the GUI thread never calls stat().
struct CollectedFile
{
    QString path;
    qint64 size = -1; // bytes; -1 when the file is missing or unreadable
    FileProblem problem = FileProblem::None;
};

using CollectedFileList = QList<CollectedFile>;

// Expands dropped or chosen paths into the files to upload, off the GUI
// thread, because folders may sit on slow network shares. Folders are
// searched recursively, hidden files and folders are skipped and a folder
// reached again through a symbolic link is searched once (FileCollector).
// Each expand() call ends with exactly one expanded() signal, delivered in
// the expander's thread.
class PathExpander : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PathExpander)

public:
    explicit PathExpander(QObject *parent = nullptr);
    ~PathExpander() override;

    void expand(const QStringList &paths);
    // Expansions started and not yet reported.
    int pendingCount() const { return m_pending; }

    // The blocking work of expand(), for the worker thread.
    static CollectedFileList collect(const QStringList &paths, QStringList *warnings);
    // Reads the size of the file at path and checks that it can be uploaded.
    static CollectedFile inspect(const QString &path);

Q_SIGNALS:
    // warnings name the folders that could not be read.
    void expanded(const tenovos::CollectedFileList &files, const QStringList &warnings);
    void pendingCountChanged(int count);

private:
    int m_pending = 0;
};

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::CollectedFile)
