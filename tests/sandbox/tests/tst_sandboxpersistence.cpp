// Tests of what a SandboxServer keeps across a restart on the same data
// folder: sessions, received parts, finished uploads and put counts, the
// checks of the state file, and close() followed by listen() on the same
// port. The last test kills the tenovos-sandbox executable with SIGKILL and
// finishes the upload on a new process. The executable's own checks follow:
// exit status 2 for a bad command line or data folder, and its --help.

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDir>
#include <QDirIterator>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRandomGenerator>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTemporaryDir>
#include <QTest>
#include <QUrlQuery>

#include <memory>

using namespace tenovos::sandbox;

namespace {

using Headers = QList<QPair<QByteArray, QByteArray>>;

// Small parts keep the tests fast. The rules are the same as with 100 MiB.
constexpr qint64 testPartSize = 64 * 1024;

struct HttpResult
{
    int status = 0;
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QByteArray body;
    QList<QNetworkReply::RawHeaderPair> headers;

    QByteArray header(const QByteArray &name) const
    {
        for (const auto &header : headers) {
            if (header.first.compare(name, Qt::CaseInsensitive) == 0)
                return header.second;
        }
        return {};
    }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
};

struct Session
{
    QByteArray authorization;
    QByteArray accessToken;
    QByteArray refreshToken;
};

struct CreatedAsset
{
    QString objectId;
    QString fileId;
    QString uploadId;
    QList<QByteArray> urls; // index 0 is part 1, and a single upload has one URL
};

QByteArray randomBytes(qint64 size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qint64 i = 0; i < size; ++i)
        bytes[i] = static_cast<char>(QRandomGenerator::global()->bounded(256));
    return bytes;
}

QByteArray md5Hex(const QByteArray &bytes)
{
    return QCryptographicHash::hash(bytes, QCryptographicHash::Md5).toHex();
}

