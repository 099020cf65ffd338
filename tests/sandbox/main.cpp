// tenovos-sandbox: runs a SandboxServer on 127.0.0.1 until SIGINT or SIGTERM.
// The first line on stdout is the base URL; request logs go to stderr.

#include "sandboxlogging.h"
#include "sandboxserver.h"

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDir>
#include <QTemporaryFile>

#include <cstdio>

#if defined(Q_OS_UNIX)
#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#elif defined(Q_OS_WIN)
#include <windows.h>
#endif

using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

#if defined(Q_OS_UNIX)
// A signal handler may only do async-signal-safe work, so it writes one byte
// to a socket pair and the event loop quits when the byte arrives.
int signalSockets[2] = {-1, -1};

void onTerminationSignal(int)
{
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(signalSockets[0], &byte, 1);
}

void installTerminationHandlers(QCoreApplication *app)
{
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalSockets) != 0) {
        qCWarning(tenovos::sandbox::lcSandbox) << "Could not create the signal socket pair; stop the sandbox with SIGKILL.";
        return;
    }
    auto *notifier = new QSocketNotifier(signalSockets[1], QSocketNotifier::Read, app);
    QObject::connect(notifier, &QSocketNotifier::activated, app, [notifier] {
        char byte = 0;
        [[maybe_unused]] const auto count = ::read(signalSockets[1], &byte, 1);
        notifier->setEnabled(false);
        QCoreApplication::quit();
    });
    struct sigaction action = {};
    action.sa_handler = onTerminationSignal;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
}
#elif defined(Q_OS_WIN)
// Windows has no SIGTERM; Ctrl+C, Ctrl+Break and closing the console arrive
// through a console control handler on a separate thread.
BOOL WINAPI onConsoleControl(DWORD)
{
    QMetaObject::invokeMethod(QCoreApplication::instance(), &QCoreApplication::quit, Qt::QueuedConnection);
    return TRUE;
}

void installTerminationHandlers(QCoreApplication *)
{
    SetConsoleCtrlHandler(onConsoleControl, TRUE);
}
#else
void installTerminationHandlers(QCoreApplication *)
{
}
#endif

// Parses a whole number option; on failure prints a message naming the
// option and returns false.
bool readNumber(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 min, qint64 max,
                qint64 *value)
{
    if (!parser.isSet(option))
        return true;
    const QString text = parser.value(option);
    bool ok = false;
    const qint64 number = text.toLongLong(&ok);
    if (!ok || number < min || number > max) {
        std::fprintf(stderr, "%s\n",
                     qPrintable(QCoreApplication::translate("main", "tenovos-sandbox: --%1 \"%2\" is invalid; give a "
                                                                    "whole number from %3 to %4.")
                                    .arg(option.names().constFirst(), text)
                                    .arg(min)
                                    .arg(max)));
        return false;
    }
    *value = number;
    return true;
}

