#include "diagnostics.h"

#include "logscrubber.h"

#include <QDateTime>
#include <QDir>
#include <QSysInfo>

namespace tenovos {

QString Diagnostics::apiHost(const QUrl &url)
{
    if (!url.isValid() || url.host().isEmpty())
        return tr("(not set)");
    return url.adjusted(QUrl::RemoveUserInfo | QUrl::RemovePath | QUrl::RemoveQuery | QUrl::RemoveFragment)
        .toString();
}

QString Diagnostics::report(const Settings &settings, const QStringList &logLines)
{
    const QString none = tr("(none)");
    QStringList lines;
    lines << tr("%1 %2").arg(QCoreApplication::applicationName(), QCoreApplication::applicationVersion());
    lines << tr("Qt: built with %1, running %2").arg(QStringLiteral(QT_VERSION_STR), QString::fromLatin1(qVersion()));
    lines << tr("Operating system: %1 (%2 %3, %4)")
                 .arg(QSysInfo::prettyProductName(), QSysInfo::kernelType(), QSysInfo::kernelVersion(),
                      QSysInfo::currentCpuArchitecture());
    lines << tr("Report time (UTC): %1").arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODate));
    lines << QString();

    lines << tr("API host: %1").arg(apiHost(settings.apiUrl));
    lines << tr("User name: %1").arg(settings.username.isEmpty() ? none : settings.username);
    lines << tr("Signed in: %1").arg(settings.signedIn ? tr("yes") : tr("no"));
    lines << tr("Parallel parts: %1, parallel files: %2")
                 .arg(settings.maxParallelParts)
                 .arg(settings.maxParallelFiles);
    lines << tr("Part size: %1 bytes").arg(settings.partSize);
    lines << tr("Retries per request: %1").arg(settings.maxRetries);
    lines << tr("Security template ids: %1")
                 .arg(settings.securityTemplateIds.isEmpty() ? none
                                                             : settings.securityTemplateIds.join(QStringLiteral(", ")));
    lines << tr("Metadata template id: %1")
                 .arg(settings.metadataTemplateId.isEmpty() ? none : settings.metadataTemplateId);
    lines << tr("Log file: %1")
                 .arg(settings.logFilePath.isEmpty() ? none : QDir::toNativeSeparators(settings.logFilePath));
    lines << QString();

    lines << tr("Last %n log line(s):", nullptr, int(logLines.size()));
    for (const QString &line : logLines)
        lines << LogScrubber::scrub(line);
    return lines.join(QLatin1Char('\n')) + QLatin1Char('\n');
}

} // namespace tenovos