QJsonObject createBody(const QString &filename, qint64 filesize)
{
    QJsonObject body{
        {QStringLiteral("filename"), filename},
        {QStringLiteral("metadataTemplateId"), QString::fromLatin1(DemoCatalog::productPhotoTemplateId)},
        {QStringLiteral("securityTemplateIds"), QJsonArray{QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)}},
        {QStringLiteral("metadata"),
         QJsonArray{QJsonObject{{QStringLiteral("metadataDefinitionId"), QStringLiteral("1aa093f4-e75f-48ec-b35a-6fd0f4cefd0e")},
                                {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Sneaker")}}}}};
    if (filesize >= 0)
        body.insert(QStringLiteral("filesize"), filesize);
    return body;
}

QJsonArray partList(const QList<QByteArray> &etags)
{
    QJsonArray parts;
    for (qsizetype i = 0; i < etags.size(); ++i) {
        parts.append(QJsonObject{{QStringLiteral("partNumber"), static_cast<int>(i + 1)},
                                 {QStringLiteral("etag"), QString::fromLatin1(etags.at(i))}});
    }
    return parts;
}

// Files below folder whose names end with suffix.
QStringList filesEndingWith(const QString &folder, const QString &suffix)
{
    QStringList found;
    QDirIterator it(folder, QDir::Files, QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        if (path.endsWith(suffix))
            found.append(path);
    }
    return found;
}

} // namespace

class TestSandboxPersistence : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void restartKeepsSession();
    void restartKeepsReceivedPart();
    void completeAfterRestart();
    void restartKeepsFinishedUploads();
    void restartRemovesCutOffBodies();
    void restartDropsPartWithMissingFile();
    void invalidStateFileRejected_data();
    void invalidStateFileRejected();
    void dataDirInUseRejected();
    void memoryOnlyWithoutDataDir();

    void closeDuringPutStoresNothing();
    void listenAgainOnSamePort();

    void killedExecutableResumes();
    void executableRejectsBadCommandLine_data();
    void executableRejectsBadCommandLine();
    void executableHelpDocumentsOptions();

private:
    SandboxConfig persistentConfig() const;
    // Destroys the server as a kill would stop it, then starts a new one on
    // the same folder and port.
    void restartServer();
    QUrl apiUrl(const QString &path) const;
    HttpResult send(const QByteArray &method, const QUrl &url, const QByteArray &body = QByteArray(),
                    const Headers &headers = Headers());
    HttpResult sendJson(const QString &path, const QJsonObject &body, const Session *session);
    HttpResult put(const QByteArray &url, const QByteArray &body);
    HttpResult lookUpTemplates(const Session &session);
    Session signIn();
    Headers sessionHeaders(const Session &session) const;
    CreatedAsset create(const QJsonObject &body);
    HttpResult finish(const CreatedAsset &asset, const QString &action, const QJsonArray &parts);
    QJsonObject sandboxVersion(const QString &fileId) const;
    QString versionDirectory(const CreatedAsset &asset) const;

    std::unique_ptr<QTemporaryDir> m_dataDir;
    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    quint16 m_port = 0;
    Session m_session;
};

SandboxConfig TestSandboxPersistence::persistentConfig() const
{
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = testPartSize;
    config.minPartSize = testPartSize;
    config.multipartThreshold = testPartSize;
    config.dataDir = m_dataDir->path();
    return config;
}

void TestSandboxPersistence::initTestCase()
{
    // One log line per request would bury the test output. Warnings still show.
    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.sandbox.info=false"));
}

void TestSandboxPersistence::init()
{
    m_dataDir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dataDir->isValid());
    m_server = std::make_unique<SandboxServer>(persistentConfig());
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    m_port = m_server->port();
    m_network = std::make_unique<QNetworkAccessManager>();
    m_session = signIn();
}

void TestSandboxPersistence::cleanup()
{
    m_network.reset();
    m_server.reset();
    m_dataDir.reset();
}

void TestSandboxPersistence::restartServer()
{
    // A new client too, so no keep-alive connection of the old server is reused.
    m_network.reset();
    m_server.reset();
    m_server = std::make_unique<SandboxServer>(persistentConfig());
    QVERIFY2(m_server->listen(m_port), qPrintable(m_server->errorString()));
    m_network = std::make_unique<QNetworkAccessManager>();
}

QUrl TestSandboxPersistence::apiUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/v1%2").arg(m_port).arg(path));
}

HttpResult TestSandboxPersistence::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
                                        const Headers &headers)
{
    QNetworkRequest request(url);
    for (const auto &header : headers)
        request.setRawHeader(header.first, header.second);
    QNetworkReply *reply = body.isNull() ? m_network->sendCustomRequest(request, method)
                                         : m_network->sendCustomRequest(request, method, body);
    QSignalSpy finished(reply, &QNetworkReply::finished);
    if (!reply->isFinished() && !finished.wait(30000))
        qWarning("request %s %s timed out", method.constData(), qPrintable(url.path()));

    HttpResult result;
    result.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    result.error = reply->error();
    result.body = reply->readAll();
    result.headers = reply->rawHeaderPairs();
    reply->deleteLater();
    return result;
}

