#include "queuemodel.h"

#include "displayformat.h"

#include <QApplication>
#include <QDir>
#include <QFileInfo>
#include <QLocale>
#include <QStyle>

#include <algorithm>

namespace tenovos {

namespace {

// Speed is averaged over the progress reported in this window.
constexpr qint64 kSpeedWindowMs = 5000;
// While a file uploads, its speed is sampled at least this often, so a
// stalled transfer shows a falling speed instead of the last one.
constexpr int kSpeedTickMs = 1000;

QueueModel::Status statusFor(TaskState state)
{
    switch (state) {
    case TaskState::Queued:
        return QueueModel::Status::Queued;
    case TaskState::Creating:
        return QueueModel::Status::Creating;
    case TaskState::Uploading:
        return QueueModel::Status::Uploading;
    case TaskState::Completing:
        return QueueModel::Status::Completing;
    case TaskState::Done:
        return QueueModel::Status::Done;
    case TaskState::Failed:
        return QueueModel::Status::Failed;
    case TaskState::Cancelled:
        return QueueModel::Status::Cancelled;
    case TaskState::Paused:
        return QueueModel::Status::Paused;
    }
    return QueueModel::Status::Queued;
}

} // namespace

QueueModel::QueueModel(QObject *parent)
    : QAbstractTableModel(parent)
{
    m_clock.start();
    m_flushTimer.setSingleShot(true);
    m_flushTimer.setInterval(kFlushIntervalMs);
    connect(&m_flushTimer, &QTimer::timeout, this, &QueueModel::flush);
    m_speedTimer.setInterval(kSpeedTickMs);
    connect(&m_speedTimer, &QTimer::timeout, this, &QueueModel::tickSpeeds);
}

QueueModel::~QueueModel() = default;

int QueueModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : static_cast<int>(m_entries.size());
}

int QueueModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant QueueModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case FileColumn:
        return tr("File");
    case SizeColumn:
        return tr("Size");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    case SpeedColumn:
        return tr("Speed");
    case TimeLeftColumn:
        return tr("Time left");
    default:
        return QVariant();
    }
}

QVariant QueueModel::data(const QModelIndex &index, int role) const
{
    const Entry *row = entry(index.row());
    if (!row || index.column() < 0 || index.column() >= ColumnCount)
        return QVariant();

    switch (role) {
    case Qt::DisplayRole:
        return displayData(*row, index.column());
    case Qt::ToolTipRole:
        return toolTip(*row);
    case Qt::TextAlignmentRole:
        if (index.column() == SizeColumn || index.column() == SpeedColumn || index.column() == TimeLeftColumn)
            return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
        return QVariant();
    case Qt::DecorationRole:
        if (index.column() != StateColumn)
            return QVariant();
        if (row->status == Status::Done)
            return QApplication::style()->standardIcon(QStyle::SP_DialogApplyButton);
        if (row->status == Status::Failed || row->status == Status::NotUploadable)
            return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
        return QVariant();
    case TaskIdRole:
        return row->id;
    case FilePathRole:
        return row->filePath;
    case StatusRole:
        return static_cast<int>(row->status);
    case ProgressRole:
        if (index.column() != ProgressColumn || row->status == Status::Ready
            || row->status == Status::NotUploadable)
            return QVariant();
        if (row->status == Status::Done)
            return 1000;
        return DisplayFormat::permille(row->sent, row->size);
    default:
        return QVariant();
    }
}

