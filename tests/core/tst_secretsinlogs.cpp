// No secret reaches the log files or the upload journal. A full upload (one
// multipart file with small parts, one single-PUT file) runs against the
// sandbox at debug level with a 503, a dropped connection and a PUT whose
// 200 response has no ETag. A last file fails because its upload link
// expired. Afterwards the test searches every log file, every state the
// journal file went through and the engine's error messages. It looks for
// the API key, the password, the access and refresh tokens and the
// Authorization value. It also looks for each presigned URL's signature and
// session token, percent-encoded as in the URL and decoded, in the journal
// as well: it keeps the part URLs with those values sealed, never in plain
// text.
//
// The secrets are taken from the wire: the engine talks to the sandbox
// through a forwarding proxy that records the REST responses, which carry
// the tokens and the part URLs. The PUTs go to the sandbox directly.
// commandLineLeavesNoSecrets() repeats the search for tenovos-upload
// --verbose: its output, every file in its data folder and the journal
// states read while the upload ran.

#include "logfile.h"
#include "uploadengine.h"
#include "uploadfixture.h"

#include "sandboxserver.h"

#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QRegularExpression>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTimer>
#include <QUrlQuery>
#include <QtTest>

using namespace tenovos;
using namespace tenovos::testing;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kPartSize = 5 * kMiB;
constexpr int kWaitMs = 60000;

Q_LOGGING_CATEGORY(lcCanary, "tenovos.test")

// Forwards every connection to 127.0.0.1:targetPort and records what the
// target sends back.
class RecordingProxy : public QTcpServer
{
public:
    explicit RecordingProxy(quint16 targetPort)
        : m_targetPort(targetPort)
    {
    }

    QByteArray responses() const { return m_responses; }

protected:
    void incomingConnection(qintptr descriptor) override
    {
        auto *client = new QTcpSocket(this);
        client->setSocketDescriptor(descriptor);
        auto *upstream = new QTcpSocket(this);
        auto pending = std::make_shared<QByteArray>();

        connect(client, &QTcpSocket::readyRead, this, [client, upstream, pending] {
            if (upstream->state() == QAbstractSocket::ConnectedState)
                upstream->write(client->readAll());
            else
                pending->append(client->readAll());
        });
        connect(upstream, &QTcpSocket::connected, this, [upstream, pending] {
            upstream->write(*pending);
            pending->clear();
        });
        connect(upstream, &QTcpSocket::readyRead, this, [this, client, upstream] {
            const QByteArray data = upstream->readAll();
            m_responses.append(data);
            client->write(data);
        });
        connect(client, &QTcpSocket::disconnected, upstream, &QTcpSocket::disconnectFromHost);
        connect(upstream, &QTcpSocket::disconnected, client, &QTcpSocket::disconnectFromHost);
        connect(client, &QTcpSocket::disconnected, client, &QObject::deleteLater);
        connect(upstream, &QTcpSocket::disconnected, upstream, &QObject::deleteLater);
        upstream->connectToHost(QHostAddress::LocalHost, m_targetPort);
    }

private:
    quint16 m_targetPort;
    QByteArray m_responses;
};

QStringList jsonStringValues(const QByteArray &text, const QString &name)
{
    QStringList values;
    const QRegularExpression pattern(QStringLiteral("\"%1\"\\s*:\\s*\"([^\"]+)\"").arg(name));
    auto matches = pattern.globalMatch(QString::fromUtf8(text));
    while (matches.hasNext())
        values.append(matches.next().captured(1));
    values.removeDuplicates();
    return values;
}

// The tokens in the recorded token responses.
QStringList sessionSecrets(const QByteArray &responses)
{
    return jsonStringValues(responses, QStringLiteral("accessToken"))
        + jsonStringValues(responses, QStringLiteral("authorization"))
        + jsonStringValues(responses, QStringLiteral("refreshToken"));
}

// The raw (as sent) and decoded values of one query parameter of a URL.
QStringList queryValueForms(const QString &url, const QString &name)
{
    QStringList forms;
    const QString query = url.mid(url.indexOf(QLatin1Char('?')) + 1);
    for (const QString &pair : query.split(QLatin1Char('&'))) {
        if (!pair.startsWith(name + QLatin1Char('=')))
            continue;
        const QString raw = pair.mid(name.size() + 1);
        forms.append(raw);
        forms.append(QUrl::fromPercentEncoding(raw.toLatin1()));
    }
    return forms;
}