HttpResult TestSandboxPersistence::sendJson(const QString &path, const QJsonObject &body, const Session *session)
{
    const Headers headers = session ? sessionHeaders(*session)
                                    : Headers{{"X-API-Key", "sandbox-demo-key"}, {"Content-Type", "application/json"}};
    return send("POST", apiUrl(path), QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

HttpResult TestSandboxPersistence::put(const QByteArray &url, const QByteArray &body)
{
    // A single-upload URL signs x-amz-meta-objectid and carries its value in the query.
    const QUrl parsed = QUrl::fromEncoded(url, QUrl::StrictMode);
    const QString objectId = QUrlQuery(parsed).queryItemValue(QStringLiteral("x-amz-meta-objectid"));
    const Headers headers = objectId.isEmpty() ? Headers() : Headers{{"x-amz-meta-objectid", objectId.toLatin1()}};
    return send("PUT", parsed, body, headers);
}

HttpResult TestSandboxPersistence::lookUpTemplates(const Session &session)
{
    return send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(session));
}

Session TestSandboxPersistence::signIn()
{
    const HttpResult result = sendJson(QStringLiteral("/auth/token"),
                                       {{QStringLiteral("username"), QStringLiteral("demo@example.com")},
                                        {QStringLiteral("password"), QStringLiteral("demo-password")}},
                                       nullptr);
    const QJsonObject session = result.json().value(QStringLiteral("session")).toObject();
    return {session.value(QStringLiteral("authorization")).toString().toUtf8(),
            session.value(QStringLiteral("accessToken")).toString().toUtf8(),
            session.value(QStringLiteral("refreshToken")).toString().toUtf8()};
}

Headers TestSandboxPersistence::sessionHeaders(const Session &session) const
{
    return {{"X-API-Key", "sandbox-demo-key"},
            {"Authorization", session.authorization},
            {"AccessToken", session.accessToken},
            {"Content-Type", "application/json"}};
}

CreatedAsset TestSandboxPersistence::create(const QJsonObject &body)
{
    const HttpResult result = sendJson(QStringLiteral("/assets/asset"), body, &m_session);
    if (result.status != 200)
        qWarning("create failed with %d: %s", result.status, result.body.constData());
    const QJsonObject data = result.json().value(QStringLiteral("data")).toObject();
    CreatedAsset asset;
    asset.objectId = data.value(QStringLiteral("objectId")).toString();
    asset.fileId = data.value(QStringLiteral("fileId")).toString();
    asset.uploadId = data.value(QStringLiteral("uploadId")).toString();
    if (data.contains(QStringLiteral("url")))
        asset.urls.append(data.value(QStringLiteral("url")).toString().toUtf8());
    for (const QJsonValue &entry : data.value(QStringLiteral("urls")).toArray())
        asset.urls.append(entry.toObject().value(QStringLiteral("url")).toString().toUtf8());
    return asset;
}

HttpResult TestSandboxPersistence::finish(const CreatedAsset &asset, const QString &action, const QJsonArray &parts)
{
    return sendJson(QStringLiteral("/asset/complete"),
                    {{QStringLiteral("fileId"), asset.fileId},
                     {QStringLiteral("filename"), QStringLiteral("shoe.tif")},
                     {QStringLiteral("uploadId"), asset.uploadId},
                     {QStringLiteral("action"), action},
                     {QStringLiteral("parts"), parts}},
                    &m_session);
}

QJsonObject TestSandboxPersistence::sandboxVersion(const QString &fileId) const
{
    for (const QJsonValue &asset : m_server->assets()) {
        for (const QJsonValue &version : asset.toObject().value(QStringLiteral("versions")).toArray()) {
            if (version.toObject().value(QStringLiteral("fileId")).toString() == fileId)
                return version.toObject();
        }
    }
    return {};
}

QString TestSandboxPersistence::versionDirectory(const CreatedAsset &asset) const
{
    return QDir(m_dataDir->path()).filePath(QStringLiteral("objects/%1/%2").arg(asset.objectId, asset.fileId));
}

// --- restart on the same data folder ------------------------------------------

void TestSandboxPersistence::restartKeepsSession()
{
    QCOMPARE(lookUpTemplates(m_session).status, 200);
    restartServer();

    QCOMPARE(lookUpTemplates(m_session).status, 200);
    const HttpResult refreshed = sendJson(QStringLiteral("/auth/token"),
                                          {{QStringLiteral("session"),
                                            QJsonObject{{QStringLiteral("refreshToken"), QString::fromUtf8(m_session.refreshToken)}}}},
                                          nullptr);
    QCOMPARE(refreshed.status, 200);
    const Session unknown{"x.y.z", "a.b.c", {}};
    QCOMPARE(lookUpTemplates(unknown).status, 401);
}

void TestSandboxPersistence::restartKeepsReceivedPart()
{
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), testPartSize * 3));
    const HttpResult first = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(first.status, 200);
    restartServer();

    QCOMPARE(m_server->openUploadCount(), 1);
    const QJsonObject version = sandboxVersion(asset.fileId);
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("uploading"));
    QCOMPARE(version.value(QStringLiteral("partsReceived")).toInt(), 1);
    const QJsonObject part = version.value(QStringLiteral("parts")).toArray().at(0).toObject();
    QCOMPARE(part.value(QStringLiteral("etag")).toString(), QString::fromLatin1(first.header("ETag")));
    QCOMPARE(m_server->putCounts(asset.fileId), (QMap<int, int>{{1, 1}}));
}