QVariant QueueModel::displayData(const Entry &row, int column) const
{
    const bool uploading = row.status == Status::Uploading;
    switch (column) {
    case FileColumn:
        return row.displayName;
    case SizeColumn:
        return DisplayFormat::size(row.size);
    case StateColumn:
        if (uploading && row.waitingUntil.isValid()) {
            //: No server responds to the uploads; %1 is a local time such as 14:05:30
            return tr("No connection, next try %1").arg(waitingTime(row));
        }
        if (row.status == Status::Failed && !row.error.userMessage().isEmpty())
            return tr("Failed: %1").arg(row.error.userMessage());
        if (row.status == Status::NotUploadable)
            return tr("Not uploadable: %1").arg(problemMessage(row.filePath, row.problem));
        return statusText(row.status);
    case ProgressColumn:
        if (row.status == Status::Ready || row.status == Status::NotUploadable)
            return QString();
        //: Upload progress of one file, such as "45 %"
        return tr("%1 %").arg(row.status == Status::Done ? 100 : DisplayFormat::permille(row.sent, row.size) / 10);
    case SpeedColumn:
        return uploading && !row.waitingUntil.isValid() ? DisplayFormat::speed(row.speed) : QString();
    case TimeLeftColumn:
        return uploading && !row.waitingUntil.isValid() ? DisplayFormat::duration(DisplayFormat::secondsLeft(row.size - row.sent, row.speed))
                         : QString();
    default:
        return QVariant();
    }
}

QString QueueModel::waitingTime(const Entry &row)
{
    return QLocale().toString(row.waitingUntil.toLocalTime().time(), QStringLiteral("HH:mm:ss"));
}

QVariant QueueModel::toolTip(const Entry &row) const
{
    QStringList lines;
    lines.append(row.filePath.isEmpty() ? tr("Metadata-only asset \"%1\"").arg(row.displayName)
                                        : QDir::toNativeSeparators(row.filePath));
    if (row.status == Status::NotUploadable)
        lines.append(problemMessage(row.filePath, row.problem));
    if (row.status == Status::Uploading && row.waitingUntil.isValid()) {
        lines.append(tr("The server does not respond, so the upload waits and tries again at %1. "
                        "Check your network connection; parts already uploaded are kept.")
                         .arg(waitingTime(row)));
    }
    if (row.status == Status::Failed) {
        lines.append(row.error.userMessage());
        if (!row.error.serverMessage().isEmpty())
            lines.append(tr("Server message: %1").arg(row.error.serverMessage()));
    }
    if (!row.objectId.isEmpty())
        lines.append(tr("Object id: %1").arg(row.objectId));
    return lines.join(QLatin1Char('\n'));
}

QString QueueModel::statusText(Status status)
{
    switch (status) {
    case Status::Ready:
        return tr("Ready");
    case Status::Queued:
        return tr("Waiting");
    case Status::Creating:
        return tr("Creating asset");
    case Status::Uploading:
        return tr("Uploading");
    case Status::Completing:
        return tr("Finishing");
    case Status::Done:
        return tr("Done");
    case Status::Failed:
        return tr("Failed");
    case Status::Cancelled:
        return tr("Cancelled");
    case Status::Paused:
        return tr("Paused");
    case Status::NotUploadable:
        return tr("Not uploadable");
    }
    return QString();
}

QString QueueModel::problemMessage(const QString &filePath, FileProblem problem)
{
    const QString path = QDir::toNativeSeparators(filePath);
    switch (problem) {
    case FileProblem::None:
        return QString();
    case FileProblem::Missing:
        return tr("\"%1\" was not found. Check that the file still exists, then add it again.").arg(path);
    case FileProblem::Unreadable:
        return tr("\"%1\" cannot be read. Give yourself read permission on it, then add it again.").arg(path);
    case FileProblem::NotRegular:
        return tr("\"%1\" is not a regular file (such as a device, pipe or socket). Remove it from the "
                  "queue and add the file itself.")
            .arg(path);
    case FileProblem::TooLarge:
        return tr("\"%1\" is larger than 5 GiB, the largest file Tenovos accepts. Split or compress it, "
                  "then add the smaller files.")
            .arg(path);
    }
    return QString();
}

bool QueueModel::isActive(Status status)
{
    return status == Status::Queued || status == Status::Creating || status == Status::Uploading
        || status == Status::Completing;
}

bool QueueModel::isFinal(Status status)
{
    return status == Status::Done || status == Status::Failed || status == Status::Cancelled;
}

// --- Rows -------------------------------------------------------------------