// Creates the data folder and writes a probe file into it, because a folder
// that cannot be written would only show up later as a 500 on every upload.
// Returns an empty string when it is usable, else a message naming it.
QString checkDataDir(const QString &path)
{
    const QString native = QDir::toNativeSeparators(path);
    if (!QDir().mkpath(path)) {
        return QCoreApplication::translate("main", "--data-dir \"%1\" could not be created. Give a folder "
                                                   "that exists or can be created, and that you can write to.")
            .arg(native);
    }
    QTemporaryFile probe(QDir(path).filePath(QStringLiteral(".write-check-XXXXXX")));
    if (!probe.open() || probe.write("x", 1) != 1 || !probe.flush()) {
        return QCoreApplication::translate("main", "--data-dir \"%1\" cannot be written (%2). Give a "
                                                   "folder you can write to.")
            .arg(native, probe.errorString());
    }
    return QString();
}

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("tenovos-sandbox"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TENOVOS_VERSION_STRING));
    if (qEnvironmentVariableIsEmpty("QT_MESSAGE_PATTERN"))
        qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{category} %{type}: %{message}"));

    QCommandLineParser parser;
    parser.setApplicationDescription(QCoreApplication::translate(
        "main", "A local Tenovos-compatible server for tests and demos. It listens on 127.0.0.1 only, prints its base "
                "URL as the first line on stdout and logs one line per request to stderr. Stop it with SIGINT or "
                "SIGTERM.\n"
                "\n"
                "Exit status: 0 stopped by SIGINT or SIGTERM, 1 could not listen on the port, 2 invalid command "
                "line or unusable --data-dir folder."));
    parser.addHelpOption();
    parser.addVersionOption();

    const SandboxConfig defaults;
    const QCommandLineOption portOption(QStringLiteral("port"),
                                        QCoreApplication::translate("main", "TCP port on 127.0.0.1; 0 picks a free one (default 0)."),
                                        QStringLiteral("port"), QStringLiteral("0"));
    const QCommandLineOption dataDirOption(QStringLiteral("data-dir"),
                                           QCoreApplication::translate("main", "Folder for uploaded bytes and the state file; a sandbox started again on it continues with the same sessions, assets and uploads (default: a temporary folder removed on exit, state in memory only)."),
                                           QStringLiteral("dir"));
    const QCommandLineOption partSizeOption(QStringLiteral("part-size"),
                                            QCoreApplication::translate("main", "Bytes per multipart part (default %1). Also lowers the minimum part size to this value unless --min-part-size is given. Sizes below 5 MiB (5242880) suit tests only: S3 rejects every part but the last below 5 MiB, so real uploads need at least that.").arg(defaults.partSize),
                                            QStringLiteral("bytes"));
    const QCommandLineOption minPartSizeOption(QStringLiteral("min-part-size"),
                                               QCoreApplication::translate("main", "Smallest size in bytes of every part but the last that complete accepts (default %1).")
                                                   .arg(defaults.minPartSize),
                                               QStringLiteral("bytes"));
    const QCommandLineOption thresholdOption(QStringLiteral("multipart-threshold"),
                                             QCoreApplication::translate("main", "File size in bytes from which create returns part URLs (default %1).")
                                                 .arg(defaults.multipartThreshold),
                                             QStringLiteral("bytes"));
    const QCommandLineOption tokenLifetimeOption(QStringLiteral("token-lifetime"),
                                                 QCoreApplication::translate("main", "Access token lifetime in seconds; 0 or less mints expired tokens (default %1).")
                                                     .arg(defaults.accessTokenLifetimeSeconds),
                                                 QStringLiteral("seconds"));
    const QCommandLineOption urlLifetimeOption(QStringLiteral("url-lifetime"),
                                               QCoreApplication::translate("main", "Presigned URL lifetime in seconds, at most 604800; 0 or less hands out expired URLs (default %1).")
                                                   .arg(defaults.urlLifetimeSeconds),
                                               QStringLiteral("seconds"));
    const QCommandLineOption forbidOption(QStringLiteral("forbid-security-templates"),
                                          QCoreApplication::translate("main", "Make GET /security/template return 403, as Tenovos does for users who are not administrators."));
    const QCommandLineOption faultOption(QStringLiteral("fault"),
                                         QCoreApplication::translate(
                                             "main",
                                             "Add a fault rule; repeatable. Syntax: KIND[@PART][#N[-M]][~P]:ACTION[=ARG][,retry-after=SECONDS|none]. "
                                             "KIND: token, create, complete, cancel, lookup, put or any. "
                                             "@PART: only PUTs of that part number (put or any). "
                                             "#N: only the Nth matching request; #N-M the Nth to the Mth. "
                                             "~P: each matching request with probability P, above 0 and at most 1, drawn from --fault-seed. "
                                             "ACTION: status=CODE (400 to 599; status=413 answers as a reverse proxy, with an HTML page), "
                                             "drop=BYTES (close the connection after BYTES of the body), "
                                             "stall=SECONDS (pause, at most 3600), no-etag (PUT answered without ETag), "
                                             "expired (expired URL, or expired access token on API calls), "
                                             "expired-token (PUT whose URL's session token expired) or "
                                             "random (one of status=500, status=503, drop=0, and for PUTs drop=65536 or no-etag). "
                                             "retry-after sets Retry-After on 429 and 503 in seconds, 0 to 86400 (default 1); none leaves it out. "
                                             "Examples: put@3#2:status=503, any~0.2:random. Details in tests/sandbox/README.md."),
                                         QStringLiteral("rule"));
    const QCommandLineOption faultSeedOption(QStringLiteral("fault-seed"),
                                             QCoreApplication::translate("main", "Seed of the random fault rules (~P and random), a whole number from 0 to 9007199254740991; the same seed gives the same faults for the same requests (default 0)."),
                                             QStringLiteral("number"));
    parser.addOptions({portOption, dataDirOption, partSizeOption, minPartSizeOption, thresholdOption,
                       tokenLifetimeOption, urlLifetimeOption, forbidOption, faultOption, faultSeedOption});
    // parse() instead of process(): process() exits with status 1 on an
    // unknown option, but an invalid command line exits with 2.
    if (!parser.parse(QCoreApplication::arguments())) {
        std::fprintf(stderr, "tenovos-sandbox: %s\n%s\n", qPrintable(parser.errorText()),
                     qPrintable(QCoreApplication::translate("main", "Run tenovos-sandbox --help for the options.")));
        return 2;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")))
        parser.showHelp(0);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();
    // Before anything prints the base URL, so that a script may stop the
    // sandbox as soon as it has read that line.
    installTerminationHandlers(&app);

    SandboxConfig config;
    qint64 port = 0;
    qint64 tokenLifetime = config.accessTokenLifetimeSeconds;
    qint64 urlLifetime = config.urlLifetimeSeconds;
    qint64 faultSeed = 0;
    constexpr qint64 maxBytes = 5368709120;
    constexpr qint64 maxSeconds = 10LL * 365 * 24 * 3600;
    // The largest integer JSON (GET /sandbox/faults) carries exactly.
    constexpr qint64 maxSeed = 9007199254740991;
    if (!readNumber(parser, portOption, 0, 65535, &port)
        || !readNumber(parser, partSizeOption, 1, maxBytes, &config.partSize)
        || !readNumber(parser, minPartSizeOption, 0, maxBytes, &config.minPartSize)
        || !readNumber(parser, thresholdOption, 0, maxBytes, &config.multipartThreshold)
        || !readNumber(parser, tokenLifetimeOption, -maxSeconds, maxSeconds, &tokenLifetime)
        || !readNumber(parser, urlLifetimeOption, -maxSeconds, 604800, &urlLifetime)
        || !readNumber(parser, faultSeedOption, 0, maxSeed, &faultSeed)) {
        return 2;
    }
    // A part size below the default minimum lowers the minimum with it, so
    // small demo parts complete without a separate --min-part-size.
    if (parser.isSet(partSizeOption) && !parser.isSet(minPartSizeOption))
        config.minPartSize = qMin(config.minPartSize, config.partSize);
    config.accessTokenLifetimeSeconds = static_cast<int>(tokenLifetime);
    config.urlLifetimeSeconds = static_cast<int>(urlLifetime);
    config.securityTemplateListForbidden = parser.isSet(forbidOption);
    config.dataDir = parser.value(dataDirOption);
    config.faultSeed = static_cast<quint64>(faultSeed);

    if (const QString problem = config.validate(); !problem.isEmpty()) {
        std::fprintf(stderr, "tenovos-sandbox: %s\n", qPrintable(problem));
        return 2;
    }
    if (!config.dataDir.isEmpty()) {
        if (const QString problem = checkDataDir(config.dataDir); !problem.isEmpty()) {
            std::fprintf(stderr, "tenovos-sandbox: %s\n", qPrintable(problem));
            return 2;
        }
    }

    SandboxServer server(config);
    QString faultError;
    if (!server.addFaults(parser.values(faultOption), &faultError)) {
        std::fprintf(stderr, "tenovos-sandbox: %s\n", qPrintable(faultError));
        return 2;
    }
    if (!server.listen(static_cast<quint16>(port))) {
        std::fprintf(stderr, "tenovos-sandbox: %s\n", qPrintable(server.errorString()));
        return 1;
    }

    std::fprintf(stdout, "%s\n", qPrintable(server.baseUrl().toString()));
    std::fflush(stdout);
    const int status = app.exec();
    server.close();
    qCInfo(tenovos::sandbox::lcSandbox) << "Stopped";
    return status;
}
