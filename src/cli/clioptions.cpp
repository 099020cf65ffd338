#include "clioptions.h"

#include <QCommandLineParser>
#include <QHostAddress>
#include <QProcessEnvironment>

namespace tenovos::cli {

namespace {

// Tenovos accepts 1 to 50 security templates per asset.
constexpr int kMaxSecurityTemplates = 50;
constexpr qint64 kMaxPartSize = 5368709120LL;

} // namespace

UploadMode CliOptions::mode() const
{
    if (!metadataOnlyName.isEmpty())
        return UploadMode::MetadataOnly;
    if (!versionOfObjectId.isEmpty())
        return UploadMode::NewVersion;
    return UploadMode::NewAsset;
}

bool CliParser::checkApiUrl(const QUrl &url, QString *error)
{
    if (!url.isValid() || url.host().isEmpty()) {
        *error = tr("--api-url \"%1\" is not a valid URL. Give the API base URL of your tenant, "
                    "such as https://api.tenovos.io/v1.")
                     .arg(url.toString());
        return false;
    }
    const QString scheme = url.scheme().toLower();
    if (scheme == QLatin1String("https"))
        return true;
    if (scheme == QLatin1String("http")) {
        // Plain http would expose the password and tokens; only a server on
        // this machine is exempt. Host names are not trusted to be local.
        const QHostAddress address(url.host());
        if (!address.isNull() && address.isLoopback())
            return true;
        *error = tr("--api-url must use https:// (plain http:// is accepted only for loopback "
                    "addresses such as 127.0.0.1 or ::1), but \"%1\" was given.")
                     .arg(url.toString(QUrl::RemoveUserInfo));
        return false;
    }
    *error = tr("--api-url must start with https://, but \"%1\" was given.")
                 .arg(url.toString(QUrl::RemoveUserInfo));
    return false;
}

bool CliParser::parse(const QStringList &arguments, CliOptions *options, QString *error)
{
    QCommandLineParser parser;
    parser.setApplicationDescription(
        tr("Uploads files and folders to Tenovos as new assets, as a new version of an asset, or "
           "creates a metadata-only asset.\n"
           "\n"
           "The password is read from the TENOVOS_PASSWORD environment variable, or asked for on "
           "the terminal. The API key may come from TENOVOS_API_KEY instead of --api-key.\n"
           "\n"
           "Exit status: 0 all files uploaded, 1 a file failed or was cancelled, 2 invalid "
           "command line or metadata, 3 sign-in or template look-up failed, 130 interrupted "
           "(in-flight uploads cancelled)."));
    parser.addHelpOption();
    parser.addVersionOption();

    const QCommandLineOption apiUrl(QStringLiteral("api-url"),
                                    tr("Tenovos API base URL of your tenant, such as "
                                       "https://api.tenovos.io/v1 (required; https unless the "
                                       "host is a loopback address)."),
                                    tr("URL"));
    const QCommandLineOption apiKey(QStringLiteral("api-key"),
                                    tr("API key of your tenant (default: $TENOVOS_API_KEY)."),
                                    tr("KEY"));
    const QCommandLineOption username(QStringLiteral("username"),
                                      tr("Tenovos user name to sign in with (default: "
                                         "$TENOVOS_USERNAME)."),
                                      tr("NAME"));
    const QCommandLineOption securityTemplate(
        QStringLiteral("security-template"),
        tr("Security template id for the new assets; repeat for several (1 to 50, required)."),
        tr("ID"));
    const QCommandLineOption metadataTemplate(QStringLiteral("metadata-template"),
                                              tr("Metadata template id for the new assets "
                                                 "(required)."),
                                              tr("ID"));
    const QCommandLineOption meta(
        QStringLiteral("meta"),
        tr("Metadata value; repeat for several. NAME is an attribute name or id of the metadata "
           "template. Dates as YYYY-MM-DD or mm/dd/yyyy; vocabulary values by name or id, "
           "several separated by ';'."),
        tr("NAME=VALUE"));
    const QCommandLineOption versionOf(QStringLiteral("version-of"),
                                       tr("Upload the one file given as a new version of this "
                                          "asset."),
                                       tr("OBJECT_ID"));
    const QCommandLineOption metadataOnly(QStringLiteral("metadata-only"),
                                          tr("Create an asset without content, named NAME; give "
                                             "no files."),
                                          tr("NAME"));
    const QCommandLineOption parallel(QStringLiteral("parallel"),
                                      tr("Parts uploaded at the same time across all files, 1 to "
                                         "16 (default: 4)."),
                                      tr("N"), QStringLiteral("4"));
    const QCommandLineOption parallelFiles(QStringLiteral("parallel-files"),
                                           tr("Files uploaded at the same time, 1 to 16 "
                                              "(default: 4)."),
                                           tr("N"), QStringLiteral("4"));
    const QCommandLineOption partSize(QStringLiteral("part-size"),
                                      tr("Bytes per part of a multipart upload (default: "
                                         "104857600). Must match the server; Tenovos uses "
                                         "100 MiB."),
                                      tr("BYTES"), QStringLiteral("104857600"));
    const QCommandLineOption json(QStringLiteral("json"),
                                  tr("Print one JSON object per finished file on stdout: file, "
                                     "objectId, fileId, status (done, failed, cancelled), "
                                     "error."));
    const QCommandLineOption quiet(QStringLiteral("quiet"),
                                   tr("Print no progress and no per-file lines; failures are "
                                      "still reported."));

    const QCommandLineOption verbose(QStringLiteral("verbose"),
                                     tr("Log each request, retry and failure of the engine on "
                                        "stderr and in the log file, at debug level (never "
                                        "secrets or signed URL queries). Without it the log file "
                                        "gets info messages and above. QT_LOGGING_RULES "
                                        "overrides the levels."));

    const QCommandLineOption logRules(QStringLiteral("log-rules"),
                                      tr("QLoggingCategory rules for the log file, separated by "
                                         "';', for example \"tenovos.upload.debug=true\" "
                                         "(default: info messages and above; with --verbose, "
                                         "debug). QT_LOGGING_RULES overrides them."),
                                      tr("RULES"));

    const QCommandLineOption resume(
        QStringLiteral("resume"),
        tr("Continue the uploads that an earlier run left unfinished (killed, crashed or "
           "interrupted twice), as recorded in the upload journal, for the server of --api-url. "
           "Parts confirmed before are not sent again; a file changed since is cancelled. Takes "
           "no files and no template options."));
    const QCommandLineOption dataDir(QStringLiteral("data-dir"),
                                     tr("Folder of the upload journal and of the log file "
                                        "logs/tenovos-upload.log, rotated at 5 MiB (default: "
                                        "$TENOVOS_DATA_DIR, else the application data folder)."),
                                     tr("DIR"));

    parser.addOptions({apiUrl, apiKey, username, securityTemplate, metadataTemplate, meta,
                       versionOf, metadataOnly, parallel, parallelFiles, partSize, json, quiet,
                       verbose, logRules, resume, dataDir});
    parser.addPositionalArgument(QStringLiteral("paths"),
                                 tr("Files and folders to upload. Folders are searched "
                                    "recursively; hidden files are skipped."),
                                 tr("[FILE|FOLDER...]"));

    // parse() instead of process(): process() exits with status 1 on an
    // unknown option, but an invalid command line exits with ExitUsage (2).
    if (!parser.parse(arguments)) {
        *error = parser.errorText();
        return false;
    }
    if (parser.isSet(QStringLiteral("help")) || parser.isSet(QStringLiteral("help-all")))
        parser.showHelp(ExitSuccess);
    if (parser.isSet(QStringLiteral("version")))
        parser.showVersion();

    const QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();

    if (!parser.isSet(apiUrl)) {
        *error = tr("--api-url is missing. Give the API base URL of your tenant, such as "
                    "https://api.tenovos.io/v1.");
        return false;
    }
    const QString apiUrlText = parser.value(apiUrl).trimmed();
    if (!apiUrlText.contains(QLatin1String("://"))) {
        *error = tr("--api-url \"%1\" does not start with a scheme. Start it with https:// "
                    "(or http:// for a loopback address such as 127.0.0.1), for example "
                    "https://api.tenovos.io/v1.")
                     .arg(apiUrlText);
        return false;
    }
    options->apiUrl = QUrl(apiUrlText, QUrl::StrictMode);
    if (!checkApiUrl(options->apiUrl, error)) {
        // An invalid QUrl prints as "", so the message names the text given.
        if (!options->apiUrl.isValid())
            *error = tr("--api-url \"%1\" is not a valid URL. Give the API base URL of your "
                        "tenant, such as https://api.tenovos.io/v1.")
                         .arg(apiUrlText);
        return false;
    }

    options->apiKey = parser.isSet(apiKey) ? parser.value(apiKey)
                                           : environment.value(QStringLiteral("TENOVOS_API_KEY"));
    if (options->apiKey.isEmpty()) {
        *error = tr("No API key is given. Use --api-key KEY or set TENOVOS_API_KEY.");
        return false;
    }
    options->username = parser.isSet(username)
        ? parser.value(username)
        : environment.value(QStringLiteral("TENOVOS_USERNAME"));
    if (options->username.isEmpty()) {
        *error = tr("No user name is given. Use --username NAME or set TENOVOS_USERNAME.");
        return false;
    }

    options->resume = parser.isSet(resume);
    options->dataDir = parser.value(dataDir);
    if (options->resume
        && (!parser.positionalArguments().isEmpty() || parser.isSet(versionOf)
            || parser.isSet(metadataOnly) || parser.isSet(meta))) {
        *error = tr("--resume continues the uploads recorded in the journal with their own "
                    "settings, so it takes no files, --meta, --version-of or --metadata-only.");
        return false;
    }

    options->securityTemplateIds = parser.values(securityTemplate);
    options->securityTemplateIds.removeDuplicates();
    if ((!options->resume && options->securityTemplateIds.isEmpty())
        || options->securityTemplateIds.size() > kMaxSecurityTemplates) {
        *error = tr("Give 1 to %1 security templates with --security-template ID (%2 given).")
                     .arg(kMaxSecurityTemplates)
                     .arg(options->securityTemplateIds.size());
        return false;
    }
    options->metadataTemplateId = parser.value(metadataTemplate);
    if (!options->resume && options->metadataTemplateId.isEmpty()) {
        *error = tr("--metadata-template is missing. Give the id of the metadata template for the "
                    "new assets.");
        return false;
    }

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

    options->versionOfObjectId = parser.value(versionOf);
    options->metadataOnlyName = parser.value(metadataOnly);
    options->paths = parser.positionalArguments();
    if (!options->versionOfObjectId.isEmpty() && parser.isSet(metadataOnly)) {
        *error = tr("--version-of and --metadata-only cannot be used together.");
        return false;
    }
    if (parser.isSet(metadataOnly)) {
        if (options->metadataOnlyName.trimmed().isEmpty()) {
            *error = tr("--metadata-only needs a name for the asset.");
            return false;
        }
        if (!options->paths.isEmpty()) {
            *error = tr("--metadata-only creates an asset without content; remove the files from "
                        "the command line.");
            return false;
        }
    } else if (options->paths.isEmpty() && !options->resume) {
        *error = tr("No files or folders are given. Add the paths to upload at the end of the "
                    "command line.");
        return false;
    }

    bool ok = false;
    options->parallelParts = parser.value(parallel).toInt(&ok);
    if (!ok || options->parallelParts < 1 || options->parallelParts > 16) {
        *error = tr("--parallel must be a number from 1 to 16, but \"%1\" was given.")
                     .arg(parser.value(parallel));
        return false;
    }
    options->parallelFiles = parser.value(parallelFiles).toInt(&ok);
    if (!ok || options->parallelFiles < 1 || options->parallelFiles > 16) {
        *error = tr("--parallel-files must be a number from 1 to 16, but \"%1\" was given.")
                     .arg(parser.value(parallelFiles));
        return false;
    }
    options->partSize = parser.value(partSize).toLongLong(&ok);
    if (!ok || options->partSize < 1 || options->partSize > kMaxPartSize) {
        *error = tr("--part-size must be a number of bytes from 1 to %1, but \"%2\" was given.")
                     .arg(kMaxPartSize)
                     .arg(parser.value(partSize));
        return false;
    }

    options->json = parser.isSet(json);
    options->quiet = parser.isSet(quiet);
    options->verbose = parser.isSet(verbose);
    options->logRules = parser.value(logRules);
    return true;
}

} // namespace tenovos::cli
