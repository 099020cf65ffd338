#include "partsmodel.h"

#include "displayformat.h"
#include "queuemodel.h"

namespace tenovos {

namespace {

QString partStateText(PartState state)
{
    switch (state) {
    case PartState::Pending:
        return PartsModel::tr("Waiting");
    case PartState::Uploading:
        return PartsModel::tr("Uploading");
    case PartState::Retrying:
        return PartsModel::tr("Retrying");
    case PartState::Done:
        return PartsModel::tr("Done");
    case PartState::Failed:
        return PartsModel::tr("Failed");
    }
    return QString();
}

} // namespace

PartsModel::PartsModel(QueueModel *queue, QObject *parent)
    : QAbstractTableModel(parent)
    , m_queue(queue)
{
    connect(queue, &QueueModel::partsChanged, this, &PartsModel::refresh);
    connect(queue, &QueueModel::rowsRemoved, this, &PartsModel::checkTaskExists);
    connect(queue, &QueueModel::modelReset, this, &PartsModel::checkTaskExists);
}

void PartsModel::setTaskId(const QString &id)
{
    if (id == m_taskId)
        return;
    beginResetModel();
    m_taskId = id;
    const QueueModel::Entry *entry = m_queue ? m_queue->entryById(id) : nullptr;
    m_rowCount = entry ? static_cast<int>(entry->parts.size()) : 0;
    endResetModel();
}

void PartsModel::refresh(const QString &id)
{
    if (id != m_taskId)
        return;
    const QueueModel::Entry *entry = m_queue->entryById(id);
    const int count = entry ? static_cast<int>(entry->parts.size()) : 0;
    if (count != m_rowCount) {
        // The parts were planned or planned again (retry): a new list.
        beginResetModel();
        m_rowCount = count;
        endResetModel();
        return;
    }
    if (count > 0)
        Q_EMIT dataChanged(index(0, 0), index(count - 1, ColumnCount - 1));
}

void PartsModel::checkTaskExists()
{
    if (!m_taskId.isEmpty() && m_queue && m_queue->rowOf(m_taskId) < 0)
        setTaskId(QString());
}

int PartsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : m_rowCount;
}

int PartsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant PartsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (section) {
    case PartColumn:
        return tr("Part");
    case SizeColumn:
        return tr("Size");
    case StateColumn:
        return tr("State");
    case ProgressColumn:
        return tr("Progress");
    default:
        return QVariant();
    }
}

QVariant PartsModel::data(const QModelIndex &index, int role) const
{
    const QueueModel::Entry *entry = m_queue ? m_queue->entryById(m_taskId) : nullptr;
    if (!entry || index.row() < 0 || index.row() >= entry->parts.size() || index.row() >= m_rowCount)
        return QVariant();
    const QueueModel::Part &part = entry->parts.at(index.row());
    const int progress = part.state == PartState::Done ? 1000 : DisplayFormat::permille(part.sent, part.total);

    if (role == QueueModel::ProgressRole)
        return index.column() == ProgressColumn ? QVariant(progress) : QVariant();
    if (role == Qt::TextAlignmentRole && index.column() != StateColumn)
        return QVariant::fromValue(Qt::AlignRight | Qt::AlignVCenter);
    if (role != Qt::DisplayRole)
        return QVariant();

    switch (index.column()) {
    case PartColumn:
        return index.row() + 1;
    case SizeColumn:
        return DisplayFormat::size(part.total);
    case StateColumn:
        return partStateText(part.state);
    case ProgressColumn:
        return QueueModel::tr("%1 %").arg(progress / 10);
    default:
        return QVariant();
    }
}

} // namespace tenovos
