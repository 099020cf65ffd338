#include "logfile.h"

#include "logscrubber.h"

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QLoggingCategory>
#include <QMutex>
#include <QProcessEnvironment>
#include <QScopeGuard>
#include <QStandardPaths>

#include <cstdio>
#include <deque>

namespace tenovos {

namespace {

constexpr int kKeptLines = 500;

struct LogState
{
    QMutex mutex;
    bool installed = false;
    QtMessageHandler previousHandler = nullptr;
    LogFile::Options options;
    QString dataDirectoryOverride;
    QString directory;
    QFile file;
    std::deque<QString> lastLines;
};

LogState &state()
{
    static LogState logState;
    return logState;
}

QString rotatedPath(const QString &path, int index)
{
    return path + QLatin1Char('.') + QString::number(index);
}

// Renames name.log.(n-1) to name.log.n, ..., name.log to name.log.1 and
// drops the oldest. Called with the mutex held and the file closed.
void rotate(const QString &path, int keptFiles)
{
    if (keptFiles <= 0) {
        QFile::remove(path);
        return;
    }
    QFile::remove(rotatedPath(path, keptFiles));
    for (int index = keptFiles - 1; index >= 1; --index) {
        if (QFile::exists(rotatedPath(path, index)))
            QFile::rename(rotatedPath(path, index), rotatedPath(path, index + 1));
    }
    QFile::rename(path, rotatedPath(path, 1));
}

// Opens the log file for appending, readable by its owner only: lines name
// files, users and hosts. On Windows, setPermissions() only sets or clears
// the read-only attribute, so there the ACL of the user's profile folder,
// where the data folder lies by default, keeps other users out.
bool openForAppend(QFile &file)
{
    if (!file.open(QIODevice::WriteOnly | QIODevice::Append))
        return false;
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    return true;
}

// Writes one line to the file, rotating first when it would exceed the
// size limit. Called with the mutex held.
void writeLine(LogState &logState, const QByteArray &line)
{
    if (!logState.file.isOpen())
        return;
    const qint64 maxBytes = logState.options.maxFileBytes;
    if (maxBytes > 0 && logState.file.size() > 0 && logState.file.size() + line.size() > maxBytes) {
        const QString path = logState.file.fileName();
        logState.file.close();
        rotate(path, logState.options.keptFiles);
        logState.file.setFileName(path);
        if (!openForAppend(logState.file))
            return;
    }
    logState.file.write(line);
    logState.file.flush();
}

// Set while this thread is inside messageHandler(). A message that Qt emits
// while the handler writes (a file warning) goes to stderr only, because
// taking the mutex again would deadlock.
thread_local bool insideHandler = false;

void messageHandler(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    if (insideHandler) {
        const QByteArray text = qFormatLogMessage(type, context, LogScrubber::scrub(message)).toLocal8Bit() + '\n';
        std::fputs(text.constData(), stderr);
        return;
    }
    insideHandler = true;
    const auto leave = qScopeGuard([] { insideHandler = false; });

    LogState &logState = state();
    const QString scrubbed = LogScrubber::scrub(message);
    const QString line = LogFile::formatLine(type, context.category, scrubbed);

    bool echo = false;
    QtMessageHandler previous = nullptr;
    {
        QMutexLocker locker(&logState.mutex);
        writeLine(logState, line.toUtf8() + '\n');
        logState.lastLines.push_back(line);
        while (logState.lastLines.size() > size_t(kKeptLines))
            logState.lastLines.pop_front();
        echo = logState.options.echoToStderr
            && (!logState.options.echoFilter || logState.options.echoFilter(type, context.category));
        previous = logState.previousHandler;
    }
    // Outside the lock, because the previous handler may block on a terminal.
    if (!echo)
        return;
    if (previous) {
        previous(type, context, scrubbed);
    } else {
        const QByteArray text = qFormatLogMessage(type, context, scrubbed).toLocal8Bit() + '\n';
        std::fputs(text.constData(), stderr);
    }
}

char levelLetter(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return 'D';
    case QtInfoMsg:
        return 'I';
    case QtWarningMsg:
        return 'W';
    case QtCriticalMsg:
        return 'C';
    case QtFatalMsg:
        return 'F';
    }
    return '?';
}

} // namespace