void TestSandboxPersistence::completeAfterRestart()
{
    const QByteArray content = randomBytes(testPartSize * 2 + 100);
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), content.size()));
    QCOMPARE(asset.urls.size(), 3);
    const HttpResult first = put(asset.urls.at(0), content.left(testPartSize));
    QCOMPARE(first.status, 200);
    restartServer();

    // The URLs handed out before the restart still verify.
    const HttpResult second = put(asset.urls.at(1), content.mid(testPartSize, testPartSize));
    const HttpResult third = put(asset.urls.at(2), content.mid(testPartSize * 2));
    QCOMPARE(second.status, 200);
    QCOMPARE(third.status, 200);
    const HttpResult completed = finish(asset, QStringLiteral("complete"),
                                        partList({first.header("ETag"), second.header("ETag"), third.header("ETag")}));
    QCOMPARE(completed.status, 200);

    QCOMPARE(m_server->contentMd5(asset.objectId), md5Hex(content));
    QCOMPARE(m_server->openUploadCount(), 0);
    QCOMPARE(m_server->putCounts(asset.fileId), (QMap<int, int>{{1, 1}, {2, 1}, {3, 1}}));
}

void TestSandboxPersistence::restartKeepsFinishedUploads()
{
    const QByteArray content = randomBytes(testPartSize + 10);
    const CreatedAsset completed = create(createBody(QStringLiteral("shoe.tif"), content.size()));
    const HttpResult first = put(completed.urls.at(0), content.left(testPartSize));
    const HttpResult second = put(completed.urls.at(1), content.mid(testPartSize));
    QCOMPARE(finish(completed, QStringLiteral("complete"), partList({first.header("ETag"), second.header("ETag")})).status, 200);

    const CreatedAsset cancelled = create(createBody(QStringLiteral("shoe.tif"), testPartSize * 2));
    QCOMPARE(put(cancelled.urls.at(0), randomBytes(testPartSize)).status, 200);
    QCOMPARE(finish(cancelled, QStringLiteral("cancel"), QJsonArray()).status, 200);

    const QByteArray small = randomBytes(1000);
    const CreatedAsset single = create(createBody(QStringLiteral("logo.png"), small.size()));
    QCOMPARE(put(single.urls.at(0), small).status, 200);
    restartServer();

    QCOMPARE(m_server->contentMd5(completed.objectId), md5Hex(content));
    QCOMPARE(m_server->contentMd5(single.objectId), md5Hex(small));
    QCOMPARE(m_server->openUploadCount(), 0);
    QCOMPARE(sandboxVersion(cancelled.fileId).value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    const HttpResult again = finish(cancelled, QStringLiteral("complete"), partList({first.header("ETag")}));
    QCOMPARE(again.status, 400);
    QVERIFY2(again.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("already cancelled")),
             again.body.constData());

    const HttpResult lookedUp = send("GET", apiUrl(QStringLiteral("/assets/asset/") + completed.fileId), QByteArray(),
                                     sessionHeaders(m_session));
    const QJsonObject data = lookedUp.json().value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("fileState")).toString(), QStringLiteral("available"));
    QCOMPARE(data.value(QStringLiteral("fileSizeInBytes")).toInteger(), content.size());
    QCOMPARE(data.value(QStringLiteral("metadataDocument")).toArray().size(), 1);
}

