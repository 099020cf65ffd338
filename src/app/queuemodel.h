#pragma once

#include "apierror.h"
#include "pathexpander.h"
#include "uploadtypes.h"

#include <QAbstractTableModel>
#include <QDateTime>
#include <QElapsedTimer>
#include <QHash>
#include <QList>
#include <QSet>
#include <QTimer>

#include <memory>
#include <vector>

namespace tenovos {

// The upload queue as the window shows it: one row per file, fed by the
// engine's signals (connect them queued, they arrive in the GUI thread).
//
// Engine signals only update the rows' data and mark them dirty. A 50 ms
// timer then emits one dataChanged() per run of adjacent dirty rows, so the
// view repaints at most about 20 times a second, however many parts report
// progress. Rows are found by task id through a hash, inserted in one batch
// per call and never reset for an update, so 10,000 rows stay smooth.
class QueueModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(QueueModel)

public:
    enum Column { FileColumn, SizeColumn, StateColumn, ProgressColumn, SpeedColumn, TimeLeftColumn, ColumnCount };

    enum Role {
        TaskIdRole = Qt::UserRole + 1,
        FilePathRole,
        // Progress in thousandths (0..1000) for ProgressDelegate, or -1 for no bar.
        ProgressRole,
        // QueueModel::Status as int.
        StatusRole,
    };

    // Row state shown in the State column: Ready until the row was handed to
    // the engine, then the engine's TaskState. NotUploadable rows (a
    // FileProblem found when the file was added) are never handed over.
    enum class Status { Ready, Queued, Creating, Uploading, Completing, Done, Failed, Cancelled, Paused, NotUploadable };

    struct Part
    {
        PartState state = PartState::Pending;
        qint64 sent = 0;
        qint64 total = 0;
    };

    struct Entry
    {
        QString id;
        QString filePath;    // empty for a metadata-only asset
        QString displayName; // file name, or the placeholder name of a metadata-only asset
        qint64 size = -1;    // bytes, -1 when unknown
        Status status = Status::Ready;
        FileProblem problem = FileProblem::None; // set while NotUploadable
        ApiError error; // set while Failed
        qint64 sent = 0;
        qint64 partSize = 0;
        QList<Part> parts;
        QString objectId;
        QString fileId;
        double speed = 0; // bytes per second, averaged over the last few seconds
        QDateTime waitingUntil; // next attempt while no server responds; invalid otherwise

        // Progress samples (milliseconds on the model's clock, bytes sent).
        QList<QPair<qint64, qint64>> samples;
        bool dirty = false;
        bool partsDirty = false;
    };

    // Totals over all rows, for the status bar.
    struct Summary
    {
        int rows = 0;
        int ready = 0;
        int active = 0; // queued, creating, uploading or completing
        int done = 0;
        int failed = 0;
        int cancelled = 0;
        int paused = 0;
        int notUploadable = 0;
        // Bytes of the rows handed to the engine and not cancelled. Done and
        // failed rows count as fully sent, because no work is left on them.
        qint64 bytesTotal = 0;
        qint64 bytesSent = 0;
        double speed = 0; // bytes per second, all uploading rows together
    };

    explicit QueueModel(QObject *parent = nullptr);
    ~QueueModel() override;

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Appends rows in one batch and returns their new ids: Ready rows, or
    // NotUploadable rows for files with a FileProblem. A file that is already
    // in the queue and not finished is skipped and counted in *duplicates
    // (if given).
    QStringList addFiles(const CollectedFileList &files, int *duplicates = nullptr);
    // Appends a Ready row for a metadata-only asset named name.
    QString addMetadataOnly(const QString &name);

    const Entry *entry(int row) const;
    const Entry *entryById(const QString &id) const;
    int rowOf(const QString &id) const; // -1 when unknown
    QStringList idsWithStatus(std::initializer_list<Status> statuses) const;

    // Marks Ready rows as handed to the engine (Queued).
    void markSubmitted(const QStringList &ids);
    // Removes rows at once; use it for rows the engine never saw, and
    // onTaskRemoved() for the others.
    void removeIds(const QStringList &ids);

    Summary summary() const;
    static QString statusText(Status status);
    // Plain-words message naming the file, its problem and the fix; empty
    // for FileProblem::None.
    static QString problemMessage(const QString &filePath, FileProblem problem);
    static bool isActive(Status status);
    static bool isFinal(Status status);

    // How often pending changes are emitted, in milliseconds.
    static constexpr int kFlushIntervalMs = 50;
    // Emits the pending dataChanged() ranges now instead of on the timer.
    void flush();

public Q_SLOTS:
    // Slots for the engine's signals of the same names.
    void onTaskStateChanged(const QString &id, tenovos::TaskState state, const tenovos::ApiError &error);
    void onTaskProgress(const QString &id, qint64 sent, qint64 total);
    void onTaskPartsPlanned(const QString &id, int partCount, qint64 partSize);
    void onPartProgress(const QString &id, int partNumber, qint64 sent, qint64 total);
    void onPartStateChanged(const QString &id, int partNumber, tenovos::PartState state);
    void onTaskWaitingForServer(const QString &id, const QDateTime &nextAttempt);
    void onTaskFinished(const QString &id, const tenovos::UploadResult &result);
    void onTaskRemoved(const QString &id);

Q_SIGNALS:
    // Emitted on a flush for each row whose parts changed.
    void partsChanged(const QString &id);
    // Emitted on a flush after the dataChanged() ranges, and after rows were
    // added or removed, so the status bar and actions can update.
    void summaryChanged();

private:
    Entry *find(const QString &id);
    void markDirty(Entry *entry, bool parts = false);
    void scheduleFlush();
    void reindexFrom(int row);
    void addSample(Entry *entry, qint64 now);
    void tickSpeeds();
    void setStatus(Entry *entry, Status status);
    QVariant displayData(const Entry &entry, int column) const;
    QVariant toolTip(const Entry &entry) const;
    // The entry's waitingUntil as local HH:mm:ss.
    static QString waitingTime(const Entry &entry);

    std::vector<std::unique_ptr<Entry>> m_entries;
    QHash<QString, int> m_rowById;
    // Paths of rows that are not finished, to skip a file dropped twice.
    QSet<QString> m_unfinishedPaths;
    QList<int> m_dirtyRows;
    QHash<QString, Entry *> m_uploading; // rows whose speed is measured
    QTimer m_flushTimer;
    QTimer m_speedTimer;
    QElapsedTimer m_clock;
    quint64 m_nextId = 1;
};

} // namespace tenovos