// The signature and session token of every URL in the recorded responses.
QStringList urlSecretsOf(const QByteArray &responses)
{
    QStringList secrets;
    for (const QString &url : jsonStringValues(responses, QStringLiteral("url"))) {
        secrets += queryValueForms(url, QStringLiteral("X-Amz-Signature"));
        secrets += queryValueForms(url, QStringLiteral("X-Amz-Security-Token"));
    }
    return secrets;
}

// How many entries of a journal file list part URLs.
int entriesWithUrls(const QByteArray &journal)
{
    int count = 0;
    const QJsonArray entries = QJsonDocument::fromJson(journal).object().value(QLatin1String("entries")).toArray();
    for (const QJsonValue &entry : entries)
        count += entry.toObject().value(QLatin1String("urls")).toArray().isEmpty() ? 0 : 1;
    return count;
}

} // namespace

class tst_SecretsInLogs : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void cleanupTestCase();
    void uploadLeavesNoSecrets();
    void commandLineLeavesNoSecrets();

private:
    QTemporaryDir m_dir;
};

void tst_SecretsInLogs::initTestCase()
{
    QVERIFY(m_dir.isValid());
    LogFile::setDataDirectory(m_dir.filePath(QStringLiteral("data")));
    LogFile::Options options;
    options.rules = QStringLiteral("tenovos.*.debug=true");
    // Small files, so rotation happens during the run and old files are
    // searched as well.
    options.maxFileBytes = 4096;
    options.keptFiles = 50;
    options.echoToStderr = false;
    QString error;
    QVERIFY2(LogFile::install(options, &error), qPrintable(error));
}

void tst_SecretsInLogs::cleanupTestCase()
{
    LogFile::uninstall();
    LogFile::setDataDirectory(QString());
}

