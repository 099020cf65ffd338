#include "entrydetails.h"

#include "displayformat.h"

#include <QDir>

namespace tenovos {

namespace {

void addRow(QString *html, const QString &label, const QString &value)
{
    if (value.isEmpty())
        return;
    *html += QStringLiteral("<tr><td style=\"padding-right:12px\"><b>%1</b></td><td>%2</td></tr>")
                 .arg(label.toHtmlEscaped(), value.toHtmlEscaped());
}

} // namespace

QString EntryDetails::html(const QueueModel::Entry &entry)
{
    QString html = QStringLiteral("<table>");
    addRow(&html, tr("File"),
           entry.filePath.isEmpty() ? tr("%1 (metadata only, no content)").arg(entry.displayName)
                                    : QDir::toNativeSeparators(entry.filePath));
    addRow(&html, tr("Size"), DisplayFormat::size(entry.size));
    addRow(&html, tr("State"), QueueModel::statusText(entry.status));
    if (!entry.parts.isEmpty())
        addRow(&html, tr("Parts"), QString::number(entry.parts.size()));
    addRow(&html, tr("Object id"), entry.objectId);
    addRow(&html, tr("File id"), entry.fileId);

    if (entry.status == QueueModel::Status::Failed) {
        const ApiError &error = entry.error;
        addRow(&html, tr("Problem"), error.userMessage());
        addRow(&html, tr("Server message"), error.serverMessage());
        if (error.httpStatus() > 0)
            addRow(&html, tr("HTTP status"), QString::number(error.httpStatus()));
        addRow(&html, tr("Error code"), error.errorCode());
        addRow(&html, tr("Request"), error.operation());
        addRow(&html, tr("Kind"), ApiError::kindName(error.kind()));
    }
    html += QStringLiteral("</table>");
    return html;
}

} // namespace tenovos