void TestSandboxPersistence::restartRemovesCutOffBodies()
{
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), testPartSize * 2));
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
    m_network.reset();
    m_server.reset();

    // What a kill leaves behind: a body cut off mid-PUT, and the file of a
    // part replaced just before the kill.
    const QDir directory(versionDirectory(asset));
    const QStringList referencedFiles = directory.entryList(QDir::Files);
    QCOMPARE(referencedFiles.size(), 1);
    for (const char *name : {"part-00002.0badf00d.partial", "part-00001.0badf00d"}) {
        QFile file(directory.filePath(QLatin1String(name)));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("leftover");
    }

    m_server = std::make_unique<SandboxServer>(persistentConfig());
    QVERIFY2(m_server->listen(m_port), qPrintable(m_server->errorString()));
    QCOMPARE(directory.entryList(QDir::Files), referencedFiles);
    QCOMPARE(sandboxVersion(asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);
}

void TestSandboxPersistence::restartDropsPartWithMissingFile()
{
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), testPartSize * 2));
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
    QCOMPARE(put(asset.urls.at(1), randomBytes(100)).status, 200);
    m_network.reset();
    m_server.reset();

    const QDir directory(versionDirectory(asset));
    const QStringList partTwo = directory.entryList({QStringLiteral("part-00002.*")}, QDir::Files);
    QCOMPARE(partTwo.size(), 1);
    QVERIFY(QFile::remove(directory.filePath(partTwo.constFirst())));

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("^Dropping part 2 of upload .* is missing")));
    m_server = std::make_unique<SandboxServer>(persistentConfig());
    QVERIFY2(m_server->listen(m_port), qPrintable(m_server->errorString()));
    const QJsonObject version = sandboxVersion(asset.fileId);
    QCOMPARE(version.value(QStringLiteral("partsReceived")).toInt(), 1);
    QCOMPARE(version.value(QStringLiteral("parts")).toArray().at(0).toObject().value(QStringLiteral("partNumber")).toInt(), 1);
    // The counts still show that the client sent part 2 once.
    QCOMPARE(m_server->putCounts(asset.fileId), (QMap<int, int>{{1, 1}, {2, 1}}));
}

void TestSandboxPersistence::invalidStateFileRejected_data()
{
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("problem");

    const QByteArray header = R"("format": "tenovos-sandbox-state", "version": 1, "port": 1, "s3AccessKeyId": "x", )";
    const QByteArray noSessions = R"("sessions": {"sessions": [], "accessTokens": []}, )";
    QTest::addRow("not JSON") << QByteArray("{\"format\": ") << QStringLiteral("at byte");
    QTest::addRow("array") << QByteArray("[]") << QStringLiteral("not a JSON object");
    QTest::addRow("other format") << QByteArray(R"({"format": "something", "version": 1})") << QStringLiteral("\"format\"");
    QTest::addRow("newer version") << QByteArray(R"({"format": "tenovos-sandbox-state", "version": 2})")
                                   << QStringLiteral("format version 2");
    QTest::addRow("no assets") << QByteArray("{" + header + noSessions.chopped(2) + "}") << QStringLiteral("assets is missing");
    QTest::addRow("session without token")
        << QByteArray("{" + header + R"("sessions": {"sessions": [{"id": "s"}], "accessTokens": []}, "assets": []})")
        << QStringLiteral("sessions.sessions[0].username is missing");
    QTest::addRow("token of unknown session")
        << QByteArray("{" + header
                      + R"("sessions": {"sessions": [], "accessTokens": [{"accessToken": "a", "authorization": "b",
                           "sessionId": "gone", "expiresAtMs": 1}]}, "assets": []})")
        << QStringLiteral("sessions.accessTokens[0].sessionId names no session");
    QTest::addRow("asset not an object") << QByteArray("{" + header + noSessions + R"("assets": [3]})")
                                         << QStringLiteral("assets[0] is not an object");
    QTest::addRow("object id with a path")
        << QByteArray("{" + header + noSessions + R"("assets": [{"objectId": "../up", "createdAtMs": 1, "versions": []}]})")
        << QStringLiteral("assets[0].objectId is not a plain folder name");
}

