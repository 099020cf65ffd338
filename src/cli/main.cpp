// tenovos-upload: the command-line uploader built on the engine in src/core.

#include "clioptions.h"
#include "interrupthandler.h"
#include "logfile.h"
#include "passwordprompt.h"
#include "uploadcommand.h"

#include <QCoreApplication>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QTimer>

#include <cstdio>

using namespace tenovos::cli;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tenovos-upload"));
    QCoreApplication::setOrganizationName(QStringLiteral("Tenovos"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TENOVOS_VERSION_STRING));

    CliOptions options;
    QString error;
    if (!CliParser::parse(QCoreApplication::arguments(), &options, &error)) {
        const QString text = QCoreApplication::translate("main", "tenovos-upload: %1\nRun "
                                                                 "tenovos-upload --help for the "
                                                                 "options.\n")
                                 .arg(error);
        std::fputs(text.toLocal8Bit().constData(), stderr);
        return ExitUsage;
    }

    // The engine logs every start, retry and failure into the log file in the
    // data folder (logs/tenovos-upload.log). The command prints its own lines
    // and summary, so the engine's messages reach stderr only with --verbose.
    // QT_LOGGING_RULES in the environment overrides the levels.
    tenovos::LogFile::Options logOptions;
    logOptions.fileName = QStringLiteral("tenovos-upload.log");
    if (options.verbose) {
        qSetMessagePattern(QStringLiteral("%{category}: %{message}"));
        logOptions.rules = QStringLiteral("tenovos.*.debug=true");
    } else {
        logOptions.echoFilter = [](QtMsgType, const char *category) {
            return !QByteArray(category).startsWith("tenovos.");
        };
    }
    if (!options.logRules.isEmpty())
        logOptions.rules = options.logRules;
    if (!options.dataDir.isEmpty())
        tenovos::LogFile::setDataDirectory(options.dataDir);
    QString logError;
    if (!tenovos::LogFile::install(logOptions, &logError)) {
        const QString text = QCoreApplication::translate("main", "tenovos-upload: warning: no log file, %1. "
                                                                 "Check that the data folder is writable.\n")
                                 .arg(logError);
        std::fputs(text.toLocal8Bit().constData(), stderr);
    }

    QString password = QProcessEnvironment::systemEnvironment().value(
        QStringLiteral("TENOVOS_PASSWORD"));
    if (password.isEmpty()) {
        password = readPasswordFromTerminal(
            QCoreApplication::translate("main", "Tenovos password for %1: ").arg(options.username));
    }
    if (password.isEmpty()) {
        const QString text = QCoreApplication::translate(
            "main", "tenovos-upload: no password. Set TENOVOS_PASSWORD or run tenovos-upload on a "
                    "terminal to type it.\n");
        std::fputs(text.toLocal8Bit().constData(), stderr);
        return ExitUsage;
    }

    UploadCommand command(options);
    tenovos::InterruptHandler interrupts;
    QObject::connect(&interrupts, &tenovos::InterruptHandler::interrupted, &command,
                     &UploadCommand::interrupt);
    QObject::connect(&command, &UploadCommand::finished, &app,
                     [](int exitCode) { QCoreApplication::exit(exitCode); });
    QTimer::singleShot(0, &command, [&command, password] { command.start(password); });
    return QCoreApplication::exec();
}
