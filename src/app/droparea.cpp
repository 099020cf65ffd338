#include "droparea.h"

#include "applogging.h"

#include <QDragEnterEvent>
#include <QDropEvent>
#include <QMimeData>
#include <QPainter>
#include <QResizeEvent>

namespace tenovos {

namespace {

// Drawn over the whole area while a drag hovers it. Transparent for mouse
// events, so drag and drop events still reach the widgets below.
class DropOverlay : public QWidget
{
public:
    explicit DropOverlay(QWidget *parent)
        : QWidget(parent)
    {
        setAttribute(Qt::WA_TransparentForMouseEvents);
        setAttribute(Qt::WA_NoSystemBackground);
        hide();
    }

protected:
    void paintEvent(QPaintEvent *) override
    {
        QPainter painter(this);
        painter.setRenderHint(QPainter::Antialiasing);
        // Nearly opaque, so the hint or the queue below does not show
        // through the text.
        const QRectF area = QRectF(rect()).adjusted(2, 2, -2, -2);
        QColor background = palette().color(QPalette::Window);
        background.setAlpha(235);
        QColor tint = palette().color(QPalette::Highlight);
        tint.setAlpha(40);
        painter.setPen(Qt::NoPen);
        painter.setBrush(background);
        painter.drawRoundedRect(area, 8, 8);
        painter.setPen(QPen(palette().color(QPalette::Highlight), 2, Qt::DashLine));
        painter.setBrush(tint);
        painter.drawRoundedRect(area, 8, 8);

        QFont font = painter.font();
        font.setPointSizeF(font.pointSizeF() * 1.4);
        painter.setFont(font);
        painter.setPen(palette().color(QPalette::Text));
        painter.drawText(rect(), Qt::AlignCenter | Qt::TextWordWrap,
                         DropArea::tr("Drop to add the files to the queue"));
    }
};

} // namespace

DropArea::DropArea(QWidget *parent)
    : QFrame(parent)
    , m_expander(new PathExpander(this))
    , m_overlay(new DropOverlay(this))
{
    setAcceptDrops(true);
    connect(m_expander, &PathExpander::expanded, this, &DropArea::filesDropped);
}

bool DropArea::canAccept(const QMimeData *mimeData)
{
    return mimeData && mimeData->hasUrls();
}

bool DropArea::handleDrop(const QMimeData *mimeData)
{
    if (!canAccept(mimeData))
        return false;

    QStringList localPaths;
    QStringList rejected;
    const QList<QUrl> urls = mimeData->urls();
    for (const QUrl &url : urls) {
        if (url.isLocalFile() && !url.toLocalFile().isEmpty())
            localPaths.append(url.toLocalFile());
        else
            rejected.append(url.toDisplayString(QUrl::RemoveUserInfo | QUrl::RemoveQuery));
    }

    if (!rejected.isEmpty()) {
        qCInfo(lcUi).noquote() << "Rejected dropped URLs that are not local files:"
                               << rejected.join(QStringLiteral(", "));
        Q_EMIT dropRejected(
            tr("Only files and folders on this computer or a mounted network share can be "
               "uploaded. Not added: %1. Download them first, then drop the downloaded files.")
                .arg(rejected.join(QStringLiteral(", "))));
    }
    if (localPaths.isEmpty())
        return false;

    qCInfo(lcUi) << "Paths dropped:" << localPaths.size();
    m_expander->expand(localPaths);
    return true;
}

void DropArea::dragEnterEvent(QDragEnterEvent *event)
{
    if (!canAccept(event->mimeData()))
        return;
    event->acceptProposedAction();
    setHighlighted(true);
}

void DropArea::dragMoveEvent(QDragMoveEvent *event)
{
    if (canAccept(event->mimeData()))
        event->acceptProposedAction();
}

void DropArea::dragLeaveEvent(QDragLeaveEvent *event)
{
    setHighlighted(false);
    QFrame::dragLeaveEvent(event);
}

void DropArea::dropEvent(QDropEvent *event)
{
    setHighlighted(false);
    // Copy, not move: the source file must stay where it is.
    event->setDropAction(Qt::CopyAction);
    if (handleDrop(event->mimeData()))
        event->accept();
    else
        event->ignore();
}

void DropArea::resizeEvent(QResizeEvent *event)
{
    QFrame::resizeEvent(event);
    m_overlay->setGeometry(rect());
}

void DropArea::setHighlighted(bool highlighted)
{
    m_overlay->setGeometry(rect());
    m_overlay->setVisible(highlighted);
    if (highlighted)
        m_overlay->raise();
}

} // namespace tenovos
