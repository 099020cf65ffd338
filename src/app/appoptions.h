#pragma once

#include <QCoreApplication>
#include <QList>
#include <QPair>
#include <QString>
#include <QStringList>
#include <QUrl>

namespace tenovos {

// The window's command line: the connection and batch options of
// tenovos-upload, the files to queue, --start and --check-start.
struct AppOptions
{
    QUrl apiUrl;
    QString apiKey;
    QString username;
    QString password; // from TENOVOS_PASSWORD, never from the command line
    QStringList securityTemplateIds;
    QString metadataTemplateId;
    QList<QPair<QString, QString>> metadata; // --meta NAME=VALUE, in order
    QStringList paths;                       // files and folders to queue
    bool start = false;                      // upload at once when the form is valid
    bool checkStart = false;                 // open the window, check its plugins, quit
    int parallelParts = 4;
    int parallelFiles = 4;
    qint64 partSize = 104857600;

    // Whether the window can sign in without asking.
    bool hasCredentials() const;
};

// Parses the window's command line. --help and --version print and exit.
class AppOptionsParser
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::AppOptionsParser)

public:
    // Returns false with *error naming the option and the fix when an
    // option is invalid.
    static bool parse(const QStringList &arguments, AppOptions *options, QString *error);

    // Whether parse() would only print (--help, --version, or an error in
    // the arguments) and exit, so the window needs no display. Needs no
    // QCoreApplication.
    static bool printsOnly(const QStringList &arguments);

private:
    // Without printOnly, as parse(). With it, nothing is printed: help,
    // version and unknown options set *printOnly and return.
    static bool parseArguments(const QStringList &arguments, AppOptions *options, QString *error,
                               bool *printOnly);
};

} // namespace tenovos
