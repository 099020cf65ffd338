#pragma once

#include <QString>
#include <QStringList>
#include <QtGlobal>

#include <functional>

namespace tenovos {

// The application's log file. A Qt message handler writes every message that
// passes the QLoggingCategory filter to <data folder>/logs/<name>.log and
// keeps echoing it to stderr through the previous handler. The file is
// rotated by size, and <name>.log.1 is the newest old file. Every line goes
// through LogScrubber first, so a secret that reaches a log call is masked in
// the file, on stderr and in lastLines().
//
// Messages arrive from any thread (the engine logs from its own); the handler
// serialises them with a mutex.
class LogFile
{
public:
    struct Options
    {
        QString fileName = QStringLiteral("tenovos.log");
        // The file is rotated before a line would make it larger than this.
        qint64 maxFileBytes = 5 * 1024 * 1024;
        // Number of old files kept besides the current one.
        int keptFiles = 3;
        // Whether messages also go to the previous handler (stderr by default).
        bool echoToStderr = true;
        // With echoToStderr, only messages for which this returns true are
        // echoed; empty echoes all. The file gets every message either way.
        std::function<bool(QtMsgType type, const char *category)> echoFilter;
        // QLoggingCategory filter rules, separated by newlines or ';'; empty
        // means defaultRules().
        QString rules;
    };

    // "tenovos.*.debug=false" and "tenovos.*.info=true", one rule a line.
    static QString defaultRules();

    // The application data folder: $TENOVOS_DATA_DIR when set, else
    // QStandardPaths::AppDataLocation, unless setDataDirectory() chose one.
    static QString dataDirectory();
    // Overrides dataDirectory() (tests); an empty path restores the default.
    static void setDataDirectory(const QString &path);

    // Opens the log file in dataDirectory()/logs, applies the filter rules
    // (QT_LOGGING_RULES in the environment still overrides them, as Qt
    // evaluates it last) and installs the message handler. Returns false
    // with *error set when the folder or file cannot be opened; the handler
    // is installed anyway, so stderr output and lastLines() keep working.
    // Calling it again reinstalls with the new options.
    static bool install(const Options &options, QString *error = nullptr);
    // Restores the previous message handler and closes the file.
    static void uninstall();
    static bool isInstalled();

    // The current log file's path; empty before install().
    static QString filePath();
    // The current file and the rotated ones, newest first, that exist.
    static QStringList allFilePaths();

    // The last lines written (at most count, at most 500 are kept), already
    // scrubbed, oldest first.
    static QStringList lastLines(int count = 200);

    // Formats one log line as written to the file: UTC time, level letter
    // (D, I, W, C, F), category and message. The handler passes the message
    // through LogScrubber before it calls this.
    static QString formatLine(QtMsgType type, const char *category, const QString &message);
};

} // namespace tenovos
