// tenovos-uploader: the desktop window. See AppOptionsParser for the command
// line; the README for a first run against the local sandbox.

#include "applogging.h"
#include "appoptions.h"
#include "interrupthandler.h"
#include "logfile.h"
#include "mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QSysInfo>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

int main(int argc, char *argv[])
{
    // --help, --version and invalid arguments only print, so they must work
    // without a display: the offscreen platform needs none.
    QStringList rawArguments;
    for (int index = 0; index < argc; ++index)
        rawArguments.append(QString::fromLocal8Bit(argv[index]));
    const bool printOnly = tenovos::AppOptionsParser::printsOnly(rawArguments);
    if (printOnly)
        qputenv("QT_QPA_PLATFORM", QByteArrayLiteral("offscreen"));

    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Tenovos"));
    QApplication::setOrganizationDomain(QStringLiteral("tenovos.com"));
    QApplication::setApplicationName(QStringLiteral("Tenovos Uploader"));
    QApplication::setApplicationDisplayName(QStringLiteral("Tenovos Uploader"));
    QApplication::setApplicationVersion(QStringLiteral(TENOVOS_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("com.tenovos.Uploader"));

    // The log file (logs/tenovos-uploader.log in the application data folder
    // or $TENOVOS_DATA_DIR), rotated at 5 MiB. The levels come from the
    // setting logging/rules (QLoggingCategory rules separated by newlines or
    // ';'), else the defaults: info and above. QT_LOGGING_RULES overrides both.
    if (!printOnly) {
        tenovos::LogFile::Options logOptions;
        logOptions.fileName = QStringLiteral("tenovos-uploader.log");
        logOptions.rules = QSettings().value(QStringLiteral("logging/rules")).toString();
        QString logError;
        if (!tenovos::LogFile::install(logOptions, &logError))
            qWarning("No log file, %s. Messages go to stderr only; check that the data folder is "
                     "writable or set TENOVOS_DATA_DIR.",
                     qPrintable(logError));
        qCInfo(tenovos::lcUi).noquote() << "Tenovos Uploader" << QApplication::applicationVersion() << "started on"
                                        << QSysInfo::prettyProductName() << "with Qt" << qVersion();
    }

    QTranslator qtTranslator;
    if (qtTranslator.load(QLocale(), QStringLiteral("qtbase"), QStringLiteral("_"),
                          QLibraryInfo::path(QLibraryInfo::TranslationsPath))) {
        QApplication::installTranslator(&qtTranslator);
    }
    // English first: it contains the plural forms of "%n file(s)" messages,
    // and a translator installed later (the user's language) takes precedence.
    QTranslator englishTranslator;
    if (englishTranslator.load(QStringLiteral(":/i18n/tenovos-uploader_en.qm")))
        QApplication::installTranslator(&englishTranslator);
    QTranslator appTranslator;
    if (appTranslator.load(QLocale(), QStringLiteral("tenovos-uploader"), QStringLiteral("_"),
                           QStringLiteral(":/i18n"))) {
        QApplication::installTranslator(&appTranslator);
    }

    tenovos::AppOptions options;
    QString error;
    if (!tenovos::AppOptionsParser::parse(QApplication::arguments(), &options, &error)) {
        std::fprintf(stderr, "tenovos-uploader: %s\n", qPrintable(error));
        return 2;
    }

    tenovos::MainWindow window(options);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tenovos-uploader.svg")));
    window.setWindowIcon(QApplication::windowIcon());
    window.show();

    // SIGINT or SIGTERM (Ctrl+C in the terminal that started the window):
    // cancel unfinished uploads on the server, then quit; a second one quits
    // at once.
    tenovos::InterruptHandler interrupts;
    QObject::connect(&interrupts, &tenovos::InterruptHandler::interrupted, &window, [&window](int count) {
        if (count == 1)
            window.cancelUploadsAndQuit();
        else
            QApplication::exit(130);
    });
    // Sign in and queue files once the event loop runs, so dialogs open over
    // a visible window.
    QTimer::singleShot(0, &window, &tenovos::MainWindow::start);
    return app.exec();
}