void tst_SecretsInLogs::uploadLeavesNoSecrets()
{
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    SandboxServer sandbox(config);
    QVERIFY2(sandbox.listen(0), qPrintable(sandbox.errorString()));
    QString error;
    QVERIFY2(sandbox.addFaults({QStringLiteral("create#1:status=503"), QStringLiteral("put@2#1:status=503"),
                                QStringLiteral("put@3#1:drop=65536"), QStringLiteral("put@1#1:no-etag")},
                               &error),
             qPrintable(error));

    RecordingProxy proxy(sandbox.port());
    QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
    QUrl apiUrl = sandbox.baseUrl();
    apiUrl.setPort(proxy.serverPort());

    const QString sourceDir = m_dir.filePath(QStringLiteral("source"));
    QVERIFY(QDir().mkpath(sourceDir));
    const SourceFile multipart = writeSourceFile(sourceDir + QStringLiteral("/multipart.bin"), 3 * kPartSize - 12345, 7);
    const SourceFile single = writeSourceFile(sourceDir + QStringLiteral("/single.bin"), 2 * kMiB, 8);
    QVERIFY(!multipart.md5.isEmpty());
    QVERIFY(!single.md5.isEmpty());

    UploadEngine engine;
    QSignalSpy finished(&engine, &UploadEngine::taskFinished);
    QStringList refreshTokens;
    connect(&engine, &UploadEngine::refreshTokenChanged, this,
            [&refreshTokens](const QString &, const QString &token) { refreshTokens.append(token); });
    // Every message the user could be shown, and its technical form.
    QStringList messages;
    connect(&engine, &UploadEngine::taskStateChanged, this,
            [&messages](const QString &, TaskState, const ApiError &error) {
                if (error.isError())
                    messages << error.userMessage() << error.logMessage();
            });

    // Every state the journal goes through, so entries removed at the end
    // are searched too.
    const QString journalDir = m_dir.filePath(QStringLiteral("data/journal"));
    QVERIFY(QDir().mkpath(journalDir));
    QList<QByteArray> journalStates;
    auto recordJournal = [&journalStates, journalDir] {
        QDirIterator files(journalDir, QDir::Files);
        while (files.hasNext()) {
            QFile file(files.next());
            if (file.open(QIODevice::ReadOnly))
                journalStates.append(file.readAll());
        }
    };
    connect(&engine, &UploadEngine::partStateChanged, this, recordJournal);
    connect(&engine, &UploadEngine::taskStateChanged, this, recordJournal);
    engine.openJournal(journalDir);

    EngineSettings settings;
    settings.baseUrl = apiUrl;
    settings.apiKey = sandbox.config().apiKey;
    settings.partSize = kPartSize;
    settings.multipartThreshold = kPartSize;
    settings.retryDelayMs = 50;
    settings.transferTimeoutMs = 10000;
    engine.configure(settings);

    QSignalSpy signedIn(&engine, &UploadEngine::signedIn);
    engine.signIn(sandbox.config().username, sandbox.config().password);
    QVERIFY(signedIn.wait(kWaitMs));

    engine.enqueue({{QStringLiteral("multipart"), multipart.path}, {QStringLiteral("single"), single.path}},
                   productPhotoBatch());
    QVERIFY(waitUntil(finished, [&finished] { return finished.size() == 2; }, kWaitMs));
    recordJournal();

    // The upload itself succeeded, so the faults were survived and not
    // merely avoided.
    for (const QList<QVariant> &arguments : std::as_const(finished)) {
        const auto result = arguments.at(1).value<UploadResult>();
        QVERIFY2(result.state == TaskState::Done, qPrintable(result.error.logMessage()));
        const SourceFile &source = result.id == QStringLiteral("multipart") ? multipart : single;
        QCOMPARE(sandbox.contentMd5(result.objectId), source.md5);
    }
    QCOMPARE(sandbox.assets().size(), 2);
    QCOMPARE(sandbox.openUploadCount(), 0);
    const QList<int> hits = sandbox.faultHits();
    QCOMPARE(hits.size(), 4);
    for (int hit : hits)
        QCOMPARE(hit, 1);

    // A file whose upload link has expired fails, so the engine reports an
    // error message that can be searched.
    const SourceFile expired = writeSourceFile(sourceDir + QStringLiteral("/expired.bin"), kMiB, 9);
    QVERIFY(!expired.md5.isEmpty());
    QVERIFY2(sandbox.addFault(QStringLiteral("put:expired"), &error), qPrintable(error));
    engine.enqueue({{QStringLiteral("expired"), expired.path}}, productPhotoBatch());
    QVERIFY(waitUntil(finished, [&finished] { return finished.size() == 3; }, kWaitMs));
    QCOMPARE(finished.at(2).at(1).value<UploadResult>().state, TaskState::Failed);
    QVERIFY(!messages.isEmpty());
    recordJournal();

    // The secrets, as they travelled.
    const QByteArray responses = proxy.responses();
    QStringList secrets = {sandbox.config().apiKey, sandbox.config().password};
    secrets += jsonStringValues(responses, QStringLiteral("accessToken"));
    secrets += jsonStringValues(responses, QStringLiteral("authorization"));
    secrets += jsonStringValues(responses, QStringLiteral("refreshToken"));
    secrets += refreshTokens;
    QVERIFY(jsonStringValues(responses, QStringLiteral("accessToken")).size() >= 1);
    QVERIFY(jsonStringValues(responses, QStringLiteral("authorization")).size() >= 1);

    QStringList urlSecrets;
    const QStringList urls = jsonStringValues(responses, QStringLiteral("url"));
    QCOMPARE(urls.size(), 3 + 1 + 1); // three part URLs, two single-upload URLs
    for (const QString &url : urls) {
        urlSecrets += queryValueForms(url, QStringLiteral("X-Amz-Signature"));
        urlSecrets += queryValueForms(url, QStringLiteral("X-Amz-Security-Token"));
    }
    QCOMPARE(urlSecrets.size(), 5 * 4);
    secrets.removeDuplicates();
    urlSecrets.removeDuplicates();

    // A careless log call with a whole URL and a token, as the last line of
    // defence must catch it: the scrubber masks both before they are written.
    qCWarning(lcCanary).noquote() << "canary" << urls.constFirst() << "AccessToken:"
                                  << jsonStringValues(responses, QStringLiteral("accessToken")).constFirst();

    // The logs: something was logged at debug level, and no secret.
    const QStringList logFiles = LogFile::allFilePaths();
    QVERIFY(logFiles.size() > 1);
    QByteArray allLogs;
    for (const QString &path : logFiles) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        allLogs += file.readAll();
    }
    QVERIFY(allLogs.contains(" D tenovos.upload: "));
    QVERIFY(allLogs.contains(" W tenovos.test: canary http://"));
    QVERIFY(allLogs.contains("tenovos.api"));
    for (const QString &secret : secrets + urlSecrets) {
        QVERIFY2(!allLogs.contains(secret.toUtf8()), qPrintable(QStringLiteral("a log file contains a secret starting %1")
                                                                    .arg(secret.left(6))));
    }
    const QString lastLines = LogFile::lastLines(500).join(QLatin1Char('\n'));
    for (const QString &secret : secrets + urlSecrets)
        QVERIFY2(!lastLines.contains(secret), qPrintable(secret.left(6)));
    const QString allMessages = messages.join(QLatin1Char('\n'));
    for (const QString &secret : secrets + urlSecrets)
        QVERIFY2(!allMessages.contains(secret), qPrintable(secret.left(6)));

    // The journal: no credential and no URL signature or session token in
    // any state it went through, while states with the multipart file's
    // part URLs were among them.
    QVERIFY(!journalStates.isEmpty());
    int statesWithUrls = 0;
    for (const QByteArray &state : std::as_const(journalStates)) {
        statesWithUrls += entriesWithUrls(state) > 0 ? 1 : 0;
        for (const QString &secret : secrets + urlSecrets) {
            QVERIFY2(!state.contains(secret.toUtf8()),
                     qPrintable(QStringLiteral("the journal contains a secret starting %1").arg(secret.left(6))));
        }
    }
    QVERIFY(statesWithUrls > 0);
    QDirIterator journalFiles(journalDir, QDir::Files);
    while (journalFiles.hasNext()) {
        const QFileInfo info(journalFiles.next());
        if (info.suffix() == QStringLiteral("json")) {
            QCOMPARE(info.permissions() & (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                     QFile::Permissions());
        }
    }
}

