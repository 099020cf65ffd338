#pragma once

#include "pathexpander.h"

#include <QFrame>
#include <QList>
#include <QUrl>

class QMimeData;

namespace tenovos {

// The part of the window that takes files and folders dropped from a file
// manager (text/uri-list, which XDND, Windows and macOS drags all carry).
// Local paths are expanded off the GUI thread by a PathExpander and reported
// with filesDropped(); other URLs (http://...) are rejected with a message.
// Child widgets that do not accept drops themselves pass them to this area.
class DropArea : public QFrame
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DropArea)

public:
    explicit DropArea(QWidget *parent = nullptr);

    // Whether the drag carries anything this area would take.
    static bool canAccept(const QMimeData *mimeData);
    // Handles dropped data the way dropEvent() does; returns false when the
    // data held no local file or folder.
    bool handleDrop(const QMimeData *mimeData);

    PathExpander *expander() const { return m_expander; }

Q_SIGNALS:
    void filesDropped(const tenovos::CollectedFileList &files, const QStringList &warnings);
    // The message names the rejected URLs and what to do instead.
    void dropRejected(const QString &message);

protected:
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dragMoveEvent(QDragMoveEvent *event) override;
    void dragLeaveEvent(QDragLeaveEvent *event) override;
    void dropEvent(QDropEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;

private:
    void setHighlighted(bool highlighted);

    PathExpander *m_expander;
    QWidget *m_overlay;
};

} // namespace tenovos