void TestSandboxPersistence::invalidStateFileRejected()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, problem);

    m_network.reset();
    m_server.reset();
    const QString path = QDir(m_dataDir->path()).filePath(QStringLiteral("sandbox-state.json"));
    {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(content);
    }

    SandboxServer server(persistentConfig());
    QVERIFY(!server.listen());
    QVERIFY2(server.errorString().contains(QDir::toNativeSeparators(path)), qPrintable(server.errorString()));
    QVERIFY2(server.errorString().contains(problem), qPrintable(server.errorString()));
    QVERIFY(server.stateFilePath().isEmpty());

    // The file stays as it was, for inspection.
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(file.readAll(), content);
}

void TestSandboxPersistence::dataDirInUseRejected()
{
    SandboxServer second(persistentConfig());
    QVERIFY(!second.listen());
    QVERIFY2(second.errorString().contains(QStringLiteral("in use by another sandbox")), qPrintable(second.errorString()));
    QVERIFY2(second.errorString().contains(QString::number(QCoreApplication::applicationPid())),
             qPrintable(second.errorString()));
    // The first server is not disturbed.
    QCOMPARE(lookUpTemplates(m_session).status, 200);
}

void TestSandboxPersistence::memoryOnlyWithoutDataDir()
{
    SandboxConfig config = persistentConfig();
    config.dataDir.clear();
    auto server = std::make_unique<SandboxServer>(config);
    QVERIFY2(server->listen(), qPrintable(server->errorString()));
    QVERIFY(server->stateFilePath().isEmpty());

    m_port = server->port();
    m_session = signIn();
    create(createBody(QStringLiteral("shoe.tif"), testPartSize * 2));
    QCOMPARE(server->assets().size(), 1);
    QVERIFY(!QFile::exists(QDir(server->dataDir()).filePath(QStringLiteral("sandbox-state.json"))));
}

// --- close() and listen() -----------------------------------------------------

void TestSandboxPersistence::closeDuringPutStoresNothing()
{
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), testPartSize * 2));
    const QByteArray url = asset.urls.at(0);
    const QByteArray target = url.mid(url.indexOf("/contentstore/"));
    const QByteArray body = randomBytes(testPartSize);

    // Half the body, sent by hand, so the PUT is mid-body when close() comes.
    QTcpSocket socket;
    socket.connectToHost(QHostAddress::LocalHost, m_port);
    socket.write("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_port)
                 + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\n\r\n" + body.left(body.size() / 2));
    QTRY_COMPARE(m_server->putCounts(asset.fileId).value(1), 1);
    QTRY_COMPARE(filesEndingWith(versionDirectory(asset), QStringLiteral(".partial")).size(), 1);

    m_server->close();
    QTRY_COMPARE(socket.state(), QAbstractSocket::UnconnectedState);
    QTRY_VERIFY(filesEndingWith(versionDirectory(asset), QStringLiteral(".partial")).isEmpty());
    QCOMPARE(sandboxVersion(asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 0);

    QVERIFY2(m_server->listen(m_port), qPrintable(m_server->errorString()));
    m_network = std::make_unique<QNetworkAccessManager>();
    QCOMPARE(put(url, body).status, 200);
    QCOMPARE(sandboxVersion(asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);
    QCOMPARE(m_server->putCounts(asset.fileId).value(1), 2);
}

void TestSandboxPersistence::listenAgainOnSamePort()
{
    QVERIFY(m_server->addFault(QStringLiteral("lookup:stall=30")));
    QNetworkRequest request(apiUrl(QStringLiteral("/metadata/template")));
    for (const auto &header : sessionHeaders(m_session))
        request.setRawHeader(header.first, header.second);
    QNetworkReply *reply = m_network->get(request);
    QSignalSpy replyFinished(reply, &QNetworkReply::finished);
    // The fault's counter shows when the server has received the request.
    QTRY_COMPARE(m_server->faults().at(0).toObject().value(QStringLiteral("selected")).toInt(), 1);

    m_server->close();
    QVERIFY(replyFinished.wait(10000));
    QVERIFY(reply->error() != QNetworkReply::NoError);
    reply->deleteLater();
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session)).error,
             QNetworkReply::ConnectionRefusedError);

    m_server->clearFaults();
    QVERIFY2(m_server->listen(m_port), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->port(), m_port);
    QCOMPARE(lookUpTemplates(m_session).status, 200);
}

