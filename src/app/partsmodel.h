#pragma once

#include <QAbstractTableModel>
#include <QPointer>

namespace tenovos {

class QueueModel;

// The parts of one file of a QueueModel (the file selected in the queue),
// refreshed when the queue model flushes changes to that file's parts.
class PartsModel : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PartsModel)

public:
    enum Column { PartColumn, SizeColumn, StateColumn, ProgressColumn, ColumnCount };

    explicit PartsModel(QueueModel *queue, QObject *parent = nullptr);

    // Shows the parts of the file with this task id; an empty id shows none.
    void setTaskId(const QString &id);
    QString taskId() const { return m_taskId; }

    int rowCount(const QModelIndex &parent = QModelIndex()) const override;
    int columnCount(const QModelIndex &parent = QModelIndex()) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

private:
    void refresh(const QString &id);
    void checkTaskExists();

    QPointer<QueueModel> m_queue;
    QString m_taskId;
    int m_rowCount = 0;
};

} // namespace tenovos
