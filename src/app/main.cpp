// tenovos-uploader: the desktop window. See AppOptionsParser for the command
// line; the README for a first run against the local sandbox.

#include "appoptions.h"
#include "interrupthandler.h"
#include "mainwindow.h"

#include <QApplication>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QTimer>
#include <QTranslator>

#include <cstdio>

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Tenovos"));
    QApplication::setOrganizationDomain(QStringLiteral("tenovos.com"));
    QApplication::setApplicationName(QStringLiteral("Tenovos Uploader"));
    QApplication::setApplicationDisplayName(QStringLiteral("Tenovos Uploader"));
    QApplication::setApplicationVersion(QStringLiteral(TENOVOS_VERSION_STRING));
    QApplication::setDesktopFileName(QStringLiteral("com.tenovos.Uploader"));

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