QString LogFile::defaultRules()
{
    return QStringLiteral("tenovos.*.debug=false\ntenovos.*.info=true");
}

QString LogFile::dataDirectory()
{
    LogState &logState = state();
    {
        QMutexLocker locker(&logState.mutex);
        if (!logState.dataDirectoryOverride.isEmpty())
            return logState.dataDirectoryOverride;
    }
    const QString fromEnvironment =
        QProcessEnvironment::systemEnvironment().value(QStringLiteral("TENOVOS_DATA_DIR"));
    if (!fromEnvironment.isEmpty())
        return fromEnvironment;
    return QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
}

void LogFile::setDataDirectory(const QString &path)
{
    QMutexLocker locker(&state().mutex);
    state().dataDirectoryOverride = path;
}

bool LogFile::install(const Options &options, QString *error)
{
    LogState &logState = state();
    const QString directory = QDir(dataDirectory()).filePath(QStringLiteral("logs"));

    QString rules = options.rules.isEmpty() ? defaultRules() : options.rules;
    rules.replace(QLatin1Char(';'), QLatin1Char('\n'));
    QLoggingCategory::setFilterRules(rules);

    bool opened = false;
    QString openError;
    {
        QMutexLocker locker(&logState.mutex);
        logState.file.close();
        logState.options = options;
        logState.directory = directory;
        if (!QDir().mkpath(directory)) {
            openError = QStringLiteral("cannot create the log folder %1").arg(QDir::toNativeSeparators(directory));
        } else {
            logState.file.setFileName(QDir(directory).filePath(options.fileName));
            opened = openForAppend(logState.file);
            if (!opened) {
                openError = QStringLiteral("cannot open the log file %1: %2")
                                .arg(QDir::toNativeSeparators(logState.file.fileName()),
                                     logState.file.errorString());
            }
        }
        if (!logState.installed) {
            logState.previousHandler = qInstallMessageHandler(messageHandler);
            logState.installed = true;
        }
    }
    if (!opened && error)
        *error = openError;
    return opened;
}

void LogFile::uninstall()
{
    LogState &logState = state();
    QMutexLocker locker(&logState.mutex);
    if (logState.installed) {
        qInstallMessageHandler(logState.previousHandler);
        logState.previousHandler = nullptr;
        logState.installed = false;
    }
    logState.file.close();
}

bool LogFile::isInstalled()
{
    QMutexLocker locker(&state().mutex);
    return state().installed;
}

QString LogFile::filePath()
{
    QMutexLocker locker(&state().mutex);
    return state().file.fileName();
}

QStringList LogFile::allFilePaths()
{
    const QString current = filePath();
    if (current.isEmpty())
        return {};
    int keptFiles = 0;
    {
        QMutexLocker locker(&state().mutex);
        keptFiles = state().options.keptFiles;
    }
    QStringList paths;
    if (QFile::exists(current))
        paths.append(current);
    for (int index = 1; index <= keptFiles; ++index) {
        if (QFile::exists(rotatedPath(current, index)))
            paths.append(rotatedPath(current, index));
    }
    return paths;
}

QStringList LogFile::lastLines(int count)
{
    QMutexLocker locker(&state().mutex);
    const auto &lines = state().lastLines;
    QStringList result;
    const size_t first = lines.size() > size_t(qMax(0, count)) ? lines.size() - size_t(qMax(0, count)) : 0;
    for (size_t index = first; index < lines.size(); ++index)
        result.append(lines[index]);
    return result;
}

QString LogFile::formatLine(QtMsgType type, const char *category, const QString &message)
{
    return QStringLiteral("%1 %2 %3: %4")
        .arg(QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs), QString(QLatin1Char(levelLetter(type))),
             QString::fromLatin1(category ? category : "default"), message);
}

} // namespace tenovos