void tst_SecretsInLogs::commandLineLeavesNoSecrets()
{
#ifndef TENOVOS_UPLOAD_EXECUTABLE
    QSKIP("tenovos-upload is not part of this build");
#else
    // tenovos-upload --verbose writes the engine's debug messages to stderr
    // and to its log file in --data-dir, where the journal lives as well.
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    SandboxServer sandbox(config);
    QVERIFY2(sandbox.listen(0), qPrintable(sandbox.errorString()));
    QString error;
    // The retried PUT of part 2 stalls for a second, so the journal is read
    // at least once while its entry lists the part URLs.
    QVERIFY2(sandbox.addFaults({QStringLiteral("put@2#1:status=503"), QStringLiteral("put@2#2:stall=1"),
                                QStringLiteral("put@3#1:drop=65536"), QStringLiteral("put@1#1:no-etag")},
                               &error),
             qPrintable(error));

    RecordingProxy proxy(sandbox.port());
    QVERIFY(proxy.listen(QHostAddress::LocalHost, 0));
    QUrl apiUrl = sandbox.baseUrl();
    apiUrl.setPort(proxy.serverPort());

    const QString workDir = m_dir.filePath(QStringLiteral("cli"));
    const QString dataDir = workDir + QStringLiteral("/data");
    QVERIFY(QDir().mkpath(dataDir));
    const SourceFile source = writeSourceFile(workDir + QStringLiteral("/campaign.bin"), 3 * kPartSize - 7, 11);
    QVERIFY(!source.md5.isEmpty());

    QProcess process;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("TENOVOS_PASSWORD"), sandbox.config().password);
    environment.remove(QStringLiteral("TENOVOS_DATA_DIR"));
    environment.remove(QStringLiteral("QT_LOGGING_RULES"));
    process.setProcessEnvironment(environment);
    process.setProgram(QStringLiteral(TENOVOS_UPLOAD_EXECUTABLE));
    const UploadBatch batch = productPhotoBatch();
    const QJsonObject requiredItem = batch.metadata.first().toObject();
    process.setArguments({QStringLiteral("--api-url"), apiUrl.toString(), QStringLiteral("--api-key"),
                          sandbox.config().apiKey, QStringLiteral("--username"), sandbox.config().username,
                          QStringLiteral("--security-template"), batch.securityTemplateIds.first(),
                          QStringLiteral("--metadata-template"), batch.metadataTemplateId, QStringLiteral("--meta"),
                          requiredItem.value(QStringLiteral("metadataDefinitionId")).toString()
                              + QStringLiteral("=Reliability test"),
                          QStringLiteral("--part-size"), QString::number(kPartSize), QStringLiteral("--data-dir"),
                          dataDir, QStringLiteral("--verbose"), source.path});
    QSignalSpy processFinished(&process, &QProcess::finished);
    // Every journal state seen while the upload runs. QSaveFile replaces the
    // file by renaming, so each read returns one whole state.
    const QString journalPath = dataDir + QStringLiteral("/upload-journal.json");
    QList<QByteArray> journalStates;
    QTimer journalReader;
    journalReader.setInterval(20);
    connect(&journalReader, &QTimer::timeout, this, [&journalStates, journalPath] {
        QFile file(journalPath);
        if (!file.open(QIODevice::ReadOnly))
            return;
        const QByteArray content = file.readAll();
        if (journalStates.isEmpty() || journalStates.constLast() != content)
            journalStates.append(content);
    });
    journalReader.start();
    process.start();
    // The sandbox and the proxy run in this thread, so wait with the event
    // loop running rather than with QProcess::waitForFinished().
    QVERIFY(waitUntil(processFinished, [&processFinished] { return !processFinished.isEmpty(); }, kWaitMs));
    journalReader.stop();
    const QByteArray output = process.readAllStandardOutput() + process.readAllStandardError();
    QVERIFY2(process.exitCode() == 0, output.constData());

    const QJsonArray assets = sandbox.assets();
    QCOMPARE(assets.size(), 1);
    QCOMPARE(sandbox.contentMd5(assets.first().toObject().value(QStringLiteral("objectId")).toString()), source.md5);
    QCOMPARE(sandbox.openUploadCount(), 0);
    for (int hit : sandbox.faultHits())
        QCOMPARE(hit, 1);

    const QByteArray responses = proxy.responses();
    QStringList secrets = QStringList{sandbox.config().apiKey, sandbox.config().password} + sessionSecrets(responses);
    const QStringList urlSecrets = urlSecretsOf(responses);
    QVERIFY(sessionSecrets(responses).size() >= 3);
    QCOMPARE(urlSecrets.size(), 3 * 4);

    // stderr carries the debug log.
    QVERIFY2(output.contains("tenovos.upload: "), output.constData());
    for (const QString &secret : secrets + urlSecrets)
        QVERIFY2(!output.contains(secret.toUtf8()), qPrintable(QStringLiteral("output contains %1…").arg(secret.left(6))));

    // Every file in the data folder: the log files and the journal.
    int logFiles = 0;
    QDirIterator files(dataDir, QDir::Files, QDirIterator::Subdirectories);
    while (files.hasNext()) {
        const QString path = files.next();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        const QByteArray content = file.readAll();
        const bool isLog = path.contains(QStringLiteral("/logs/"));
        if (isLog) {
            ++logFiles;
            QVERIFY(content.contains(" D tenovos.upload: "));
        }
        for (const QString &secret : secrets + urlSecrets) {
            QVERIFY2(!content.contains(secret.toUtf8()),
                     qPrintable(QStringLiteral("%1 contains %2…").arg(path, secret.left(6))));
        }
    }
    QCOMPARE(logFiles, 1);

    // The journal while the upload ran, when it listed the part URLs.
    int statesWithUrls = 0;
    for (const QByteArray &state : std::as_const(journalStates)) {
        statesWithUrls += entriesWithUrls(state) > 0 ? 1 : 0;
        for (const QString &secret : secrets + urlSecrets) {
            QVERIFY2(!state.contains(secret.toUtf8()),
                     qPrintable(QStringLiteral("the journal contained %1… during the upload").arg(secret.left(6))));
        }
    }
    QVERIFY2(statesWithUrls > 0, "the journal was never read while it listed part URLs");
#endif
}

QTEST_GUILESS_MAIN(tst_SecretsInLogs)
#include "tst_secretsinlogs.moc"
