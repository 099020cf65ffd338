#pragma once

#include "uploadtypes.h"

#include <QCoreApplication>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace tenovos::cli {

// Exit statuses of tenovos-upload.
enum ExitCode {
    ExitSuccess = 0,       // every file uploaded
    ExitUploadFailed = 1,  // at least one file failed or was cancelled
    ExitUsage = 2,         // invalid command line or metadata values; nothing was uploaded
    ExitSignInFailed = 3,  // sign-in or a look-up before the upload failed
    ExitInterrupted = 130, // SIGINT: in-flight uploads were cancelled
};

// The command line, checked: every field is valid when parse() succeeds.
struct CliOptions
{
    QUrl apiUrl;
    QString apiKey;
    QString username;
    QStringList securityTemplateIds;
    QString metadataTemplateId;
    QList<QPair<QString, QString>> metadata; // --meta NAME=VALUE, in order
    QString versionOfObjectId;
    QString metadataOnlyName;
    int parallelParts = 4;
    int parallelFiles = 4;
    qint64 partSize = 104857600;
    bool json = false;
    bool quiet = false;
    bool verbose = false;
    // --log-rules: QLoggingCategory rules for the log file and --verbose
    // output; empty: the defaults.
    QString logRules;
    // --resume: continue the uploads recorded in the journal instead of
    // uploading paths.
    bool resume = false;
    QString dataDir; // folder of the upload journal; empty: the default
    QStringList paths; // files and folders as given

    UploadMode mode() const;
};

// Parses and checks the command line. It prints --help or --version and
// exits by itself. On an invalid command line it returns false and sets
// *error to a message that names the option and the fix.
class CliParser
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::cli::CliParser)

public:
    static bool parse(const QStringList &arguments, CliOptions *options, QString *error);

    // Whether url may be used: https, or http to a loopback address
    // (127.0.0.0/8 or ::1). On false, *error describes why.
    static bool checkApiUrl(const QUrl &url, QString *error);
};

} // namespace tenovos::cli
