#pragma once

#include <QStyledItemDelegate>

namespace tenovos {

// Paints QueueModel::ProgressRole (thousandths) as the style's progress bar,
// with the cell's display text on it. Cells without that role are painted
// as usual, so one delegate serves a whole view. It creates no widget per
// row, so a row costs paint time only while it is visible.
class ProgressDelegate : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ProgressDelegate)

public:
    explicit ProgressDelegate(QObject *parent = nullptr);

    void paint(QPainter *painter, const QStyleOptionViewItem &option, const QModelIndex &index) const override;

protected:
    // Columns after the first elide at the end, so a failure message keeps
    // its beginning; the first column (file names) keeps the view's mode.
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;
};

} // namespace tenovos