QStringList QueueModel::addFiles(const CollectedFileList &files, int *duplicates)
{
    std::vector<std::unique_ptr<Entry>> added;
    added.reserve(files.size());
    int skipped = 0;
    for (const CollectedFile &file : files) {
        if (m_unfinishedPaths.contains(file.path)) {
            ++skipped;
            continue;
        }
        auto row = std::make_unique<Entry>();
        row->id = QStringLiteral("file-%1").arg(m_nextId++);
        row->filePath = file.path;
        row->displayName = QFileInfo(file.path).fileName();
        row->size = file.size;
        row->problem = file.problem;
        if (file.problem == FileProblem::None)
            m_unfinishedPaths.insert(file.path);
        else
            row->status = Status::NotUploadable; // not in m_unfinishedPaths: adding it again after a fix works
        added.push_back(std::move(row));
    }
    if (duplicates)
        *duplicates = skipped;

    QStringList ids;
    if (added.empty())
        return ids;

    flush();
    const int first = static_cast<int>(m_entries.size());
    const int last = first + static_cast<int>(added.size()) - 1;
    beginInsertRows(QModelIndex(), first, last);
    ids.reserve(static_cast<qsizetype>(added.size()));
    for (auto &row : added) {
        ids.append(row->id);
        m_rowById.insert(row->id, static_cast<int>(m_entries.size()));
        m_entries.push_back(std::move(row));
    }
    endInsertRows();
    Q_EMIT summaryChanged();
    return ids;
}

QString QueueModel::addMetadataOnly(const QString &name)
{
    flush();
    auto row = std::make_unique<Entry>();
    row->id = QStringLiteral("file-%1").arg(m_nextId++);
    row->displayName = name;
    row->size = 0;
    const QString id = row->id;
    const int position = static_cast<int>(m_entries.size());
    beginInsertRows(QModelIndex(), position, position);
    m_rowById.insert(id, position);
    m_entries.push_back(std::move(row));
    endInsertRows();
    Q_EMIT summaryChanged();
    return id;
}

const QueueModel::Entry *QueueModel::entry(int row) const
{
    if (row < 0 || row >= static_cast<int>(m_entries.size()))
        return nullptr;
    return m_entries[static_cast<size_t>(row)].get();
}

const QueueModel::Entry *QueueModel::entryById(const QString &id) const
{
    return entry(rowOf(id));
}

QueueModel::Entry *QueueModel::find(const QString &id)
{
    const int row = rowOf(id);
    return row < 0 ? nullptr : m_entries[static_cast<size_t>(row)].get();
}

int QueueModel::rowOf(const QString &id) const
{
    return m_rowById.value(id, -1);
}

QStringList QueueModel::idsWithStatus(std::initializer_list<Status> statuses) const
{
    QStringList ids;
    for (const auto &row : m_entries) {
        if (std::find(statuses.begin(), statuses.end(), row->status) != statuses.end())
            ids.append(row->id);
    }
    return ids;
}

void QueueModel::markSubmitted(const QStringList &ids)
{
    for (const QString &id : ids) {
        Entry *row = find(id);
        if (row && row->status == Status::Ready) {
            setStatus(row, Status::Queued);
            markDirty(row);
        }
    }
}

void QueueModel::removeIds(const QStringList &ids)
{
    QList<int> rows;
    rows.reserve(ids.size());
    for (const QString &id : ids) {
        const int row = rowOf(id);
        if (row >= 0)
            rows.append(row);
    }
    if (rows.isEmpty())
        return;

    // Pending ranges refer to the current row numbers: emit them first.
    flush();
    std::sort(rows.begin(), rows.end());
    rows.erase(std::unique(rows.begin(), rows.end()), rows.end());

    // Remove runs of adjacent rows from the bottom up, so the row numbers of
    // the runs still to remove stay valid.
    qsizetype end = rows.size();
    while (end > 0) {
        qsizetype begin = end - 1;
        while (begin > 0 && rows[begin - 1] == rows[begin] - 1)
            --begin;
        const int firstRow = rows[begin];
        const int lastRow = rows[end - 1];
        beginRemoveRows(QModelIndex(), firstRow, lastRow);
        for (int row = firstRow; row <= lastRow; ++row) {
            Entry *removed = m_entries[static_cast<size_t>(row)].get();
            m_rowById.remove(removed->id);
            m_uploading.remove(removed->id);
            if (!isFinal(removed->status) && removed->status != Status::NotUploadable
                && !removed->filePath.isEmpty())
                m_unfinishedPaths.remove(removed->filePath);
        }
        m_entries.erase(m_entries.begin() + firstRow, m_entries.begin() + lastRow + 1);
        endRemoveRows();
        end = begin;
    }
    reindexFrom(rows.first());
    if (m_uploading.isEmpty())
        m_speedTimer.stop();
    Q_EMIT summaryChanged();
}

