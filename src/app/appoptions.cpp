#include "appoptions.h"

#include "accountmanager.h"

#include <QCommandLineParser>
#include <QProcessEnvironment>

#include <algorithm>

namespace tenovos {

namespace {

// Tenovos accepts 1 to 50 security templates per asset.
constexpr int kMaxSecurityTemplates = 50;
constexpr qint64 kMaxPartSize = 5368709120LL;

bool readNumber(const QCommandLineParser &parser, const QCommandLineOption &option, qint64 minimum,
                qint64 maximum, qint64 *value, QString *error)
{
    if (!parser.isSet(option))
        return true;
    const QString text = parser.value(option);
    bool ok = false;
    const qint64 number = text.toLongLong(&ok);
    if (!ok || number < minimum || number > maximum) {
        *error = AppOptionsParser::tr("--%1 \"%2\" is invalid. Give a whole number from %3 to %4.")
                     .arg(option.names().constFirst(), text)
                     .arg(minimum)
                     .arg(maximum);
        return false;
    }
    *value = number;
    return true;
}

} // namespace

bool AppOptions::hasCredentials() const
{
    return apiUrl.isValid() && !apiKey.isEmpty() && !username.isEmpty() && !password.isEmpty();
}

bool AppOptionsParser::parse(const QStringList &arguments, AppOptions *options, QString *error)
{
    return parseArguments(arguments, options, error, nullptr);
}

bool AppOptionsParser::printsOnly(const QStringList &arguments)
{
    AppOptions options;
    QString error;
    bool printOnly = false;
    const bool valid = parseArguments(arguments, &options, &error, &printOnly);
    return printOnly || !valid;
}

bool AppOptionsParser::parseArguments(const QStringList &arguments, AppOptions *options, QString *error,
                                      bool *printOnly)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Desktop uploader for Tenovos: drop files or folders on the window, fill in the form once "
           "for the batch and press Upload.\n"
           "\n"
           "Given the API URL, API key, user name and the password in the TENOVOS_PASSWORD "
           "environment variable, the window signs in without asking. The API key and user name may "
           "also come from TENOVOS_API_KEY and TENOVOS_USERNAME."));
    const QCommandLineOption helpOption = parser.addHelpOption();
    const QCommandLineOption versionOption = parser.addVersionOption();

    const QCommandLineOption apiUrl(QStringLiteral("api-url"),
                                    tr("Tenovos API base URL of your tenant, such as https://api.tenovos.io/v1 "
                                       "(https unless the host is a loopback address)."),
                                    tr("URL"));
    const QCommandLineOption apiKey(QStringLiteral("api-key"),
                                    tr("API key of your tenant (default: $TENOVOS_API_KEY)."), tr("KEY"));
    const QCommandLineOption username(QStringLiteral("username"),
                                      tr("Tenovos user name to sign in with (default: $TENOVOS_USERNAME)."),
                                      tr("NAME"));
    const QCommandLineOption securityTemplate(
        QStringLiteral("security-template"),
        tr("Security template id to preselect in the form; repeat for several (1 to 50)."), tr("ID"));
    const QCommandLineOption metadataTemplate(QStringLiteral("metadata-template"),
                                              tr("Metadata template id to preselect in the form."), tr("ID"));
    const QCommandLineOption meta(
        QStringLiteral("meta"),
        tr("Metadata value to fill in; repeat for several. NAME is an attribute name or id of the metadata "
           "template. Dates as YYYY-MM-DD or mm/dd/yyyy; vocabulary values by name or id, several "
           "separated by ';'."),
        tr("NAME=VALUE"));
    const QCommandLineOption start(QStringLiteral("start"),
                                   tr("Start uploading the given files as soon as the window is signed in "
                                      "and the form is valid."));
    const QCommandLineOption checkStart(
        QStringLiteral("check-start"),
        tr("Open the window without signing in, check that the platform, icon and TLS plugins load, print "
           "the result and quit. Exits with 0 when every check passes, 1 otherwise. For installers and "
           "package tests."));
    const QCommandLineOption parallel(QStringLiteral("parallel"),
                                      tr("Parts uploaded at the same time across all files, 1 to 16 "
                                         "(default: 4)."),
                                      tr("N"), QStringLiteral("4"));
    const QCommandLineOption parallelFiles(QStringLiteral("parallel-files"),
                                           tr("Files uploaded at the same time, 1 to 16 (default: 4)."),
                                           tr("N"), QStringLiteral("4"));
    const QCommandLineOption partSize(QStringLiteral("part-size"),
                                      tr("Bytes per part of a multipart upload (default: 104857600). Must "
                                         "match the server; Tenovos uses 100 MiB."),
                                      tr("BYTES"), QStringLiteral("104857600"));
    parser.addOptions({apiUrl, apiKey, username, securityTemplate, metadataTemplate, meta, start, checkStart,
                       parallel, parallelFiles, partSize});
    parser.addPositionalArgument(QStringLiteral("paths"),
                                 tr("Files and folders to add to the queue. Folders are searched "
                                    "recursively; hidden files are skipped."),
                                 tr("[FILE|FOLDER...]"));

    if (printOnly) {
        // parse() needs no QCoreApplication, unlike process().
        if (!parser.parse(arguments)) {
            // QApplication takes its own options, such as -platform or
            // -style, out of the arguments before process() parses them.
            static const QStringList qtOptions{
                QStringLiteral("platform"),        QStringLiteral("platformpluginpath"),
                QStringLiteral("platformtheme"),   QStringLiteral("plugin"),
                QStringLiteral("display"),         QStringLiteral("geometry"),
                QStringLiteral("qwindowgeometry"), QStringLiteral("qwindowicon"),
                QStringLiteral("qwindowtitle"),    QStringLiteral("reverse"),
                QStringLiteral("style"),           QStringLiteral("stylesheet"),
                QStringLiteral("session"),         QStringLiteral("widgetcount"),
                QStringLiteral("qmljsdebugger"),
            };
            // The raw arguments are searched, because the parser splits
            // "-platform" into the short options p, l, a and so on.
            const bool qtOption = std::any_of(arguments.cbegin(), arguments.cend(), [](const QString &argument) {
                if (!argument.startsWith(QLatin1Char('-')))
                    return false;
                QString name = argument.section(QLatin1Char('='), 0, 0);
                while (name.startsWith(QLatin1Char('-')))
                    name.remove(0, 1);
                return qtOptions.contains(name);
            });
            if (qtOption)
                return true; // whether it only prints is known after QApplication removed them
            *printOnly = true;
            *error = parser.errorText();
            return false;
        }
        if (parser.isSet(helpOption) || parser.isSet(versionOption)
            || parser.optionNames().contains(QStringLiteral("help-all"))) {
            *printOnly = true;
            return true;
        }
    } else {
        // process() prints --help, --version and unknown options itself and exits.
        parser.process(arguments);
    }

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    if (parser.isSet(apiUrl)) {
        options->apiUrl = QUrl(parser.value(apiUrl), QUrl::StrictMode);
        QString problem;
        if (!AccountManager::validateApiUrl(options->apiUrl, &problem)) {
            *error = tr("--api-url: %1").arg(problem);
            return false;
        }
    }
    options->apiKey = parser.isSet(apiKey) ? parser.value(apiKey)
                                           : environment.value(QStringLiteral("TENOVOS_API_KEY"));
    options->username = parser.isSet(username) ? parser.value(username)
                                               : environment.value(QStringLiteral("TENOVOS_USERNAME"));
    options->password = environment.value(QStringLiteral("TENOVOS_PASSWORD"));

    options->securityTemplateIds = parser.values(securityTemplate);
    options->securityTemplateIds.removeDuplicates();
    if (options->securityTemplateIds.size() > kMaxSecurityTemplates) {
        *error = tr("Give at most %1 security templates with --security-template (%2 given).")
                     .arg(kMaxSecurityTemplates)
                     .arg(options->securityTemplateIds.size());
        return false;
    }
    options->metadataTemplateId = parser.value(metadataTemplate);

    const QStringList metaValues = parser.values(meta);
    for (const QString &entry : metaValues) {
        const qsizetype equals = entry.indexOf(QLatin1Char('='));
        if (equals <= 0) {
            *error = tr("--meta \"%1\" is not NAME=VALUE. Write it as, for example, "
                        "--meta \"Title=Spring campaign\".")
                         .arg(entry);
            return false;
        }
        options->metadata.append(qMakePair(entry.left(equals).trimmed(), entry.mid(equals + 1)));
    }

    qint64 parts = options->parallelParts;
    qint64 files = options->parallelFiles;
    if (!readNumber(parser, parallel, 1, 16, &parts, error)
        || !readNumber(parser, parallelFiles, 1, 16, &files, error)
        || !readNumber(parser, partSize, 1, kMaxPartSize, &options->partSize, error)) {
        return false;
    }
    options->parallelParts = static_cast<int>(parts);
    options->parallelFiles = static_cast<int>(files);
    options->start = parser.isSet(start);
    options->checkStart = parser.isSet(checkStart);
    options->paths = parser.positionalArguments();
    return true;
}

} // namespace tenovos
