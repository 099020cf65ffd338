// tenovos-uploader: the desktop window. See AppOptionsParser for the command
// line; the README for a first run against the local sandbox.

#include "applogging.h"
#include "appoptions.h"
#include "interrupthandler.h"
#include "logfile.h"
#include "mainwindow.h"

#include <QApplication>
#include <QDeadlineTimer>
#include <QIcon>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>
#include <QSslSocket>
#include <QSysInfo>
#include <QTimer>
#include <QTranslator>
#include <QWindow>

#include <cstdio>
#include <memory>

namespace {

// How long --check-start waits for the window system to expose the window.
constexpr int kStartCheckTimeoutMs = 10000;

// Checks, once the window is shown, what a packaged window needs at run time
// and a build tree always has: the platform plugin, the SVG icon plugins and
// a TLS backend. Prints the result and returns the exit code for
// --check-start.
int reportStartCheck(const tenovos::MainWindow &window, bool translationsLoaded)
{
    QStringList failures;
    const QWindow *handle = window.windowHandle();
    if (!window.isVisible() || handle == nullptr || !handle->isExposed()) {
        failures << QCoreApplication::translate(
                        "main", "The window was not shown within %1 seconds on the \"%2\" platform. Check the "
                                "display connection (DISPLAY or WAYLAND_DISPLAY) or set QT_QPA_PLATFORM.")
                        .arg(kStartCheckTimeoutMs / 1000)
                        .arg(QGuiApplication::platformName());
    }
    // Without an SVG icon engine or image plugin, QIcon draws nothing.
    if (QApplication::windowIcon().pixmap(QSize(64, 64)).isNull()) {
        failures << QCoreApplication::translate(
            "main", "The window icon (an SVG file) could not be drawn, so the Qt SVG plugins "
                    "(iconengines/qsvgicon and imageformats/qsvg) are missing. Reinstall the program; on "
                    "Debian and Ubuntu they come with libqt6svg6.");
    }
    if (!QSslSocket::supportsSsl()) {
        failures << QCoreApplication::translate(
            "main", "No TLS backend is available, so every https request would fail: the Qt TLS plugins "
                    "(tls/) or OpenSSL 3 are missing. Reinstall the program; on Debian and Ubuntu they come "
                    "with libqt6network6 and libssl3.");
    }

    if (!failures.isEmpty()) {
        for (const QString &failure : std::as_const(failures))
            std::fprintf(stderr, "tenovos-uploader: start check failed: %s\n", qPrintable(failure));
        return 1;
    }
    const QString summary =
        QCoreApplication::translate("main", "tenovos-uploader %1: start check passed (Qt %2, platform %3, TLS "
                                            "backend %4, translations %5).")
            .arg(QCoreApplication::applicationVersion(), QString::fromLatin1(qVersion()),
                 QGuiApplication::platformName(), QSslSocket::activeBackend(),
                 translationsLoaded ? QCoreApplication::translate("main", "loaded")
                                    : QCoreApplication::translate("main", "not built"));
    std::printf("%s\n", qPrintable(summary));
    return 0;
}

} // namespace

int main(int argc, char *argv[])
{
    // --help, --version and invalid arguments only print, so they must work
    // without a display. A QCoreApplication loads no platform plugin, so an
    // installed copy prints them even where the installer carries only the
    // native platform plugin.
    QStringList rawArguments;
    for (int index = 0; index < argc; ++index)
        rawArguments.append(QString::fromLocal8Bit(argv[index]));
    const bool printOnly = tenovos::AppOptionsParser::printsOnly(rawArguments);

    std::unique_ptr<QCoreApplication> app;
    if (printOnly)
        app = std::make_unique<QCoreApplication>(argc, argv);
    else
        app = std::make_unique<QApplication>(argc, argv);
    QCoreApplication::setOrganizationName(QStringLiteral("Tenovos"));
    QCoreApplication::setOrganizationDomain(QStringLiteral("tenovos.com"));
    QCoreApplication::setApplicationName(QStringLiteral("Tenovos Uploader"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TENOVOS_VERSION_STRING));
    if (!printOnly) {
        QGuiApplication::setApplicationDisplayName(QStringLiteral("Tenovos Uploader"));
        // The id of the Linux package's desktop entry, AppStream metadata and
        // icon (packaging/AppIdentity.cmake). Wayland compositors match the
        // window to its desktop entry by this id.
        QGuiApplication::setDesktopFileName(QStringLiteral("com.tenovos.Uploader"));
    }

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
        QCoreApplication::installTranslator(&qtTranslator);
    }
    // English first: it contains the plural forms of "%n file(s)" messages,
    // and a translator installed later (the user's language) takes precedence.
    QTranslator englishTranslator;
    const bool englishLoaded = englishTranslator.load(QStringLiteral(":/i18n/tenovos-uploader_en.qm"));
    if (englishLoaded)
        QCoreApplication::installTranslator(&englishTranslator);
    QTranslator appTranslator;
    if (appTranslator.load(QLocale(), QStringLiteral("tenovos-uploader"), QStringLiteral("_"),
                           QStringLiteral(":/i18n"))) {
        QCoreApplication::installTranslator(&appTranslator);
    }

    tenovos::AppOptions options;
    QString error;
    if (!tenovos::AppOptionsParser::parse(QCoreApplication::arguments(), &options, &error)) {
        std::fprintf(stderr, "tenovos-uploader: %s\n", qPrintable(error));
        return 2;
    }
    // printsOnly() and parse() read the same arguments, so parse() has
    // already printed and exited. A window needs a QApplication.
    if (printOnly)
        return 2;

    tenovos::MainWindow window(options);
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/tenovos-uploader.svg")));
    window.setWindowIcon(QApplication::windowIcon());
    window.show();

    // --check-start: no sign-in, no journal and no dialogs. Quits as soon as
    // the window system has shown the window, or after kStartCheckTimeoutMs.
    QTimer startCheckTimer;
    const QDeadlineTimer startCheckDeadline(kStartCheckTimeoutMs);
    if (options.checkStart) {
        startCheckTimer.setInterval(20);
        QObject::connect(&startCheckTimer, &QTimer::timeout, &window, [&] {
            const QWindow *handle = window.windowHandle();
            if ((handle == nullptr || !handle->isExposed()) && !startCheckDeadline.hasExpired())
                return;
            startCheckTimer.stop();
            QCoreApplication::exit(reportStartCheck(window, englishLoaded));
        });
        startCheckTimer.start();
        return QCoreApplication::exec();
    }

    // SIGINT or SIGTERM (Ctrl+C in the terminal that started the window):
    // cancel unfinished uploads on the server, then quit; a second one quits
    // at once.
    tenovos::InterruptHandler interrupts;
    QObject::connect(&interrupts, &tenovos::InterruptHandler::interrupted, &window, [&window](int count) {
        if (count == 1)
            window.cancelUploadsAndQuit();
        else
            QCoreApplication::exit(130);
    });
    // Sign in and queue files once the event loop runs, so dialogs open over
    // a visible window.
    QTimer::singleShot(0, &window, &tenovos::MainWindow::start);
    return QCoreApplication::exec();
}