void QueueModel::reindexFrom(int row)
{
    for (int each = row; each < static_cast<int>(m_entries.size()); ++each)
        m_rowById.insert(m_entries[static_cast<size_t>(each)]->id, each);
}

QueueModel::Summary QueueModel::summary() const
{
    Summary totals;
    totals.rows = static_cast<int>(m_entries.size());
    for (const auto &row : m_entries) {
        switch (row->status) {
        case Status::Ready:
            ++totals.ready;
            continue;
        case Status::Cancelled:
            ++totals.cancelled;
            continue;
        case Status::NotUploadable:
            ++totals.notUploadable;
            continue;
        case Status::Done:
            ++totals.done;
            break;
        case Status::Failed:
            ++totals.failed;
            break;
        case Status::Paused:
            ++totals.paused;
            break;
        default:
            ++totals.active;
            break;
        }
        const qint64 size = qMax<qint64>(0, row->size);
        totals.bytesTotal += size;
        const bool finished = row->status == Status::Done || row->status == Status::Failed;
        totals.bytesSent += finished ? size : qMin(row->sent, size);
        if (row->status == Status::Uploading)
            totals.speed += row->speed;
    }
    return totals;
}

// --- Engine signals ---------------------------------------------------------

void QueueModel::setStatus(Entry *row, Status status)
{
    if (row->status == status)
        return;
    const bool wasFinal = isFinal(row->status);
    const bool nowFinal = isFinal(status);
    if (!row->filePath.isEmpty()) {
        if (!wasFinal && nowFinal)
            m_unfinishedPaths.remove(row->filePath);
        else if (wasFinal && !nowFinal)
            m_unfinishedPaths.insert(row->filePath);
    }
    if (wasFinal && !nowFinal) {
        // retry(): the engine starts the file over.
        row->sent = 0;
        row->parts.clear();
        row->partsDirty = true;
        row->samples.clear();
        row->speed = 0;
    }
    row->status = status;
    row->waitingUntil = QDateTime();

    if (status == Status::Uploading) {
        m_uploading.insert(row->id, row);
        if (!m_speedTimer.isActive())
            m_speedTimer.start();
    } else {
        m_uploading.remove(row->id);
        row->samples.clear();
        row->speed = 0;
        if (m_uploading.isEmpty())
            m_speedTimer.stop();
    }
}

void QueueModel::onTaskStateChanged(const QString &id, TaskState state, const ApiError &error)
{
    Entry *row = find(id);
    if (!row)
        return;
    setStatus(row, statusFor(state));
    row->error = state == TaskState::Failed ? error : ApiError();
    markDirty(row);
}

void QueueModel::onTaskProgress(const QString &id, qint64 sent, qint64 total)
{
    Entry *row = find(id);
    if (!row)
        return;
    if (total > 0)
        row->size = total;
    row->sent = sent;
    addSample(row, m_clock.elapsed());
    markDirty(row);
}

void QueueModel::onTaskPartsPlanned(const QString &id, int partCount, qint64 partSize)
{
    Entry *row = find(id);
    if (!row || partCount < 0)
        return;
    row->partSize = partSize;
    row->parts = QList<Part>(partCount);
    for (int index = 0; index < partCount; ++index) {
        Part &part = row->parts[index];
        if (partCount == 1 || row->size < 0)
            part.total = row->size < 0 ? partSize : row->size;
        else
            part.total = qMin(partSize, row->size - index * partSize);
    }
    markDirty(row, true);
}