// --- the executable -----------------------------------------------------------

namespace {

// Starts tenovos-sandbox and returns its base URL, or an empty string when
// it printed none within 10 s.
QString startExecutable(QProcess *process, const QStringList &arguments)
{
    process->setProgram(QStringLiteral(TENOVOS_SANDBOX_EXECUTABLE));
    process->setArguments(arguments);
    process->setProcessChannelMode(QProcess::SeparateChannels);
    process->start();
    if (!process->waitForStarted(10000))
        return QString();
    while (!process->canReadLine()) {
        if (!process->waitForReadyRead(10000))
            return QString();
    }
    return QString::fromUtf8(process->readLine()).trimmed();
}

} // namespace

void TestSandboxPersistence::killedExecutableResumes()
{
#if !defined(Q_OS_UNIX)
    QSKIP("QProcess::kill() sends SIGKILL on Unix only.");
#else
    m_network.reset();
    m_server.reset();
    const QStringList arguments{QStringLiteral("--port"), QStringLiteral("0"), QStringLiteral("--data-dir"),
                                m_dataDir->path(), QStringLiteral("--part-size"), QString::number(testPartSize),
                                QStringLiteral("--multipart-threshold"), QString::number(testPartSize)};
    QProcess first;
    const QString firstUrl = startExecutable(&first, arguments);
    QVERIFY2(!firstUrl.isEmpty(), first.readAllStandardError().constData());
    m_port = static_cast<quint16>(QUrl(firstUrl).port());
    m_network = std::make_unique<QNetworkAccessManager>();
    m_session = signIn();

    const QByteArray content = randomBytes(testPartSize + 500);
    const CreatedAsset asset = create(createBody(QStringLiteral("shoe.tif"), content.size()));
    QCOMPARE(asset.urls.size(), 2);
    const HttpResult partOne = put(asset.urls.at(0), content.left(testPartSize));
    QCOMPARE(partOne.status, 200);

    first.kill();
    QVERIFY(first.waitForFinished(10000));
    QCOMPARE(first.exitStatus(), QProcess::CrashExit);

    QStringList again = arguments;
    again[1] = QString::number(m_port);
    QProcess second;
    const QString secondUrl = startExecutable(&second, again);
    QVERIFY2(secondUrl == firstUrl, second.readAllStandardError().constData());
    m_network = std::make_unique<QNetworkAccessManager>();

    const HttpResult partTwo = put(asset.urls.at(1), content.mid(testPartSize));
    QCOMPARE(partTwo.status, 200);
    const HttpResult completed = finish(asset, QStringLiteral("complete"),
                                        partList({partOne.header("ETag"), partTwo.header("ETag")}));
    QCOMPARE(completed.status, 200);

    const QUrl sandboxUrl(QStringLiteral("http://127.0.0.1:%1/sandbox/assets").arg(m_port));
    const HttpResult stored = send("GET", QUrl(sandboxUrl.toString() + QLatin1Char('/') + asset.objectId + QStringLiteral("/content")));
    QCOMPARE(stored.status, 200);
    QCOMPARE(md5Hex(stored.body), md5Hex(content));
    const QJsonArray assets = QJsonDocument::fromJson(send("GET", sandboxUrl).body).array();
    const QJsonObject version = assets.at(0).toObject().value(QStringLiteral("versions")).toArray().at(0).toObject();
    // Part 1 was confirmed before the kill and was not sent again.
    QCOMPARE(version.value(QStringLiteral("putCounts")).toObject().value(QStringLiteral("1")).toInt(), 1);

    m_network.reset();
    second.terminate();
    QVERIFY(second.waitForFinished(10000));
    QCOMPARE(second.exitStatus(), QProcess::NormalExit);
    QCOMPARE(second.exitCode(), 0);
#endif
}

