#pragma once

#include <QCoreApplication>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace tenovos {

// The text "Copy Diagnostics" puts on the clipboard for a support request:
// versions, operating system, the settings that shape uploads and the last
// log lines. It never contains the API key, the password or a token: the
// settings below have no field for them, the API URL is reduced to scheme,
// host and port, and the log lines pass through LogScrubber once more.
class Diagnostics
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::Diagnostics)

public:
    struct Settings
    {
        QUrl apiUrl;
        QString username;
        bool signedIn = false;
        int maxParallelParts = 0;
        int maxParallelFiles = 0;
        qint64 partSize = 0;
        int maxRetries = 0;
        QStringList securityTemplateIds;
        QString metadataTemplateId;
        QString logFilePath;
    };

    // Builds the report. logLines are the newest lines, oldest first.
    static QString report(const Settings &settings, const QStringList &logLines);

    // Reduces url to scheme, host and port, so no path, query or user
    // information leaves.
    static QString apiHost(const QUrl &url);
};

} // namespace tenovos