void QueueModel::onPartProgress(const QString &id, int partNumber, qint64 sent, qint64 total)
{
    Entry *row = find(id);
    if (!row || partNumber < 1 || partNumber > row->parts.size())
        return;
    Part &part = row->parts[partNumber - 1];
    part.sent = sent;
    if (total > 0)
        part.total = total;
    markDirty(row, true);
}

void QueueModel::onPartStateChanged(const QString &id, int partNumber, PartState state)
{
    Entry *row = find(id);
    if (!row || partNumber < 1 || partNumber > row->parts.size())
        return;
    Part &part = row->parts[partNumber - 1];
    part.state = state;
    if (state == PartState::Done)
        part.sent = part.total;
    markDirty(row, true);
}

void QueueModel::onTaskWaitingForServer(const QString &id, const QDateTime &nextAttempt)
{
    Entry *row = find(id);
    if (!row)
        return;
    row->waitingUntil = nextAttempt;
    markDirty(row);
}

void QueueModel::onTaskFinished(const QString &id, const UploadResult &result)
{
    Entry *row = find(id);
    if (!row)
        return;
    row->objectId = result.objectId;
    row->fileId = result.fileId;
    setStatus(row, statusFor(result.state));
    if (result.state == TaskState::Failed)
        row->error = result.error;
    if (result.state == TaskState::Done && row->size >= 0)
        row->sent = row->size;
    markDirty(row);
}

void QueueModel::onTaskRemoved(const QString &id)
{
    removeIds({id});
}

// --- Speed ------------------------------------------------------------------

void QueueModel::addSample(Entry *row, qint64 now)
{
    if (!row->samples.isEmpty() && row->samples.constLast().second > row->sent) {
        // Progress went back (a retry): measure from here.
        row->samples.clear();
    }
    row->samples.append(qMakePair(now, row->sent));
    while (row->samples.size() > 2 && now - row->samples.constFirst().first > kSpeedWindowMs)
        row->samples.removeFirst();

    const auto &first = row->samples.constFirst();
    const qint64 elapsedMs = now - first.first;
    // Below a quarter second the rate is too noisy to show.
    if (elapsedMs >= 250)
        row->speed = static_cast<double>(row->sent - first.second) * 1000.0 / static_cast<double>(elapsedMs);
}

void QueueModel::tickSpeeds()
{
    const qint64 now = m_clock.elapsed();
    for (Entry *row : std::as_const(m_uploading)) {
        if (!row->samples.isEmpty() && now - row->samples.constLast().first < kSpeedTickMs)
            continue;
        addSample(row, now);
        markDirty(row);
    }
}

// --- Coalescing -------------------------------------------------------------

void QueueModel::markDirty(Entry *row, bool parts)
{
    if (parts)
        row->partsDirty = true;
    if (!row->dirty) {
        row->dirty = true;
        m_dirtyRows.append(rowOf(row->id));
    }
    scheduleFlush();
}

void QueueModel::scheduleFlush()
{
    if (!m_flushTimer.isActive())
        m_flushTimer.start();
}

void QueueModel::flush()
{
    m_flushTimer.stop();
    if (m_dirtyRows.isEmpty())
        return;

    QList<int> rows;
    rows.swap(m_dirtyRows);
    std::sort(rows.begin(), rows.end());

    QStringList partsChangedIds;
    for (int row : std::as_const(rows)) {
        Entry *dirty = m_entries[static_cast<size_t>(row)].get();
        dirty->dirty = false;
        if (dirty->partsDirty) {
            dirty->partsDirty = false;
            partsChangedIds.append(dirty->id);
        }
    }

    // One dataChanged() per run of adjacent rows.
    qsizetype begin = 0;
    while (begin < rows.size()) {
        qsizetype end = begin;
        while (end + 1 < rows.size() && rows[end + 1] == rows[end] + 1)
            ++end;
        Q_EMIT dataChanged(index(rows[begin], 0), index(rows[end], ColumnCount - 1));
        begin = end + 1;
    }
    for (const QString &id : std::as_const(partsChangedIds))
        Q_EMIT partsChanged(id);
    Q_EMIT summaryChanged();
}

} // namespace tenovos