void TestSandboxPersistence::executableRejectsBadCommandLine_data()
{
    QTest::addColumn<QStringList>("arguments"); // "@DIR@" stands for the test's data folder
    QTest::addColumn<QString>("expected");      // part of the message on stderr

    QTest::addRow("unknown option") << QStringList{QStringLiteral("--no-such-option")}
                                    << QStringLiteral("no-such-option");
    QTest::addRow("part size zero") << QStringList{QStringLiteral("--part-size"), QStringLiteral("0")}
                                    << QStringLiteral("--part-size \"0\" is invalid");
    QTest::addRow("data folder below a file")
        << QStringList{QStringLiteral("--data-dir"), QStringLiteral("@DIR@/plain-file/data")}
        << QStringLiteral("--data-dir \"@DIR@/plain-file/data\" could not be created");
}

void TestSandboxPersistence::executableRejectsBadCommandLine()
{
    QFETCH(QStringList, arguments);
    QFETCH(QString, expected);
    const QString dir = QDir::toNativeSeparators(m_dataDir->path());
    QFile plainFile(m_dataDir->filePath(QStringLiteral("plain-file")));
    QVERIFY(plainFile.open(QIODevice::WriteOnly));
    plainFile.close();
    arguments.replaceInStrings(QStringLiteral("@DIR@"), m_dataDir->path());
    expected.replace(QStringLiteral("@DIR@"), dir);

    QProcess process;
    process.start(QStringLiteral(TENOVOS_SANDBOX_EXECUTABLE), arguments);
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitStatus(), QProcess::NormalExit);
    QCOMPARE(process.exitCode(), 2);
    const QString errors = QString::fromLocal8Bit(process.readAllStandardError());
    QVERIFY2(errors.contains(expected), qPrintable(errors));
    QVERIFY(process.readAllStandardOutput().isEmpty());
}

void TestSandboxPersistence::executableHelpDocumentsOptions()
{
    QProcess process;
    process.start(QStringLiteral(TENOVOS_SANDBOX_EXECUTABLE), {QStringLiteral("--help")});
    QVERIFY(process.waitForFinished(10000));
    QCOMPARE(process.exitCode(), 0);
    // QCommandLineParser wraps long words anywhere, so the texts are
    // compared with all white space removed.
    static const QRegularExpression whiteSpace(QStringLiteral("\\s+"));
    const QString help = QString::fromLocal8Bit(process.readAllStandardOutput()).remove(whiteSpace);
    for (const char *expected : {"[~P]", "retry-after=SECONDS|none", "status=413", "expired-token", "random",
                                 "unless --min-part-size is given", "at least", "5 MiB", "Exit status",
                                 "2 invalid command line"}) {
        QVERIFY2(help.contains(QString::fromLatin1(expected).remove(whiteSpace)), expected);
    }
}

QTEST_GUILESS_MAIN(TestSandboxPersistence)

#include "tst_sandboxpersistence.moc"
