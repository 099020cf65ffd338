#include "uploadcommand.h"

#include "enginethread.h"
#include "filecollector.h"
#include "metadatavalues.h"
#include "passwordprompt.h"
#include "uploadengine.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLocale>

#include <cstdio>

namespace tenovos::cli {

namespace {

// Revocation at the end gets this long before the program exits anyway.
constexpr int kSignOutGraceMs = 5000;

void printError(const QString &text)
{
    std::fputs((text + QLatin1Char('\n')).toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
}

void printOutput(const QString &text)
{
    std::fputs((text + QLatin1Char('\n')).toLocal8Bit().constData(), stdout);
    std::fflush(stdout);
}

QString formatSize(qint64 bytes)
{
    return QLocale::c().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

} // namespace

UploadCommand::UploadCommand(const CliOptions &options, QObject *parent)
    : QObject(parent)
    , m_options(options)
{
    m_progressTimer.setInterval(250);
    connect(&m_progressTimer, &QTimer::timeout, this, &UploadCommand::drawProgress);
}

UploadCommand::~UploadCommand()
{
    delete m_worker;
}

void UploadCommand::start(const QString &password)
{
    QStringList warnings;
    if (m_options.mode() != UploadMode::MetadataOnly && !m_options.resume)
        m_files = FileCollector::collect(m_options.paths, &warnings);
    for (const QString &warning : std::as_const(warnings))
        printError(tr("warning: %1").arg(warning));

    if (m_options.mode() == UploadMode::NewAsset && m_files.isEmpty() && !m_options.resume) {
        QStringList given;
        for (const QString &path : std::as_const(m_options.paths))
            given.append(QLatin1Char('"') + QDir::toNativeSeparators(path) + QLatin1Char('"'));
        fail(ExitUsage, tr("No files were found in %1. Hidden files and folders (names starting "
                           "with '.') are skipped; give folders that contain files to upload.")
                            .arg(given.join(QLatin1String(", "))));
        return;
    }
    if (m_options.mode() == UploadMode::NewVersion && m_files.size() != 1) {
        fail(ExitUsage, tr("--version-of takes exactly one file, but %1 were given or found.")
                            .arg(m_files.size()));
        return;
    }

    m_worker = new EngineThread;
    m_engine = m_worker->engine();
    connect(m_engine, &UploadEngine::signedIn, this, &UploadCommand::handleSignedIn);
    connect(m_engine, &UploadEngine::signInFailed, this, &UploadCommand::handleSignInFailed);
    connect(m_engine, &UploadEngine::signedOut, this, [this] {
        if (m_phase == Phase::SigningOut)
            finish(m_exitCode);
    });
    connect(m_engine, &UploadEngine::metadataTemplateLoaded, this,
            &UploadCommand::handleMetadataTemplate);
    connect(m_engine, &UploadEngine::vocabularyLoaded, this, &UploadCommand::handleVocabulary);
    connect(m_engine, &UploadEngine::taskProgress, this, &UploadCommand::handleTaskProgress);
    connect(m_engine, &UploadEngine::taskFinished, this, &UploadCommand::handleTaskFinished);
    connect(m_engine, &UploadEngine::queueFinished, this, &UploadCommand::handleQueueFinished);
    connect(m_engine, &UploadEngine::journalLoaded, this, &UploadCommand::handleJournalLoaded);
    connect(m_engine, &UploadEngine::journalProblem, this, [this](const QString &message) {
        m_journalProblem = true;
        clearProgressLine();
        printError(tr("warning: %1").arg(message));
    });
    connect(m_engine, &UploadEngine::taskResumed, this, &UploadCommand::handleTaskResumed);

    EngineSettings settings;
    settings.baseUrl = m_options.apiUrl;
    settings.apiKey = m_options.apiKey;
    settings.maxParallelParts = m_options.parallelParts;
    settings.maxParallelFiles = m_options.parallelFiles;
    settings.partSize = m_options.partSize;
    UploadEngine *engine = m_engine;
    const QString username = m_options.username;
    const QString dataDir = m_options.dataDir;
    // Every run records its multipart uploads in the journal, so that a
    // killed run can be continued with --resume.
    QMetaObject::invokeMethod(engine, [engine, settings, username, password, dataDir] {
        engine->configure(settings);
        engine->openJournal(dataDir);
        engine->signIn(username, password);
    });
}

void UploadCommand::handleSignedIn()
{
    if (m_phase != Phase::SigningIn)
        return;
    if (m_options.resume) {
        resumeFromJournal();
        return;
    }
    m_phase = Phase::LoadingMetadata;
    UploadEngine *engine = m_engine;
    const QString templateId = m_options.metadataTemplateId;
    QMetaObject::invokeMethod(engine, [engine, templateId] { engine->loadMetadataTemplate(templateId); });
}

void UploadCommand::handleJournalLoaded(const JournalSummaryList &entries)
{
    m_journalEntries = entries;
    if (m_options.resume || m_options.quiet)
        return;
    int forThisServer = 0;
    for (const JournalSummary &entry : entries)
        forThisServer += UploadJournal::sameServer(entry.baseUrl, m_options.apiUrl) ? 1 : 0;
    if (forThisServer > 0) {
        printError(tr("note: %n upload(s) to this server were interrupted earlier; run the same "
                      "command with --resume instead of the files to continue them.",
                      nullptr, forThisServer));
    }
}

void UploadCommand::resumeFromJournal()
{
    QHash<QString, QString> idsByKey;
    for (const JournalSummary &entry : std::as_const(m_journalEntries)) {
        if (!UploadJournal::sameServer(entry.baseUrl, m_options.apiUrl))
            continue;
        const QString id = QString::number(idsByKey.size() + 1);
        idsByKey.insert(entry.key, id);
        m_labels.insert(id, entry.filePath);
        m_totalBytes += entry.fileSize;
    }
    if (idsByKey.isEmpty()) {
        const int otherServers = int(m_journalEntries.size());
        QString message = tr("Nothing to resume: the upload journal contains no unfinished uploads "
                             "for %1.")
                              .arg(m_options.apiUrl.toString(QUrl::RemoveUserInfo));
        if (otherServers > 0)
            message += QLatin1Char(' ') + tr("%n upload(s) for other servers are kept.", nullptr, otherServers);
        if (!m_options.quiet || m_journalProblem)
            printError(message);
        // Signing out follows through finish(); Phase::Uploading lets it run.
        m_phase = Phase::Uploading;
        finish(m_journalProblem ? ExitUploadFailed : ExitSuccess);
        return;
    }

    m_phase = Phase::Uploading;
    m_elapsed.start();
    m_drawProgress = !m_options.quiet && stderrIsTerminal();
    if (m_drawProgress)
        m_progressTimer.start();
    UploadEngine *engine = m_engine;
    QMetaObject::invokeMethod(engine, [engine, idsByKey] { engine->resumeFromJournal(idsByKey); });
}

void UploadCommand::handleTaskResumed(const QString &id, const QString &, int confirmedParts, int partCount)
{
    if (m_options.quiet || m_options.json)
        return;
    clearProgressLine();
    printOutput(tr("resuming   %1  (%2 of %3 parts uploaded before)")
                    .arg(labelOf(id), QString::number(confirmedParts), QString::number(partCount)));
}

void UploadCommand::handleSignInFailed(const ApiError &error)
{
    if (m_phase == Phase::SigningIn) {
        fail(ExitSignInFailed, tr("error: %1").arg(error.userMessage()));
        return;
    }
    // The session ended during the upload. The engine would keep the files
    // waiting for a new sign-in, which a command line run cannot give, so
    // they are cancelled and listed in the summary.
    if (m_phase == Phase::Uploading) {
        clearProgressLine();
        printError(tr("error: %1 The files not uploaded yet are cancelled; run the command again "
                      "to upload them.")
                       .arg(error.userMessage()));
        UploadEngine *engine = m_engine;
        QMetaObject::invokeMethod(engine, [engine] { engine->cancelAll(); });
    }
}

void UploadCommand::handleMetadataTemplate(const QString &, const Result<MetadataTemplate> &result)
{
    if (m_phase != Phase::LoadingMetadata)
        return;
    if (!result) {
        if (!m_options.metadata.isEmpty()) {
            fail(ExitSignInFailed, tr("error: the metadata template %1 is needed to read --meta: "
                                      "%2")
                                       .arg(m_options.metadataTemplateId,
                                            result.error().userMessage()));
            return;
        }
        // Without --meta the template only serves the required-field check;
        // the server checks the metadata as well.
        printError(tr("warning: could not load the metadata template %1 to check required "
                      "values: %2")
                       .arg(m_options.metadataTemplateId, result.error().userMessage()));
        enqueue(QJsonArray());
        return;
    }
    m_template = result.value();
    m_haveTemplate = true;

    QSet<QString> seen;
    for (const auto &entry : std::as_const(m_options.metadata)) {
        const MetadataAttribute *attribute = m_template.findAttribute(entry.first);
        if (!attribute) {
            QStringList names;
            for (const MetadataAttribute &each : m_template.attributes()) {
                if (each.visible && !each.readOnly)
                    names.append(each.name);
            }
            fail(ExitUsage, tr("error: the metadata template \"%1\" has no attribute \"%2\". Use "
                               "one of: %3.")
                                .arg(m_template.name, entry.first, names.join(QLatin1String(", "))));
            return;
        }
        if (attribute->readOnly) {
            fail(ExitUsage, tr("error: the metadata attribute \"%1\" is read-only; remove --meta "
                               "%1.")
                                .arg(attribute->name));
            return;
        }
        if (seen.contains(attribute->id)) {
            fail(ExitUsage, tr("error: --meta %1 is given twice. Give several vocabulary values "
                               "in one --meta, separated by ';'.")
                                .arg(attribute->name));
            return;
        }
        seen.insert(attribute->id);
        if (attribute->type == MetadataAttribute::Type::ControlledVocabulary)
            m_pendingVocabularies.insert(attribute->vocabularyId);
    }

    if (m_pendingVocabularies.isEmpty()) {
        buildMetadataAndEnqueue();
        return;
    }
    UploadEngine *engine = m_engine;
    for (const QString &vocabularyId : std::as_const(m_pendingVocabularies)) {
        QMetaObject::invokeMethod(engine,
                                  [engine, vocabularyId] { engine->loadVocabulary(vocabularyId); });
    }
}

void UploadCommand::handleVocabulary(const QString &vocabularyId, const Result<Vocabulary> &result)
{
    if (m_phase != Phase::LoadingMetadata || !m_pendingVocabularies.remove(vocabularyId))
        return;
    if (!result) {
        fail(ExitSignInFailed, tr("error: could not load the values of vocabulary %1: %2")
                                   .arg(vocabularyId, result.error().userMessage()));
        return;
    }
    m_vocabularies.insert(vocabularyId, result.value());
    if (m_pendingVocabularies.isEmpty())
        buildMetadataAndEnqueue();
}

void UploadCommand::buildMetadataAndEnqueue()
{
    QJsonArray items;
    for (const auto &entry : std::as_const(m_options.metadata)) {
        const MetadataAttribute *attribute = m_template.findAttribute(entry.first);
        const auto vocabulary = m_vocabularies.constFind(attribute->vocabularyId);
        const Result<QJsonObject> item = MetadataValues::itemFromText(
            *attribute, entry.second,
            vocabulary != m_vocabularies.constEnd() ? &vocabulary.value() : nullptr);
        if (!item) {
            fail(ExitUsage, tr("error: %1").arg(item.error().userMessage()));
            return;
        }
        items.append(item.value());
    }

    // A new version keeps the asset's metadata, so only new assets must
    // carry every required value.
    if (m_haveTemplate && m_options.mode() != UploadMode::NewVersion) {
        const QList<MetadataAttribute> missing = MetadataValues::missingRequired(m_template, items);
        if (!missing.isEmpty()) {
            QStringList names;
            for (const MetadataAttribute &attribute : missing)
                names.append(attribute.name);
            fail(ExitUsage, tr("error: the metadata template \"%1\" requires values for %2. Add "
                               "them with --meta NAME=VALUE.")
                                .arg(m_template.name, names.join(QLatin1String(", "))));
            return;
        }
    }
    enqueue(items);
}

void UploadCommand::enqueue(const QJsonArray &metadata)
{
    m_phase = Phase::Uploading;

    UploadBatch batch;
    batch.mode = m_options.mode();
    batch.securityTemplateIds = m_options.securityTemplateIds;
    batch.metadataTemplateId = m_options.metadataTemplateId;
    batch.metadata = metadata;
    batch.versionOfObjectId = m_options.versionOfObjectId;
    batch.metadataOnlyName = m_options.metadataOnlyName;

    UploadItemList items;
    if (batch.mode == UploadMode::MetadataOnly) {
        items.append(UploadItem{QStringLiteral("1"), QString()});
        m_labels.insert(QStringLiteral("1"), m_options.metadataOnlyName);
    } else {
        for (qsizetype i = 0; i < m_files.size(); ++i) {
            const QString id = QString::number(i + 1);
            items.append(UploadItem{id, m_files.at(i)});
            m_labels.insert(id, m_files.at(i));
            const QFileInfo info(m_files.at(i));
            if (info.isFile())
                m_totalBytes += info.size();
        }
    }

    m_elapsed.start();
    m_drawProgress = !m_options.quiet && stderrIsTerminal();
    if (m_drawProgress)
        m_progressTimer.start();

    UploadEngine *engine = m_engine;
    QMetaObject::invokeMethod(engine, [engine, items, batch] { engine->enqueue(items, batch); });
}

void UploadCommand::handleTaskProgress(const QString &id, qint64 sent, qint64)
{
    m_sent.insert(id, sent);
}

void UploadCommand::handleTaskFinished(const QString &id, const UploadResult &result)
{
    m_results.append(result);
    const QString label = labelOf(id);
    clearProgressLine();

    if (m_options.json) {
        QJsonObject line;
        line.insert(QLatin1String("file"), label);
        line.insert(QLatin1String("objectId"),
                    result.objectId.isEmpty() ? QJsonValue() : QJsonValue(result.objectId));
        line.insert(QLatin1String("fileId"),
                    result.fileId.isEmpty() ? QJsonValue() : QJsonValue(result.fileId));
        line.insert(QLatin1String("status"), taskStateName(result.state));
        line.insert(QLatin1String("error"), result.error.isError()
                                                ? QJsonValue(result.error.userMessage())
                                                : QJsonValue());
        const QByteArray text = QJsonDocument(line).toJson(QJsonDocument::Compact) + '\n';
        std::fputs(text.constData(), stdout);
        std::fflush(stdout);
    } else if (!m_options.quiet) {
        switch (result.state) {
        case TaskState::Done:
            printOutput(tr("uploaded   %1  (object %2)").arg(label, result.objectId));
            break;
        case TaskState::Failed:
            printOutput(tr("failed     %1: %2").arg(label, result.error.userMessage()));
            break;
        default:
            printOutput(tr("cancelled  %1").arg(label));
            break;
        }
    }
    drawProgress();
}

void UploadCommand::handleQueueFinished()
{
    if (m_phase != Phase::Uploading)
        return;
    m_progressTimer.stop();
    clearProgressLine();
    printSummary();

    bool allDone = !m_results.isEmpty();
    for (const UploadResult &result : std::as_const(m_results))
        allDone = allDone && result.state == TaskState::Done;
    const int exitCode = m_interrupted ? ExitInterrupted : (allDone ? ExitSuccess : ExitUploadFailed);
    finish(exitCode);
}

void UploadCommand::printSummary()
{
    int done = 0;
    QStringList problems;
    for (const UploadResult &result : std::as_const(m_results)) {
        const QString label = labelOf(result.id);
        if (result.state == TaskState::Done)
            ++done;
        else if (result.state == TaskState::Failed)
            problems.append(tr("  %1: %2").arg(label, result.error.userMessage()));
        else
            problems.append(tr("  %1: cancelled").arg(label));
    }
    const qint64 seconds = qMax<qint64>(1, m_elapsed.elapsed() / 1000);
    if (!m_options.quiet || !problems.isEmpty()) {
        printError(tr("Uploaded %1 of %2 files (%3 in %4 s).")
                       .arg(QString::number(done), QString::number(m_results.size()),
                            formatSize(m_totalBytes), QString::number(seconds)));
    }
    if (!problems.isEmpty()) {
        printError(tr("Not uploaded:"));
        for (const QString &line : std::as_const(problems))
            printError(line);
    }
}

void UploadCommand::drawProgress()
{
    if (!m_drawProgress || m_phase != Phase::Uploading)
        return;
    qint64 sent = 0;
    for (const qint64 bytes : std::as_const(m_sent))
        sent += bytes;
    const int percent = m_totalBytes > 0 ? int(sent * 100 / m_totalBytes) : 0;
    const double seconds = qMax<qint64>(1, m_elapsed.elapsed()) / 1000.0;
    const qint64 speed = qint64(double(sent) / seconds);
    const QString line = tr("[%1%] %2 of %3 files done, %4 of %5, %6/s")
                             .arg(percent, 3)
                             .arg(m_results.size())
                             .arg(m_labels.size())
                             .arg(formatSize(sent), formatSize(m_totalBytes), formatSize(speed));
    // Carriage return and "erase to end of line" redraw the line in place.
    std::fputs((QLatin1String("\r\x1b[K") + line).toLocal8Bit().constData(), stderr);
    std::fflush(stderr);
    m_progressLineShown = true;
}

void UploadCommand::clearProgressLine()
{
    if (!m_progressLineShown)
        return;
    std::fputs("\r\x1b[K", stderr);
    std::fflush(stderr);
    m_progressLineShown = false;
}

void UploadCommand::interrupt(int count)
{
    if (count > 1 || m_phase != Phase::Uploading) {
        clearProgressLine();
        printError(tr("Interrupted."));
        m_phase = Phase::Done;
        Q_EMIT finished(ExitInterrupted);
        return;
    }
    m_interrupted = true;
    clearProgressLine();
    printError(tr("Cancelling the uploads in flight; press Ctrl+C again to quit at once."));
    UploadEngine *engine = m_engine;
    QMetaObject::invokeMethod(engine, [engine] { engine->cancelAll(); });
}

void UploadCommand::fail(int exitCode, const QString &message)
{
    clearProgressLine();
    printError(message);
    finish(exitCode);
}

void UploadCommand::finish(int exitCode)
{
    if (m_phase == Phase::Done)
        return;
    m_exitCode = exitCode;
    m_progressTimer.stop();
    if (m_engine && m_phase != Phase::SigningOut && m_phase != Phase::SigningIn) {
        // Revoke the session; signedOut() or the grace period ends the run.
        m_phase = Phase::SigningOut;
        UploadEngine *engine = m_engine;
        QMetaObject::invokeMethod(engine, [engine] { engine->signOut(); });
        QTimer::singleShot(kSignOutGraceMs, this, [this] { finish(m_exitCode); });
        return;
    }
    m_phase = Phase::Done;
    Q_EMIT finished(exitCode);
}

QString UploadCommand::labelOf(const QString &id) const
{
    return QDir::toNativeSeparators(m_labels.value(id, id));
}

} // namespace tenovos::cli
