// Tests of SandboxServer over real HTTP on 127.0.0.1. They cover tokens,
// asset creation, presigned PUTs checked like S3, complete and cancel, the
// sandbox-only endpoints and fault injection. Requests go through a plain
// QNetworkAccessManager, never the uploader's own client, and through a raw
// QTcpSocket where the HTTP details matter.

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QMutex>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTcpSocket>
#include <QTest>
#include <QUrlQuery>

#include <functional>
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
    bool hasHeader(const QByteArray &name) const { return !header(name).isNull(); }
    QJsonObject json() const { return QJsonDocument::fromJson(body).object(); }
    QJsonArray jsonArray() const { return QJsonDocument::fromJson(body).array(); }
    // The text of an S3 XML error element such as <Code>.
    QString xml(const char *element) const
    {
        const QByteArray open = '<' + QByteArray(element) + '>';
        const qsizetype start = body.indexOf(open);
        if (start < 0)
            return QString();
        const qsizetype end = body.indexOf("</" + QByteArray(element) + '>', start);
        return QString::fromUtf8(body.mid(start + open.size(), end - start - open.size()));
    }
};

struct Session
{
    QByteArray authorization;
    QByteArray accessToken;
    QByteArray refreshToken;
    qint64 expireEpoch = 0;
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

QString latin1(const char *text)
{
    return QString::fromLatin1(text);
}

const QString titleId = QStringLiteral("ecab53e7-9621-4b7f-8700-e484e96bfb3d");
const QString embargoId = QStringLiteral("08eb2844-b7e8-44c1-ad8d-022608e5c9f9");
const QString regionId = QStringLiteral("7452a4cd-3566-413c-8950-47b42b4d355f");
const QString channelsId = QStringLiteral("d18a47ec-83a1-4be8-9581-9c19a9588d7e");
const QString assetNumberId = QStringLiteral("85864ca7-6d17-4517-96cc-f868acfb831a");
const QString emeaValueId = QStringLiteral("4eb680f3-0a68-4337-adfd-ae163403a9b9");
const QString webValueId = QStringLiteral("f053df9c-b597-495d-9cf7-db3dae88280e");

QJsonArray validMetadata()
{
    return QJsonArray{
        QJsonObject{{QStringLiteral("metadataDefinitionId"), titleId},
                    {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Spring campaign")}},
        QJsonObject{{QStringLiteral("metadataDefinitionId"), regionId},
                    {QStringLiteral("metadataDefinitionValue"), QJsonObject{{QStringLiteral("valueId"), emeaValueId}}}},
        QJsonObject{{QStringLiteral("metadataDefinitionId"), channelsId},
                    {QStringLiteral("metadataDefinitionValue"),
                     QJsonArray{QJsonObject{{QStringLiteral("valueId"), webValueId}}}}},
        QJsonObject{{QStringLiteral("metadataDefinitionId"), embargoId},
                    {QStringLiteral("metadataDefinitionValue"), QStringLiteral("03/31/2026")}},
    };
}

QJsonObject validCreateBody(const QString &filename)
{
    return QJsonObject{{QStringLiteral("filename"), filename},
                       {QStringLiteral("metadataTemplateId"), latin1(DemoCatalog::marketingAssetTemplateId)},
                       {QStringLiteral("securityTemplateIds"), QJsonArray{latin1(DemoCatalog::marketingInternalTemplateId)}},
                       {QStringLiteral("metadata"), validMetadata()}};
}

} // namespace

class TestSandboxServer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void tokenSignIn();
    void tokenRejected_data();
    void tokenRejected();
    void tokenRefreshAndRevoke();
    void tokenExpiresAfterLifetime();
    void tokenMintedExpired();

    void createMultipart();
    void createSingle();
    void createV1FlatResponse();
    void createRejected_data();
    void createRejected();

    void putPartReturnsQuotedMd5Etag();
    void putTamperedSignature();
    void putExpiredUrl();
    void putSingleNeedsObjectIdHeader();
    void putAfterUploadEnds();

    void completeRejected_data();
    void completeRejected();
    void completeStoresContent();
    void completeTwiceRejected();
    void cancelDiscardsParts();
    void newVersionKeepsObjectId();
    void newVersionInheritsMetadata();
    void metadataOnlyStaysPending();

    void lookups();
    void securityTemplatesForbidden();

    void faultStatusOnPart();
    void faultStatusOnApi();
    void faultDrop();
    void faultNoEtag();
    void faultExpired();
    void faultStall();
    void faultOnComplete();
    void faultsOverHttp();
    void faultParse_data();
    void faultParse();
    void faultProxy413_data();
    void faultProxy413();
    void faultRetryAfter_data();
    void faultRetryAfter();
    void faultExpiredToken();
    void faultLost();
    void searchKeyword();
    void faultHitsCounted();
    void faultRandomSameSeedSameHits();
    void faultRandomOtherSeedOtherHits();
    void faultRandomActionsForPut();
    void faultRandomActionsForApi();
    void faultSeedOverHttp();

    void putCountsPerPart();

    void keepAliveServesSeveralRequests();
    void expectContinue();
    void chunkedBodies();
    void closeDropsConnections();
    void requestFinishedSignal();
    void logsHaveNoSecrets();

private:
    SandboxConfig testConfig() const;
    void restartServer(const SandboxConfig &config);
    QUrl apiUrl(const QString &path) const;
    QUrl sandboxUrl(const QString &path) const;
    HttpResult send(const QByteArray &method, const QUrl &url, const QByteArray &body = QByteArray(),
                    const Headers &headers = Headers());
    HttpResult sendJson(const QByteArray &method, const QString &path, const QJsonObject &body,
                        const Session *session);
    HttpResult put(const QByteArray &url, const QByteArray &body, const Headers &headers = Headers());
    Session signIn();
    Headers sessionHeaders(const Session &session) const;
    CreatedAsset create(const QJsonObject &body);
    CreatedAsset createMultipartAsset(const QString &filename, qint64 filesize);
    HttpResult finish(const CreatedAsset &asset, const QString &action, const QJsonArray &parts, qint64 filesize);
    QJsonObject sandboxVersion(const QString &objectId, const QString &fileId);
    QByteArray rawExchange(const QByteArray &request, const QByteArray &until, int expectedCount);

    std::unique_ptr<SandboxServer> m_server;
    std::unique_ptr<QNetworkAccessManager> m_network;
    Session m_session;
};

SandboxConfig TestSandboxServer::testConfig() const
{
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = testPartSize;
    config.minPartSize = testPartSize;
    config.multipartThreshold = testPartSize;
    return config;
}

void TestSandboxServer::restartServer(const SandboxConfig &config)
{
    m_network.reset();
    m_server = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_server->listen(), qPrintable(m_server->errorString()));
    m_network = std::make_unique<QNetworkAccessManager>();
    m_session = signIn();
}

void TestSandboxServer::initTestCase()
{
    // One log line per request would bury the test output. Warnings still show.
    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.sandbox.info=false"));
}

void TestSandboxServer::init()
{
    restartServer(testConfig());
}

void TestSandboxServer::cleanup()
{
    m_network.reset();
    m_server.reset();
}

QUrl TestSandboxServer::apiUrl(const QString &path) const
{
    return QUrl(m_server->baseUrl().toString() + path);
}

QUrl TestSandboxServer::sandboxUrl(const QString &path) const
{
    return QUrl(QStringLiteral("http://127.0.0.1:%1/sandbox%2").arg(m_server->port()).arg(path));
}

HttpResult TestSandboxServer::send(const QByteArray &method, const QUrl &url, const QByteArray &body,
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

HttpResult TestSandboxServer::sendJson(const QByteArray &method, const QString &path, const QJsonObject &body,
                                       const Session *session)
{
    Headers headers = session ? sessionHeaders(*session)
                              : Headers{{"X-API-Key", m_server->config().apiKey.toUtf8()},
                                        {"Content-Type", "application/json"}};
    return send(method, apiUrl(path), QJsonDocument(body).toJson(QJsonDocument::Compact), headers);
}

HttpResult TestSandboxServer::put(const QByteArray &url, const QByteArray &body, const Headers &headers)
{
    const QUrl parsed = QUrl::fromEncoded(url, QUrl::StrictMode);
    // The URL must reach the server byte for byte, or the signature breaks.
    if (parsed.toEncoded() != url)
        qWarning("QUrl changes the presigned URL: %s", url.constData());
    return send("PUT", parsed, body, headers);
}

Session TestSandboxServer::signIn()
{
    const SandboxConfig config = m_server->config();
    const HttpResult result = sendJson("POST", QStringLiteral("/auth/token"),
                                       {{QStringLiteral("username"), config.username},
                                        {QStringLiteral("password"), config.password}},
                                       nullptr);
    const QJsonObject session = result.json().value(QStringLiteral("session")).toObject();
    Session tokens;
    tokens.authorization = session.value(QStringLiteral("authorization")).toString().toUtf8();
    tokens.accessToken = session.value(QStringLiteral("accessToken")).toString().toUtf8();
    tokens.refreshToken = session.value(QStringLiteral("refreshToken")).toString().toUtf8();
    tokens.expireEpoch = session.value(QStringLiteral("expireEpoch")).toInteger();
    return tokens;
}

Headers TestSandboxServer::sessionHeaders(const Session &session) const
{
    return {{"X-API-Key", m_server->config().apiKey.toUtf8()},
            {"Authorization", session.authorization},
            {"AccessToken", session.accessToken},
            {"Content-Type", "application/json"}};
}

CreatedAsset TestSandboxServer::create(const QJsonObject &body)
{
    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
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

CreatedAsset TestSandboxServer::createMultipartAsset(const QString &filename, qint64 filesize)
{
    QJsonObject body = validCreateBody(filename);
    body.insert(QStringLiteral("filesize"), filesize);
    return create(body);
}

HttpResult TestSandboxServer::finish(const CreatedAsset &asset, const QString &action, const QJsonArray &parts,
                                     qint64 filesize)
{
    QJsonObject body{{QStringLiteral("fileId"), asset.fileId},
                     {QStringLiteral("filename"), QStringLiteral("clip.mp4")},
                     {QStringLiteral("uploadId"), asset.uploadId},
                     {QStringLiteral("action"), action},
                     {QStringLiteral("parts"), parts}};
    if (filesize >= 0)
        body.insert(QStringLiteral("filesize"), filesize);
    return sendJson("POST", QStringLiteral("/asset/complete"), body, &m_session);
}

QJsonObject TestSandboxServer::sandboxVersion(const QString &objectId, const QString &fileId)
{
    for (const QJsonValue &asset : m_server->assets()) {
        if (asset.toObject().value(QStringLiteral("objectId")).toString() != objectId)
            continue;
        for (const QJsonValue &version : asset.toObject().value(QStringLiteral("versions")).toArray()) {
            if (version.toObject().value(QStringLiteral("fileId")).toString() == fileId)
                return version.toObject();
        }
    }
    return {};
}

// Sends raw bytes on a new connection and collects the response until it
// contains `until` expectedCount times or 10 s pass. The event loop keeps
// running meanwhile, because the server accepts connections on this thread.
QByteArray TestSandboxServer::rawExchange(const QByteArray &request, const QByteArray &until, int expectedCount)
{
    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    socket.write(request);
    if (!QTest::qWaitFor([&] { return received.count(until) >= expectedCount; }, 10000))
        qWarning("no complete response within 10 s; received: %s", received.constData());
    return received;
}

// --- tokens -----------------------------------------------------------------

void TestSandboxServer::tokenSignIn()
{
    const SandboxConfig config = m_server->config();
    const HttpResult result = sendJson("POST", QStringLiteral("/auth/token"),
                                       {{QStringLiteral("username"), config.username},
                                        {QStringLiteral("password"), config.password},
                                        {QStringLiteral("clientId"), QStringLiteral("ignored")}},
                                       nullptr);
    QCOMPARE(result.status, 200);
    const QJsonObject body = result.json();
    QCOMPARE(body.value(QStringLiteral("username")).toString(), config.username);
    QCOMPARE(body.value(QStringLiteral("endpointUrl")).toString(), m_server->baseUrl().toString());
    const QJsonObject session = body.value(QStringLiteral("session")).toObject();
    QVERIFY(!session.value(QStringLiteral("authorization")).toString().isEmpty());
    QCOMPARE(session.value(QStringLiteral("accessToken")).toString().count(QLatin1Char('.')), 2);
    QVERIFY(!session.value(QStringLiteral("refreshToken")).toString().isEmpty());
    const qint64 expireEpoch = session.value(QStringLiteral("expireEpoch")).toInteger();
    QVERIFY(qAbs(expireEpoch - (QDateTime::currentSecsSinceEpoch() + 3600)) <= 5);
}

void TestSandboxServer::tokenRejected_data()
{
    QTest::addColumn<QByteArray>("apiKey");
    QTest::addColumn<QByteArray>("contentType");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("messageField");

    const QByteArray good = R"({"username":"demo@example.com","password":"demo-password"})";
    QTest::addRow("wrong password") << QByteArray("sandbox-demo-key") << QByteArray("application/json")
                                    << QByteArray(R"({"username":"demo@example.com","password":"nope"})") << 401
                                    << QStringLiteral("status");
    QTest::addRow("unknown user") << QByteArray("sandbox-demo-key") << QByteArray("application/json")
                                  << QByteArray(R"({"username":"other@example.com","password":"demo-password"})")
                                  << 401 << QStringLiteral("status");
    QTest::addRow("wrong API key") << QByteArray("not-the-key") << QByteArray("application/json") << good << 403
                                   << QStringLiteral("detail");
    QTest::addRow("missing API key") << QByteArray() << QByteArray("application/json") << good << 403
                                     << QStringLiteral("detail");
    QTest::addRow("missing password") << QByteArray("sandbox-demo-key") << QByteArray("application/json")
                                      << QByteArray(R"({"username":"demo@example.com"})") << 400
                                      << QStringLiteral("status");
    QTest::addRow("not JSON") << QByteArray("sandbox-demo-key") << QByteArray("application/json")
                              << QByteArray("username=demo") << 400 << QStringLiteral("status");
    QTest::addRow("form content type") << QByteArray("sandbox-demo-key")
                                       << QByteArray("application/x-www-form-urlencoded") << good << 415
                                       << QStringLiteral("status");
    QTest::addRow("unknown refresh token") << QByteArray("sandbox-demo-key") << QByteArray("application/json")
                                           << QByteArray(R"({"session":{"accessToken":"a","refreshToken":"b"}})")
                                           << 401 << QStringLiteral("status");
}

void TestSandboxServer::tokenRejected()
{
    QFETCH(QByteArray, apiKey);
    QFETCH(QByteArray, contentType);
    QFETCH(QByteArray, body);
    QFETCH(int, status);
    QFETCH(QString, messageField);

    Headers headers{{"Content-Type", contentType}};
    if (!apiKey.isNull())
        headers.append({"X-API-Key", apiKey});
    const HttpResult result = send("POST", apiUrl(QStringLiteral("/auth/token")), body, headers);
    QCOMPARE(result.status, status);
    const QJsonObject json = result.json();
    QVERIFY2(!json.value(QStringLiteral("message")).toString().isEmpty(), result.body.constData());
    QVERIFY2(json.contains(messageField), result.body.constData());
    QVERIFY(!json.contains(QStringLiteral("session")));
}

void TestSandboxServer::tokenRefreshAndRevoke()
{
    const HttpResult refreshed = sendJson("POST", QStringLiteral("/auth/token"),
                                          {{QStringLiteral("session"),
                                            QJsonObject{{QStringLiteral("accessToken"), QString::fromUtf8(m_session.accessToken)},
                                                        {QStringLiteral("refreshToken"), QString::fromUtf8(m_session.refreshToken)}}}},
                                          nullptr);
    QCOMPARE(refreshed.status, 200);
    const QJsonObject session = refreshed.json().value(QStringLiteral("session")).toObject();
    Session renewed;
    renewed.authorization = session.value(QStringLiteral("authorization")).toString().toUtf8();
    renewed.accessToken = session.value(QStringLiteral("accessToken")).toString().toUtf8();
    QVERIFY(renewed.accessToken != m_session.accessToken);
    QCOMPARE(session.value(QStringLiteral("refreshToken")).toString().toUtf8(), m_session.refreshToken);

    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(renewed)).status, 200);

    const HttpResult revoked = send("DELETE", apiUrl(QStringLiteral("/auth/token")), QByteArray(), sessionHeaders(renewed));
    QCOMPARE(revoked.status, 200);

    const HttpResult afterRevoke = send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(),
                                        sessionHeaders(m_session));
    QCOMPARE(afterRevoke.status, 401);
    QCOMPARE(afterRevoke.json().value(QStringLiteral("message")).toString(), QStringLiteral("Unauthorized"));

    const HttpResult refreshAfterRevoke = sendJson("POST", QStringLiteral("/auth/token"),
                                                   {{QStringLiteral("session"),
                                                     QJsonObject{{QStringLiteral("refreshToken"),
                                                                  QString::fromUtf8(m_session.refreshToken)}}}},
                                                   nullptr);
    QCOMPARE(refreshAfterRevoke.status, 401);
}

void TestSandboxServer::tokenExpiresAfterLifetime()
{
    SandboxConfig config = testConfig();
    config.accessTokenLifetimeSeconds = 2;
    QVERIFY(m_server->setConfig(config));
    const Session session = signIn();
    QVERIFY(session.expireEpoch > 0);

    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(session)).status, 200);

    // The token expires at most one second after expireEpoch (which is rounded down).
    QTRY_VERIFY_WITH_TIMEOUT(QDateTime::currentMSecsSinceEpoch() > (session.expireEpoch + 1) * 1000, 10000);
    const HttpResult expired = send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(session));
    QCOMPARE(expired.status, 401);
    QVERIFY2(expired.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("expired")),
             expired.body.constData());
}

void TestSandboxServer::tokenMintedExpired()
{
    SandboxConfig config = testConfig();
    config.accessTokenLifetimeSeconds = 0;
    QVERIFY(m_server->setConfig(config));
    const Session session = signIn();
    QVERIFY(session.expireEpoch <= QDateTime::currentSecsSinceEpoch());

    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("a.jpg")), &session);
    QCOMPARE(result.status, 401);
    QVERIFY2(result.json().value(QStringLiteral("detail")).toString().contains(QStringLiteral("expired")),
             result.body.constData());
}

// --- create -----------------------------------------------------------------

void TestSandboxServer::createMultipart()
{
    QJsonObject body = validCreateBody(QStringLiteral("Präsentation Q3 (final).mp4"));
    body.insert(QStringLiteral("filesize"), testPartSize * 2 + testPartSize / 2);
    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.json().value(QStringLiteral("status")).toString(), QStringLiteral("success"));

    const QJsonObject data = result.json().value(QStringLiteral("data")).toObject();
    const QString objectId = data.value(QStringLiteral("objectId")).toString();
    QVERIFY(!objectId.isEmpty());
    QCOMPARE(data.value(QStringLiteral("originalFileId")).toString(), data.value(QStringLiteral("fileId")).toString());
    QVERIFY(!data.value(QStringLiteral("uploadId")).toString().isEmpty());
    QVERIFY(!data.contains(QStringLiteral("url")));

    const QJsonArray urls = data.value(QStringLiteral("urls")).toArray();
    QCOMPARE(urls.size(), 3);
    for (int i = 0; i < urls.size(); ++i) {
        const QJsonObject entry = urls.at(i).toObject();
        QCOMPARE(entry.value(QStringLiteral("partNumber")).toInt(), i + 1);
        const QByteArray url = entry.value(QStringLiteral("url")).toString().toUtf8();
        const QByteArray prefix = "http://127.0.0.1:" + QByteArray::number(m_server->port()) + "/contentstore/masters/"
            + objectId.toLatin1() + "/Pr%C3%A4sentation%20Q3%20%28final%29.mp4?uploadId=";
        QVERIFY2(url.startsWith(prefix), url.constData());
        QVERIFY(url.contains("&partNumber=" + QByteArray::number(i + 1) + '&'));
        QVERIFY(url.contains("X-Amz-Algorithm=AWS4-HMAC-SHA256"));
        QVERIFY(url.contains("X-Amz-SignedHeaders=host&"));
        QVERIFY(url.contains("X-Amz-Expires=86400"));
        QVERIFY(url.contains("%2Fus-east-1%2Fs3%2Faws4_request"));
        // The session token's '+', '/' and '=' arrive percent-encoded.
        QVERIFY(url.contains("X-Amz-Security-Token=IQoJ"));
        QVERIFY(url.contains("%2B") && url.contains("%2F%2F") && url.contains("%3D"));
        QVERIFY(url.contains("&X-Amz-Signature="));
    }

    const QJsonObject version = sandboxVersion(objectId, data.value(QStringLiteral("fileId")).toString());
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
    QCOMPARE(version.value(QStringLiteral("partCount")).toInt(), 3);
    QCOMPARE(m_server->openUploadCount(), 1);
}

void TestSandboxServer::createSingle()
{
    QJsonObject body = validCreateBody(QStringLiteral("apples & pears.jpg"));
    body.insert(QStringLiteral("filesize"), testPartSize - 1);
    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
    QCOMPARE(result.status, 200);
    const QJsonObject data = result.json().value(QStringLiteral("data")).toObject();
    QVERIFY(!data.contains(QStringLiteral("uploadId")));
    QVERIFY(!data.contains(QStringLiteral("urls")));
    const QByteArray url = data.value(QStringLiteral("url")).toString().toUtf8();
    QVERIFY2(url.contains("/apples%20%26%20pears.jpg?X-Amz-Algorithm="), url.constData());
    QVERIFY(url.contains("X-Amz-SignedHeaders=host%3Bx-amz-meta-objectid&"));
    QVERIFY(url.contains("&x-amz-meta-objectid=" + data.value(QStringLiteral("objectId")).toString().toLatin1() + '&'));
    QCOMPARE(m_server->openUploadCount(), 0);
}

void TestSandboxServer::createV1FlatResponse()
{
    const HttpResult result = sendJson("POST", QStringLiteral("/asset"), validCreateBody(QStringLiteral("a.jpg")), &m_session);
    QCOMPARE(result.status, 200);
    const QJsonObject body = result.json();
    QVERIFY(!body.contains(QStringLiteral("data")));
    QVERIFY(!body.value(QStringLiteral("objectId")).toString().isEmpty());
    QVERIFY(!body.value(QStringLiteral("fileId")).toString().isEmpty());
    QVERIFY(body.value(QStringLiteral("url")).toString().startsWith(QStringLiteral("http://127.0.0.1:")));
}

void TestSandboxServer::createRejected_data()
{
    QTest::addColumn<QJsonObject>("body");
    QTest::addColumn<int>("status");
    QTest::addColumn<QString>("expectedText"); // in message or detail

    const QJsonObject valid = validCreateBody(QStringLiteral("a.jpg"));
    auto without = [&](const char *field) {
        QJsonObject body = valid;
        body.remove(QLatin1String(field));
        return body;
    };
    auto with = [&](const char *field, const QJsonValue &value) {
        QJsonObject body = valid;
        body.insert(QLatin1String(field), value);
        return body;
    };
    auto withMetadata = [&](const QString &id, const QJsonValue &value) {
        QJsonArray metadata;
        for (const QJsonValue &item : validMetadata()) {
            if (item.toObject().value(QStringLiteral("metadataDefinitionId")).toString() != id)
                metadata.append(item);
        }
        if (!value.isUndefined())
            metadata.append(QJsonObject{{QStringLiteral("metadataDefinitionId"), id},
                                        {QStringLiteral("metadataDefinitionValue"), value}});
        return with("metadata", metadata);
    };
    QJsonArray tooManyTemplates;
    for (int i = 0; i < 51; ++i)
        tooManyTemplates.append(latin1(DemoCatalog::marketingInternalTemplateId));

    QTest::addRow("no security templates") << without("securityTemplateIds") << 403
                                           << QStringLiteral("Invalid Asset: Missing Security Template ID(s)");
    QTest::addRow("empty security templates") << with("securityTemplateIds", QJsonArray()) << 403
                                              << QStringLiteral("Invalid Asset: Missing Security Template ID(s)");
    QTest::addRow("51 security templates") << with("securityTemplateIds", tooManyTemplates) << 403
                                           << QStringLiteral("Too many");
    QTest::addRow("unknown security template")
        << with("securityTemplateIds", QJsonArray{QStringLiteral("00000000-0000-0000-0000-000000000000")}) << 403
        << QStringLiteral("00000000-0000-0000-0000-000000000000");
    QTest::addRow("no filename") << without("filename") << 403 << QStringLiteral("filename");
    QTest::addRow("no metadata template") << without("metadataTemplateId") << 403
                                          << QStringLiteral("Invalid Asset: Missing Metadata Template ID");
    QTest::addRow("unknown metadata template")
        << with("metadataTemplateId", QStringLiteral("11111111-1111-1111-1111-111111111111")) << 400
        << QStringLiteral("11111111-1111-1111-1111-111111111111");
    QTest::addRow("no metadata") << without("metadata") << 403 << QStringLiteral("metadata");
    QTest::addRow("filesize above 5 GiB") << with("filesize", 5368709121.0) << 400 << QStringLiteral("5368709121");
    QTest::addRow("filesize negative") << with("filesize", -1) << 400 << QStringLiteral("filesize");
    QTest::addRow("filesize fractional") << with("filesize", 1.5) << 400 << QStringLiteral("filesize");
    QTest::addRow("required text missing") << withMetadata(titleId, QJsonValue::Undefined) << 400 << QStringLiteral("'Title'");
    QTest::addRow("required text empty") << withMetadata(titleId, QStringLiteral("  ")) << 400 << QStringLiteral("'Title'");
    QTest::addRow("required vocabulary missing") << withMetadata(regionId, QJsonValue::Undefined) << 400 << QStringLiteral("'Region'");
    QTest::addRow("unknown vocabulary value")
        << withMetadata(regionId, QJsonObject{{QStringLiteral("valueId"), QStringLiteral("nope")}}) << 400
        << QStringLiteral("'Region'");
    QTest::addRow("array for single select")
        << withMetadata(regionId, QJsonArray{QJsonObject{{QStringLiteral("valueId"), emeaValueId}}}) << 400
        << QStringLiteral("'Region'");
    QTest::addRow("date in ISO form") << withMetadata(embargoId, QStringLiteral("2026-03-31")) << 400
                                      << QStringLiteral("'Embargo Date'");
    QTest::addRow("date that does not exist") << withMetadata(embargoId, QStringLiteral("02/30/2026")) << 400
                                              << QStringLiteral("'Embargo Date'");
    QTest::addRow("read-only attribute") << withMetadata(assetNumberId, QStringLiteral("A-1")) << 400
                                         << QStringLiteral("'Asset Number'");
    QTest::addRow("unknown attribute") << withMetadata(QStringLiteral("22222222-2222-2222-2222-222222222222"), QStringLiteral("x"))
                                       << 400 << QStringLiteral("22222222-2222-2222-2222-222222222222");
    QTest::addRow("unknown original file")
        << with("originalFileId", QStringLiteral("33333333-3333-3333-3333-333333333333")) << 403
        << QStringLiteral("33333333-3333-3333-3333-333333333333");
}

void TestSandboxServer::createRejected()
{
    QFETCH(QJsonObject, body);
    QFETCH(int, status);
    QFETCH(QString, expectedText);

    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
    QCOMPARE(result.status, status);
    const QJsonObject json = result.json();
    const QString text = json.value(QStringLiteral("message")).toString() + QLatin1Char(' ')
        + json.value(QStringLiteral("detail")).toString();
    QVERIFY2(text.contains(expectedText), result.body.constData());
    if (status == 400)
        QCOMPARE(json.value(QStringLiteral("status")).toString(), QStringLiteral("error"));
    else
        QVERIFY(json.contains(QStringLiteral("detail")));
    QVERIFY(m_server->assets().isEmpty());
}

// --- PUT --------------------------------------------------------------------

void TestSandboxServer::putPartReturnsQuotedMd5Etag()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const QByteArray part = randomBytes(testPartSize);
    const HttpResult result = put(asset.urls.at(0), part);
    QCOMPARE(result.status, 200);
    QCOMPARE(result.header("ETag"), '"' + md5Hex(part) + '"');

    const QJsonObject version = sandboxVersion(asset.objectId, asset.fileId);
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("uploading"));
    QCOMPARE(version.value(QStringLiteral("partsReceived")).toInt(), 1);

    // A second PUT of the same part replaces it.
    const QByteArray replacement = randomBytes(testPartSize);
    const HttpResult again = put(asset.urls.at(0), replacement);
    QCOMPARE(again.header("ETag"), '"' + md5Hex(replacement) + '"');
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);
}

void TestSandboxServer::putTamperedSignature()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QByteArray url = asset.urls.at(0);
    url[url.size() - 1] = url.endsWith('0') ? '1' : '0';

    const HttpResult result = put(url, randomBytes(1000));
    QCOMPARE(result.status, 403);
    QVERIFY(result.body.startsWith("<?xml"));
    QCOMPARE(result.xml("Code"), QStringLiteral("SignatureDoesNotMatch"));
    QVERIFY(!result.xml("CanonicalRequest").isEmpty());
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 0);
}

void TestSandboxServer::putExpiredUrl()
{
    SandboxConfig config = testConfig();
    config.urlLifetimeSeconds = 0;
    QVERIFY(m_server->setConfig(config));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);

    const HttpResult result = put(asset.urls.at(0), randomBytes(1000));
    QCOMPARE(result.status, 403);
    QCOMPARE(result.xml("Code"), QStringLiteral("AccessDenied"));
    QCOMPARE(result.xml("Message"), QStringLiteral("Request has expired"));
}

void TestSandboxServer::putSingleNeedsObjectIdHeader()
{
    const CreatedAsset asset = create(validCreateBody(QStringLiteral("apples & pears.jpg")));
    QCOMPARE(asset.urls.size(), 1);
    const QByteArray content = randomBytes(5000);

    const HttpResult withoutHeader = put(asset.urls.at(0), content);
    QCOMPARE(withoutHeader.status, 403);
    QCOMPARE(withoutHeader.xml("Code"), QStringLiteral("SignatureDoesNotMatch"));

    const HttpResult wrongValue = put(asset.urls.at(0), content, {{"x-amz-meta-objectid", "00000000-0000-0000-0000-000000000000"}});
    QCOMPARE(wrongValue.status, 403);

    const HttpResult unsignedExtra = put(asset.urls.at(0), content,
                                         {{"x-amz-meta-objectid", asset.objectId.toLatin1()}, {"x-amz-acl", "private"}});
    QCOMPARE(unsignedExtra.status, 403);
    QCOMPARE(unsignedExtra.xml("Code"), QStringLiteral("AccessDenied"));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("state")).toString(), QStringLiteral("pending"));

    const HttpResult stored = put(asset.urls.at(0), content, {{"x-amz-meta-objectid", asset.objectId.toLatin1()}});
    QCOMPARE(stored.status, 200);
    QCOMPARE(stored.header("ETag"), '"' + md5Hex(content) + '"');

    const QJsonObject version = sandboxVersion(asset.objectId, asset.fileId);
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("complete"));
    QCOMPARE(version.value(QStringLiteral("fileSize")).toInteger(), content.size());
    QVERIFY(version.value(QStringLiteral("uploadId")).isNull());
    QCOMPARE(m_server->contentMd5(asset.objectId), md5Hex(content));

    const HttpResult downloaded = send("GET", sandboxUrl(QStringLiteral("/assets/%1/content").arg(asset.objectId)));
    QCOMPARE(downloaded.status, 200);
    QCOMPARE(downloaded.body, content);
}

void TestSandboxServer::putAfterUploadEnds()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QCOMPARE(finish(asset, QStringLiteral("cancel"), QJsonArray(), -1).status, 200);

    const HttpResult result = put(asset.urls.at(1), randomBytes(100));
    QCOMPARE(result.status, 404);
    QCOMPARE(result.xml("Code"), QStringLiteral("NoSuchUpload"));
    QCOMPARE(result.xml("UploadId"), asset.uploadId);
}

// --- complete and cancel ----------------------------------------------------

void TestSandboxServer::completeRejected_data()
{
    QTest::addColumn<QList<qint64>>("partSizes");   // bytes PUT for parts 1..n
    QTest::addColumn<QList<int>>("listedParts");    // part numbers sent to complete, in order
    QTest::addColumn<bool>("wrongEtag");            // send a wrong ETag for the first listed part
    QTest::addColumn<QString>("code");

    const qint64 full = testPartSize;
    QTest::addRow("descending order") << QList<qint64>{full, full, 10} << QList<int>{2, 1, 3} << false << QStringLiteral("InvalidPartOrder");
    QTest::addRow("repeated part") << QList<qint64>{full, full, 10} << QList<int>{1, 1, 3} << false << QStringLiteral("InvalidPartOrder");
    QTest::addRow("wrong etag") << QList<qint64>{full, full, 10} << QList<int>{1, 2, 3} << true << QStringLiteral("InvalidPart");
    QTest::addRow("part never uploaded") << QList<qint64>{full, full} << QList<int>{1, 2, 3} << false << QStringLiteral("InvalidPart");
    QTest::addRow("part too small") << QList<qint64>{10, full, full} << QList<int>{1, 2, 3} << false << QStringLiteral("EntityTooSmall");
    QTest::addRow("part left out") << QList<qint64>{full, full, 10} << QList<int>{1, 3} << false << QStringLiteral("InvalidFileSize");
    QTest::addRow("empty list") << QList<qint64>{full, full, 10} << QList<int>{} << false << QStringLiteral("InvalidRequest");
}

void TestSandboxServer::completeRejected()
{
    QFETCH(QList<qint64>, partSizes);
    QFETCH(QList<int>, listedParts);
    QFETCH(bool, wrongEtag);
    QFETCH(QString, code);

    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2 + 10);
    QCOMPARE(asset.urls.size(), 3);
    QHash<int, QByteArray> etags;
    for (int i = 0; i < partSizes.size(); ++i) {
        const HttpResult result = put(asset.urls.at(i), randomBytes(partSizes.at(i)));
        QCOMPARE(result.status, 200);
        etags.insert(i + 1, result.header("ETag"));
    }

    QJsonArray parts;
    for (const int number : listedParts) {
        QByteArray etag = etags.value(number, "\"00000000000000000000000000000000\"");
        if (wrongEtag && parts.isEmpty())
            etag = '"' + md5Hex("other") + '"';
        parts.append(QJsonObject{{QStringLiteral("partNumber"), number}, {QStringLiteral("etag"), QString::fromLatin1(etag)}});
    }
    const HttpResult result = finish(asset, QStringLiteral("complete"), parts, testPartSize * 2 + 10);
    QCOMPARE(result.status, 400);
    QCOMPARE(result.json().value(QStringLiteral("status")).toString(), QStringLiteral("error"));
    QCOMPARE(result.json().value(QStringLiteral("code")).toString(), code);
    QVERIFY(!result.json().value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(m_server->openUploadCount(), 1);
}

void TestSandboxServer::completeStoresContent()
{
    const qint64 size = testPartSize * 2 + 1234;
    const QByteArray content = randomBytes(size);
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), size);
    QCOMPARE(asset.urls.size(), 3);

    QJsonArray parts;
    // Upload out of order: the complete call's order is what counts.
    for (const int number : {3, 1, 2}) {
        const QByteArray part = content.mid((number - 1) * testPartSize, testPartSize);
        const HttpResult result = put(asset.urls.at(number - 1), part);
        QCOMPARE(result.status, 200);
        QCOMPARE(result.header("ETag"), '"' + md5Hex(part) + '"');
    }
    for (int number = 1; number <= 3; ++number) {
        const QByteArray part = content.mid((number - 1) * testPartSize, testPartSize);
        parts.append(QJsonObject{{QStringLiteral("partNumber"), number},
                                 {QStringLiteral("etag"), QString::fromLatin1('"' + md5Hex(part) + '"')}});
    }

    const HttpResult result = finish(asset, QStringLiteral("complete"), parts, size);
    QCOMPARE(result.status, 200);
    const QJsonObject body = result.json();
    QCOMPARE(body.value(QStringLiteral("status")).toString(), QStringLiteral("success"));
    QCOMPARE(body.value(QStringLiteral("action")).toString(), QStringLiteral("complete"));
    QCOMPARE(body.value(QStringLiteral("fileId")).toString(), asset.fileId);
    QCOMPARE(body.value(QStringLiteral("uploadId")).toString(), asset.uploadId);
    QCOMPARE(body.value(QStringLiteral("s3Key")).toString(), QStringLiteral("masters/%1/clip.mp4").arg(asset.objectId));

    const QJsonObject version = sandboxVersion(asset.objectId, asset.fileId);
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("complete"));
    QCOMPARE(version.value(QStringLiteral("partsReceived")).toInt(), 3);
    QCOMPARE(version.value(QStringLiteral("fileSize")).toInteger(), size);
    QCOMPARE(m_server->openUploadCount(), 0);
    QCOMPARE(m_server->contentMd5(asset.objectId), md5Hex(content));
    QCOMPARE(m_server->contentFiles(asset.objectId).size(), 3);

    const HttpResult downloaded = send("GET", sandboxUrl(QStringLiteral("/assets/%1/content").arg(asset.objectId)));
    QCOMPARE(downloaded.status, 200);
    QCOMPARE(downloaded.header("Content-Length").toLongLong(), size);
    QCOMPARE(downloaded.body, content);

    const HttpResult listing = send("GET", sandboxUrl(QStringLiteral("/assets")));
    QCOMPARE(listing.status, 200);
    QCOMPARE(listing.jsonArray(), m_server->assets());

    const HttpResult lookup = send("GET", apiUrl(QStringLiteral("/assets/asset/%1").arg(asset.objectId)), QByteArray(),
                                   sessionHeaders(m_session));
    QCOMPARE(lookup.status, 200);
    const QJsonObject data = lookup.json().value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("fileSizeInBytes")).toInteger(), size);
    QCOMPARE(data.value(QStringLiteral("fileState")).toString(), QStringLiteral("available"));
    QVERIFY(QDateTime::fromString(data.value(QStringLiteral("createdDate")).toString(), Qt::ISODateWithMs).isValid());
}

void TestSandboxServer::completeTwiceRejected()
{
    const QByteArray content = randomBytes(testPartSize + 1);
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), content.size());
    const HttpResult first = put(asset.urls.at(0), content.left(testPartSize));
    const HttpResult second = put(asset.urls.at(1), content.mid(testPartSize));
    const QJsonArray parts{QJsonObject{{QStringLiteral("partNumber"), 1}, {QStringLiteral("etag"), QString::fromLatin1(first.header("ETag"))}},
                           QJsonObject{{QStringLiteral("partNumber"), 2}, {QStringLiteral("etag"), QString::fromLatin1(second.header("ETag"))}}};
    QCOMPARE(finish(asset, QStringLiteral("complete"), parts, content.size()).status, 200);

    const HttpResult again = finish(asset, QStringLiteral("complete"), parts, content.size());
    QCOMPARE(again.status, 400);
    QCOMPARE(again.json().value(QStringLiteral("code")).toString(), QStringLiteral("NoSuchUpload"));
    QVERIFY2(again.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("already completed")), again.body.constData());

    const HttpResult cancel = finish(asset, QStringLiteral("cancel"), QJsonArray(), -1);
    QCOMPARE(cancel.status, 400);
    QCOMPARE(m_server->contentMd5(asset.objectId), md5Hex(content));
}

void TestSandboxServer::cancelDiscardsParts()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 3);
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
    QCOMPARE(m_server->openUploadCount(), 1);

    const HttpResult cancelled = finish(asset, QStringLiteral("cancel"), QJsonArray(), -1);
    QCOMPARE(cancelled.status, 200);
    QCOMPARE(cancelled.json().value(QStringLiteral("action")).toString(), QStringLiteral("cancel"));

    const QJsonObject version = sandboxVersion(asset.objectId, asset.fileId);
    QCOMPARE(version.value(QStringLiteral("state")).toString(), QStringLiteral("cancelled"));
    QCOMPARE(version.value(QStringLiteral("partsReceived")).toInt(), 0);
    QCOMPARE(m_server->openUploadCount(), 0);
    QVERIFY(m_server->contentMd5(asset.objectId).isEmpty());
    QCOMPARE(send("GET", sandboxUrl(QStringLiteral("/assets/%1/content").arg(asset.objectId))).status, 404);

    const HttpResult again = finish(asset, QStringLiteral("cancel"), QJsonArray(), -1);
    QCOMPARE(again.status, 400);
    QVERIFY2(again.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("already cancelled")), again.body.constData());

    const HttpResult badAction = finish(asset, QStringLiteral("Cancel"), QJsonArray(), -1);
    QCOMPARE(badAction.status, 400);
}

void TestSandboxServer::newVersionKeepsObjectId()
{
    const CreatedAsset first = create(validCreateBody(QStringLiteral("logo.png")));
    const QByteArray firstContent = randomBytes(300);
    QCOMPARE(put(first.urls.at(0), firstContent, {{"x-amz-meta-objectid", first.objectId.toLatin1()}}).status, 200);

    QJsonObject body = validCreateBody(QStringLiteral("logo.png"));
    body.insert(QStringLiteral("originalFileId"), first.fileId);
    const HttpResult result = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
    QCOMPARE(result.status, 200);
    const QJsonObject data = result.json().value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("objectId")).toString(), first.objectId);
    QCOMPARE(data.value(QStringLiteral("originalFileId")).toString(), first.fileId);
    const QString secondFileId = data.value(QStringLiteral("fileId")).toString();
    QVERIFY(secondFileId != first.fileId);

    // Until the new version has content, the first one stays current.
    QCOMPARE(m_server->contentMd5(first.objectId), md5Hex(firstContent));
    const QByteArray secondContent = randomBytes(400);
    QCOMPARE(put(data.value(QStringLiteral("url")).toString().toUtf8(), secondContent,
                 {{"x-amz-meta-objectid", first.objectId.toLatin1()}}).status, 200);
    QCOMPARE(m_server->contentMd5(first.objectId), md5Hex(secondContent));
    QCOMPARE(m_server->assets().size(), 1);
    QCOMPARE(m_server->assets().at(0).toObject().value(QStringLiteral("versions")).toArray().size(), 2);

    // The object id names the current version; a file id names its own.
    const QList<std::pair<QString, QString>> lookups{
        {first.objectId, secondFileId}, {secondFileId, secondFileId}, {first.fileId, first.fileId}};
    for (const auto &[id, expectedFileId] : lookups) {
        const HttpResult lookup = send("GET", apiUrl(QStringLiteral("/assets/asset/") + id), QByteArray(), sessionHeaders(m_session));
        QCOMPARE(lookup.status, 200);
        const QJsonObject asset = lookup.json().value(QStringLiteral("data")).toObject();
        QCOMPARE(asset.value(QStringLiteral("objectId")).toString(), first.objectId);
        QCOMPARE(asset.value(QStringLiteral("fileId")).toString(), expectedFileId);
        QCOMPARE(asset.value(QStringLiteral("versionNumber")).toInt(), expectedFileId == first.fileId ? 1 : 2);
    }
}

void TestSandboxServer::newVersionInheritsMetadata()
{
    const CreatedAsset first = create(validCreateBody(QStringLiteral("logo.png")));
    QVERIFY(!first.fileId.isEmpty());

    // No metadata: the required Title and Region come from the asset.
    QJsonObject body = validCreateBody(QStringLiteral("logo.png"));
    body.insert(QStringLiteral("originalFileId"), first.fileId);
    body.insert(QStringLiteral("metadata"), QJsonArray());
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session).status, 200);

    // A value sent with the version replaces the asset's value.
    body.insert(QStringLiteral("metadata"),
                QJsonArray{QJsonObject{{QStringLiteral("metadataDefinitionId"), titleId},
                                       {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Autumn campaign")}}});
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session).status, 200);

    const HttpResult lookup = send("GET", apiUrl(QStringLiteral("/assets/asset/") + first.objectId), QByteArray(),
                                   sessionHeaders(m_session));
    QCOMPARE(lookup.status, 200);
    const QJsonObject data = lookup.json().value(QStringLiteral("data")).toObject();
    QCOMPARE(data.value(QStringLiteral("versionNumber")).toInt(), 3);
    QHash<QString, QJsonValue> values;
    for (const QJsonValue &item : data.value(QStringLiteral("metadataDocument")).toArray()) {
        values.insert(item.toObject().value(QStringLiteral("metadataDefinitionId")).toString(),
                      item.toObject().value(QStringLiteral("metadataDefinitionValue")));
    }
    QCOMPARE(values.size(), validMetadata().size());
    QCOMPARE(values.value(titleId).toString(), QStringLiteral("Autumn campaign"));
    QCOMPARE(values.value(regionId).toObject().value(QStringLiteral("valueId")).toString(), emeaValueId);

    // Under another template nothing carries over, so its required attribute is missing.
    body.insert(QStringLiteral("metadataTemplateId"), latin1(DemoCatalog::productPhotoTemplateId));
    body.insert(QStringLiteral("metadata"), QJsonArray());
    const HttpResult otherTemplate = sendJson("POST", QStringLiteral("/assets/asset"), body, &m_session);
    QCOMPARE(otherTemplate.status, 400);
    QVERIFY2(otherTemplate.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("'Product Name'")),
             otherTemplate.body.constData());
}

void TestSandboxServer::metadataOnlyStaysPending()
{
    const CreatedAsset asset = create(validCreateBody(QStringLiteral("placeholder.txt")));
    QVERIFY(!asset.objectId.isEmpty());
    const HttpResult lookup = send("GET", apiUrl(QStringLiteral("/assets/asset/") + asset.objectId), QByteArray(),
                                   sessionHeaders(m_session));
    QCOMPARE(lookup.status, 200);
    QCOMPARE(lookup.json().value(QStringLiteral("data")).toObject().value(QStringLiteral("fileState")).toString(),
             QStringLiteral("pending content"));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("state")).toString(), QStringLiteral("pending"));
    QCOMPARE(send("GET", sandboxUrl(QStringLiteral("/assets/%1/content").arg(asset.objectId))).status, 404);

    const HttpResult unknown = send("GET", apiUrl(QStringLiteral("/assets/asset/44444444-4444-4444-4444-444444444444")),
                                    QByteArray(), sessionHeaders(m_session));
    QCOMPARE(unknown.status, 404);
}

// --- look-ups ---------------------------------------------------------------

void TestSandboxServer::lookups()
{
    const Headers headers = sessionHeaders(m_session);
    const HttpResult security = send("GET", apiUrl(QStringLiteral("/security/template")), QByteArray(), headers);
    QCOMPARE(security.status, 200);
    QCOMPARE(security.jsonArray().size(), 2);
    QCOMPARE(security.jsonArray().at(0).toObject().value(QStringLiteral("templateName")).toString(),
             QStringLiteral("Marketing – Internal"));

    const HttpResult templates = send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), headers);
    QCOMPARE(templates.status, 200);
    QCOMPARE(templates.jsonArray().size(), 2);
    QCOMPARE(templates.jsonArray().at(0).toObject().value(QStringLiteral("templateId")).toString(),
             latin1(DemoCatalog::marketingAssetTemplateId));

    const HttpResult detail = send("GET", apiUrl(QStringLiteral("/metadata/template/") + latin1(DemoCatalog::marketingAssetTemplateId)),
                                   QByteArray(), headers);
    QCOMPARE(detail.status, 200);
    const QJsonObject templateJson = detail.json().value(QStringLiteral("template")).toObject();
    QCOMPARE(templateJson.value(QStringLiteral("templateName")).toString(), QStringLiteral("Marketing Asset"));
    QHash<QString, QJsonObject> attributes;
    for (const QJsonValue &group : templateJson.value(QStringLiteral("metadataGroups")).toArray()) {
        for (const QJsonValue &attribute : group.toObject().value(QStringLiteral("metadataAttributes")).toArray())
            attributes.insert(attribute.toObject().value(QStringLiteral("name")).toString(), attribute.toObject());
    }
    QCOMPARE(attributes.size(), 7);
    QVERIFY(attributes.value(QStringLiteral("Title")).value(QStringLiteral("required")).toBool());
    QCOMPARE(attributes.value(QStringLiteral("Embargo Date")).value(QStringLiteral("type")).toString(), QStringLiteral("date"));
    QVERIFY(attributes.value(QStringLiteral("Channels")).value(QStringLiteral("isMultipleSelect")).toBool());
    QVERIFY(attributes.value(QStringLiteral("Asset Number")).value(QStringLiteral("readonly")).toBool());
    QVERIFY(!attributes.value(QStringLiteral("Internal Reference")).value(QStringLiteral("visible")).toBool());
    QCOMPARE(attributes.value(QStringLiteral("Region")).value(QStringLiteral("fieldOrder")).toInt(), 1);

    const QString vocabularyId = attributes.value(QStringLiteral("Region")).value(QStringLiteral("controlledVocabularyId")).toString();
    const HttpResult vocabulary = send("GET", apiUrl(QStringLiteral("/metadata/vocabulary/") + vocabularyId), QByteArray(), headers);
    QCOMPARE(vocabulary.status, 200);
    const QJsonArray values = vocabulary.json().value(QStringLiteral("metadataDocument")).toObject().value(QStringLiteral("values")).toArray();
    QCOMPARE(values.size(), 4);
    QCOMPARE(values.at(0).toObject().value(QStringLiteral("valueId")).toString(), emeaValueId);
    QCOMPARE(values.at(0).toObject().value(QStringLiteral("valueName")).toString(), QStringLiteral("EMEA"));

    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/vocabulary/unknown")), QByteArray(), headers).status, 404);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template/unknown")), QByteArray(), headers).status, 404);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template"))).status, 403);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), {{"X-API-Key", "sandbox-demo-key"}}).status, 401);
}

void TestSandboxServer::securityTemplatesForbidden()
{
    SandboxConfig config = testConfig();
    config.securityTemplateListForbidden = true;
    QVERIFY(m_server->setConfig(config));
    const HttpResult result = send("GET", apiUrl(QStringLiteral("/security/template")), QByteArray(), sessionHeaders(m_session));
    QCOMPARE(result.status, 403);
    QCOMPARE(result.json().value(QStringLiteral("message")).toString(), QStringLiteral("Forbidden"));
    QVERIFY(!result.json().value(QStringLiteral("detail")).toString().isEmpty());
}

// --- faults -----------------------------------------------------------------

void TestSandboxServer::faultStatusOnPart()
{
    QVERIFY(m_server->addFault(QStringLiteral("put@2#1:status=503")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);

    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
    const HttpResult failed = put(asset.urls.at(1), randomBytes(testPartSize));
    QCOMPARE(failed.status, 503);
    QCOMPARE(failed.header("Retry-After"), QByteArray("1"));
    QCOMPARE(failed.xml("Code"), QStringLiteral("SlowDown"));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);

    QCOMPARE(put(asset.urls.at(1), randomBytes(testPartSize)).status, 200);
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 2);
}

void TestSandboxServer::faultStatusOnApi()
{
    QVERIFY(m_server->addFault(QStringLiteral("create#2:status=500")));
    QVERIFY(m_server->addFault(QStringLiteral("lookup:status=429")));

    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("a.jpg")), &m_session).status, 200);
    const HttpResult failed = sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("b.jpg")), &m_session);
    QCOMPARE(failed.status, 500);
    QVERIFY(!failed.json().value(QStringLiteral("message")).toString().isEmpty());
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("c.jpg")), &m_session).status, 200);
    QCOMPARE(m_server->assets().size(), 2);

    const HttpResult limited = send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session));
    QCOMPARE(limited.status, 429);
    QCOMPARE(limited.header("Retry-After"), QByteArray("1"));
    QCOMPARE(m_server->faults().at(1).toObject().value(QStringLiteral("selected")).toInt(), 1);
}

void TestSandboxServer::faultDrop()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    // Every matching request, because QNetworkAccessManager resends a request
    // once when the connection closes before a response.
    QVERIFY(m_server->addFault(QStringLiteral("put@1:drop=1000")));
    QVERIFY(m_server->addFault(QStringLiteral("lookup:drop=0")));
    QSignalSpy finished(m_server.get(), &SandboxServer::requestFinished);

    const HttpResult dropped = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(dropped.status, 0);
    QVERIFY(dropped.error != QNetworkReply::NoError);
    QTRY_VERIFY(!finished.isEmpty());
    QCOMPARE(finished.first().at(0).toString(), QStringLiteral("PUT"));
    QCOMPARE(finished.first().at(2).toInt(), 0);
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 0);

    const HttpResult droppedLookup = send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session));
    QCOMPARE(droppedLookup.status, 0);
    QVERIFY(droppedLookup.error != QNetworkReply::NoError);

    m_server->clearFaults();
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);
}

void TestSandboxServer::faultNoEtag()
{
    QVERIFY(m_server->addFault(QStringLiteral("put@1:no-etag")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const HttpResult first = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(first.status, 200);
    QVERIFY(!first.hasHeader("ETag"));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);

    const HttpResult second = put(asset.urls.at(1), randomBytes(10));
    QVERIFY(second.hasHeader("ETag"));
}

void TestSandboxServer::faultExpired()
{
    QVERIFY(m_server->addFault(QStringLiteral("put#1:expired")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const HttpResult expired = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(expired.status, 403);
    QCOMPARE(expired.xml("Code"), QStringLiteral("AccessDenied"));
    QCOMPARE(expired.xml("Message"), QStringLiteral("Request has expired"));
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);

    QVERIFY(m_server->addFault(QStringLiteral("token#1:expired")));
    const HttpResult token = sendJson("POST", QStringLiteral("/auth/token"),
                                      {{QStringLiteral("username"), m_server->config().username},
                                       {QStringLiteral("password"), m_server->config().password}},
                                      nullptr);
    QCOMPARE(token.status, 401);
}

void TestSandboxServer::faultStall()
{
    QVERIFY(m_server->addFault(QStringLiteral("put@1#1:stall=1")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);

    QElapsedTimer timer;
    timer.start();
    const HttpResult stalled = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(stalled.status, 200);
    QVERIFY2(timer.elapsed() >= 900, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 1);

    // While a part stalls, other requests still get their responses.
    QVERIFY(m_server->addFault(QStringLiteral("put@2#1:stall=2")));
    QNetworkRequest request(QUrl::fromEncoded(asset.urls.at(1), QUrl::StrictMode));
    QNetworkReply *reply = m_network->put(request, randomBytes(testPartSize));
    QSignalSpy replyFinished(reply, &QNetworkReply::finished);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session)).status, 200);
    QVERIFY(replyFinished.isEmpty());
    QVERIFY(replyFinished.wait(10000));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 200);
    reply->deleteLater();
}

void TestSandboxServer::faultOnComplete()
{
    QVERIFY(m_server->addFault(QStringLiteral("complete#1:status=503")));
    QVERIFY(m_server->addFault(QStringLiteral("cancel#1:status=500")));
    const QByteArray content = randomBytes(testPartSize + 5);
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), content.size());
    const HttpResult first = put(asset.urls.at(0), content.left(testPartSize));
    const HttpResult second = put(asset.urls.at(1), content.mid(testPartSize));
    const QJsonArray parts{QJsonObject{{QStringLiteral("partNumber"), 1}, {QStringLiteral("etag"), QString::fromLatin1(first.header("ETag"))}},
                           QJsonObject{{QStringLiteral("partNumber"), 2}, {QStringLiteral("etag"), QString::fromLatin1(second.header("ETag"))}}};

    const HttpResult failed = finish(asset, QStringLiteral("complete"), parts, content.size());
    QCOMPARE(failed.status, 503);
    QCOMPARE(failed.header("Retry-After"), QByteArray("1"));
    QCOMPARE(m_server->openUploadCount(), 1);
    QCOMPARE(finish(asset, QStringLiteral("complete"), parts, content.size()).status, 200);
    QCOMPARE(m_server->contentMd5(asset.objectId), md5Hex(content));

    const CreatedAsset other = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QCOMPARE(finish(other, QStringLiteral("cancel"), QJsonArray(), -1).status, 500);
    QCOMPARE(finish(other, QStringLiteral("cancel"), QJsonArray(), -1).status, 200);
}

void TestSandboxServer::faultsOverHttp()
{
    const Headers json{{"Content-Type", "application/json"}};
    const HttpResult added = send("POST", sandboxUrl(QStringLiteral("/faults")), R"({"rules":["lookup:status=418"]})", json);
    QCOMPARE(added.status, 200);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session)).status, 418);

    const HttpResult listed = send("GET", sandboxUrl(QStringLiteral("/faults")));
    QCOMPARE(listed.json().value(QStringLiteral("rules")).toArray().size(), 1);

    const HttpResult bad = send("POST", sandboxUrl(QStringLiteral("/faults")), R"({"rules":["put:status=503","put:fly"]})", json);
    QCOMPARE(bad.status, 400);
    QVERIFY2(bad.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("\"put:fly\"")), bad.body.constData());
    QCOMPARE(m_server->faults().size(), 1);

    QCOMPARE(send("DELETE", sandboxUrl(QStringLiteral("/faults"))).status, 200);
    QVERIFY(m_server->faults().isEmpty());
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session)).status, 200);
}

void TestSandboxServer::faultParse_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("valid");

    const QStringList valid{QStringLiteral("put@3#2:status=503"), QStringLiteral("put#1-3:drop=0"),
                            QStringLiteral("token:stall=2.5"), QStringLiteral("any:no-etag"),
                            QStringLiteral("any@2:expired"), QStringLiteral("complete:drop=10"),
                            QStringLiteral("cancel#2:status=400"), QStringLiteral("lookup:expired"),
                            QStringLiteral("create:status=599"), QStringLiteral("put:status=413"),
                            QStringLiteral("put@1#1:status=503,retry-after=2"),
                            QStringLiteral("lookup:status=429,retry-after=0"),
                            QStringLiteral("token:status=503,retry-after=none"), QStringLiteral("put:expired-token"),
                            QStringLiteral("any:expired-token"), QStringLiteral("put~0.2:status=500"),
                            QStringLiteral("any~0.2:random"), QStringLiteral("token:random"),
                            QStringLiteral("put@2#1-10~0.5:drop=0"), QStringLiteral("put~1:no-etag"),
                            QStringLiteral("lookup~.25:stall=1"), QStringLiteral("create#1:lost"),
                            QStringLiteral("complete:lost=502"), QStringLiteral("put@2:lost")};
    const QStringList invalid{QStringLiteral("bogus:status=503"), QStringLiteral("put@0:status=503"),
                              QStringLiteral("create@1:status=503"), QStringLiteral("put:status=200"),
                              QStringLiteral("put:status=abc"), QStringLiteral("put:status"),
                              QStringLiteral("put#3-1:drop=0"), QStringLiteral("put#0:drop=1"),
                              QStringLiteral("put:fly"), QStringLiteral("put:no-etag=1"),
                              QStringLiteral("token:no-etag"), QStringLiteral("put"), QStringLiteral("put:stall=0"),
                              QStringLiteral("put:drop=-1"), QStringLiteral("put#2@3:drop=1"), QStringLiteral(""),
                              QStringLiteral("PUT:status=503"), QStringLiteral("put~0:status=500"),
                              QStringLiteral("put~1.5:status=500"), QStringLiteral("put~:status=500"),
                              QStringLiteral("put~abc:status=500"), QStringLiteral("put~nan:status=500"),
                              QStringLiteral("put~1e-1:status=500"), QStringLiteral("put~-0.5:status=500"),
                              QStringLiteral("put~0.2@1:status=500"), QStringLiteral("put~0.2#1:status=500"),
                              QStringLiteral("put:status=500,retry-after=2"), QStringLiteral("put:drop=0,retry-after=2"),
                              QStringLiteral("put:status=503,retry-after=-1"),
                              QStringLiteral("put:status=503,retry-after=86401"),
                              QStringLiteral("put:status=503,retry-after"),
                              QStringLiteral("put:status=503,retry-after=2,retry-after=3"),
                              QStringLiteral("put:status=503,"), QStringLiteral("put:status=503,delay=2"),
                              QStringLiteral("lookup:expired-token"), QStringLiteral("put:expired-token=1"),
                              QStringLiteral("put:random=1"), QStringLiteral("put:random,retry-after=1"),
                              QStringLiteral("create:lost=404"), QStringLiteral("create:lost=0"),
                              QStringLiteral("create:lost=abc")};
    for (const QString &rule : valid)
        QTest::addRow("valid %s", qPrintable(rule)) << rule << true;
    for (const QString &rule : invalid)
        QTest::addRow("invalid '%s'", qPrintable(rule)) << rule << false;
}

void TestSandboxServer::faultParse()
{
    QFETCH(QString, rule);
    QFETCH(bool, valid);

    QString error;
    QCOMPARE(m_server->addFault(rule, &error), valid);
    if (valid) {
        QVERIFY(error.isEmpty());
        QCOMPARE(m_server->faults().size(), 1);
    } else {
        QVERIFY2(error.contains(QLatin1Char('"') + rule + QLatin1Char('"')), qPrintable(error));
        QVERIFY(m_server->faults().isEmpty());
    }
}

void TestSandboxServer::faultProxy413_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("isPut");

    QTest::addRow("put") << QStringLiteral("put#1:status=413") << true;
    QTest::addRow("lookup") << QStringLiteral("lookup#1:status=413") << false;
}

void TestSandboxServer::faultProxy413()
{
    QFETCH(QString, rule);
    QFETCH(bool, isPut);

    QVERIFY(m_server->addFault(rule));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const HttpResult rejected = isPut ? put(asset.urls.at(0), randomBytes(testPartSize))
                                      : send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(),
                                             sessionHeaders(m_session));

    QCOMPARE(rejected.status, 413);
    QCOMPARE(rejected.header("Content-Type"), QByteArray("text/html"));
    QCOMPARE(rejected.header("Connection"), QByteArray("close"));
    QVERIFY2(rejected.body.startsWith("<html>"), rejected.body.constData());
    QVERIFY(rejected.body.contains("413 Payload Too Large"));
    QVERIFY(!rejected.body.contains("<Error>"));
    QVERIFY(!rejected.hasHeader("x-amz-request-id"));
    QVERIFY(rejected.header("Server") != "AmazonS3");
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 0);
}

void TestSandboxServer::faultRetryAfter_data()
{
    QTest::addColumn<QString>("rule");
    QTest::addColumn<bool>("isPut");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("retryAfter"); // null: no Retry-After header

    QTest::addRow("put 503 default") << QStringLiteral("put@1#1:status=503") << true << 503 << QByteArray("1");
    QTest::addRow("put 503 two seconds") << QStringLiteral("put@1#1:status=503,retry-after=2") << true << 503
                                         << QByteArray("2");
    QTest::addRow("put 429 none") << QStringLiteral("put#1:status=429,retry-after=none") << true << 429 << QByteArray();
    QTest::addRow("lookup 429 five seconds") << QStringLiteral("lookup#1:status=429,retry-after=5") << false << 429
                                             << QByteArray("5");
    QTest::addRow("lookup 503 zero") << QStringLiteral("lookup#1:status=503,retry-after=0") << false << 503
                                     << QByteArray("0");
}

void TestSandboxServer::faultRetryAfter()
{
    QFETCH(QString, rule);
    QFETCH(bool, isPut);
    QFETCH(int, status);
    QFETCH(QByteArray, retryAfter);

    QVERIFY(m_server->addFault(rule));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const HttpResult failed = isPut ? put(asset.urls.at(0), randomBytes(testPartSize))
                                    : send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(),
                                           sessionHeaders(m_session));

    QCOMPARE(failed.status, status);
    QCOMPARE(failed.header("Retry-After"), retryAfter);
    if (isPut)
        QCOMPARE(failed.xml("Code"), status == 503 ? QStringLiteral("SlowDown") : QStringLiteral("TooManyRequests"));
}

void TestSandboxServer::faultExpiredToken()
{
    QVERIFY(m_server->addFault(QStringLiteral("any#1:expired-token")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);

    const HttpResult expired = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(expired.status, 403);
    QCOMPARE(expired.xml("Code"), QStringLiteral("ExpiredToken"));
    QCOMPARE(expired.xml("Message"), QStringLiteral("The provided token has expired."));
    QCOMPARE(sandboxVersion(asset.objectId, asset.fileId).value(QStringLiteral("partsReceived")).toInt(), 0);

    // Under "any" the action selects PUTs only, so the create above did not use up "#1".
    QCOMPARE(m_server->faults().at(0).toObject().value(QStringLiteral("selected")).toInt(), 1);
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 200);
}

void TestSandboxServer::faultLost()
{
    // lost=502: the asset is created, yet the client gets a 502.
    QVERIFY(m_server->addFault(QStringLiteral("create#1:lost=502")));
    const HttpResult failed = sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("a.jpg")), &m_session);
    QCOMPARE(failed.status, 502);
    QCOMPARE(m_server->assets().size(), 1);

    // lost: the asset is created and the connection closes unanswered.
    // QNetworkAccessManager sends the request once more by itself, which
    // creates a second asset: the reason the uploader's creates cannot be
    // resent that way.
    m_server->clearFaults();
    QVERIFY(m_server->addFault(QStringLiteral("create#1:lost")));
    QSignalSpy finished(m_server.get(), &SandboxServer::requestFinished);
    const HttpResult resent = sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("b.jpg")), &m_session);
    QCOMPARE(resent.status, 200);
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(finished.at(0).at(2).toInt(), 0);
    QCOMPARE(m_server->assets().size(), 3);
}

void TestSandboxServer::searchKeyword()
{
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("Spring Campaign.jpg")), &m_session).status, 200);
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("autumn.png")), &m_session).status, 200);
    QCOMPARE(sendJson("POST", QStringLiteral("/assets/asset"), validCreateBody(QStringLiteral("spring banner.png")), &m_session).status, 200);

    const QJsonObject query{{QStringLiteral("from"), 0}, {QStringLiteral("limit"), 1},
                            {QStringLiteral("searchTerm"), QJsonArray{QStringLiteral("SPRING")}}};
    const HttpResult found = sendJson("POST", QStringLiteral("/search/keyword"), query, &m_session);
    QCOMPARE(found.status, 200);
    QCOMPARE(found.json().value(QStringLiteral("hitCount")).toInt(), 2);
    const QJsonArray hits = found.json().value(QStringLiteral("result")).toArray();
    QCOMPARE(hits.size(), 1);
    // Newest first.
    QCOMPARE(hits.at(0).toObject().value(QStringLiteral("filename")).toString(), QStringLiteral("spring banner.png"));

    const HttpResult missing = sendJson("POST", QStringLiteral("/search/keyword"), QJsonObject{{QStringLiteral("from"), 0}}, &m_session);
    QCOMPARE(missing.status, 400);
    QVERIFY(missing.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("searchTerm")));
    QCOMPARE(sendJson("POST", QStringLiteral("/search/keyword"), query, nullptr).status, 401);
}

void TestSandboxServer::faultHitsCounted()
{
    QVERIFY(m_server->addFault(QStringLiteral("put#2-3:status=500")));
    QVERIFY(m_server->addFault(QStringLiteral("put:status=503")));
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);

    QList<int> statuses;
    for (int i = 0; i < 4; ++i)
        statuses.append(put(asset.urls.at(0), randomBytes(100)).status);
    QCOMPARE(statuses, QList<int>({503, 500, 500, 503}));
    QCOMPARE(m_server->faultHits(), QList<int>({2, 2}));

    const QJsonArray rules = send("GET", sandboxUrl(QStringLiteral("/faults"))).json().value(QStringLiteral("rules")).toArray();
    const QJsonObject first = rules.at(0).toObject();
    QCOMPARE(first.value(QStringLiteral("selected")).toInt(), 4);
    QCOMPARE(first.value(QStringLiteral("hits")).toInt(), 2);
    const QJsonArray applied = first.value(QStringLiteral("applied")).toArray();
    QCOMPARE(applied.size(), 2);
    QCOMPARE(applied.at(0).toObject().value(QStringLiteral("request")).toInt(), 2);
    QCOMPARE(applied.at(1).toObject().value(QStringLiteral("request")).toInt(), 3);
    QCOMPARE(applied.at(0).toObject().value(QStringLiteral("action")).toString(), QStringLiteral("status=500"));
    // The second rule counts all four PUTs but applies only where the first did not.
    QCOMPARE(rules.at(1).toObject().value(QStringLiteral("selected")).toInt(), 4);
    QCOMPARE(rules.at(1).toObject().value(QStringLiteral("hits")).toInt(), 2);
}

namespace {

// Sends count look-ups and returns their statuses in order.
QList<int> lookupStatuses(const std::function<HttpResult()> &lookup, int count)
{
    QList<int> statuses;
    for (int i = 0; i < count; ++i)
        statuses.append(lookup().status);
    return statuses;
}

// The distinct actions a rule applied, from its "applied" list.
QSet<QString> appliedActions(const QJsonObject &rule)
{
    QSet<QString> actions;
    for (const QJsonValue &hit : rule.value(QStringLiteral("applied")).toArray())
        actions.insert(hit.toObject().value(QStringLiteral("action")).toString());
    return actions;
}

} // namespace

void TestSandboxServer::faultRandomSameSeedSameHits()
{
    const auto lookup = [this] {
        return send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session));
    };
    constexpr int requestCount = 40;

    m_server->setFaultSeed(7);
    QVERIFY(m_server->addFault(QStringLiteral("lookup~0.3:status=500")));
    const QList<int> first = lookupStatuses(lookup, requestCount);
    const QJsonArray firstApplied = m_server->faults().at(0).toObject().value(QStringLiteral("applied")).toArray();

    m_server->clearFaults();
    QVERIFY(m_server->addFault(QStringLiteral("lookup~0.3:status=500")));
    m_server->setFaultSeed(7);
    const QList<int> second = lookupStatuses(lookup, requestCount);

    QCOMPARE(second, first);
    QCOMPARE(m_server->faults().at(0).toObject().value(QStringLiteral("applied")).toArray(), firstApplied);
    // A probability of 0.3 over 40 requests hits some and spares some.
    QVERIFY2(first.count(500) > 0 && first.count(500) < requestCount, qPrintable(QString::number(first.count(500))));
    QCOMPARE(first.count(500) + first.count(200), requestCount);
    QCOMPARE(m_server->faultHits(), QList<int>({static_cast<int>(first.count(500))}));
}

void TestSandboxServer::faultRandomOtherSeedOtherHits()
{
    const auto lookup = [this] {
        return send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session));
    };
    constexpr int requestCount = 40;

    m_server->setFaultSeed(7);
    QVERIFY(m_server->addFault(QStringLiteral("lookup~0.3:status=500")));
    const QList<int> withSeven = lookupStatuses(lookup, requestCount);

    m_server->clearFaults();
    m_server->setFaultSeed(8);
    QVERIFY(m_server->addFault(QStringLiteral("lookup~0.3:status=500")));
    const QList<int> withEight = lookupStatuses(lookup, requestCount);

    QVERIFY(withEight != withSeven);
    QCOMPARE(m_server->faultSeed(), quint64(8));
    QCOMPARE(m_server->config().faultSeed, quint64(8));
}

void TestSandboxServer::faultRandomActionsForPut()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QVERIFY(m_server->addFault(QStringLiteral("put@1:random")));
    const QByteArray body = randomBytes(testPartSize + 1000);

    // The picks are uniform among six actions, so 40 PUTs see them all for
    // the default seed (the outcome is fixed by the seed).
    QSet<int> statuses;
    for (int i = 0; i < 40; ++i)
        statuses.insert(put(asset.urls.at(0), body).status);

    const QSet<QString> expected{QStringLiteral("status=500"), QStringLiteral("status=503"), QStringLiteral("drop=0"),
                                 QStringLiteral("drop=65536"), QStringLiteral("no-etag"), QStringLiteral("lost")};
    QCOMPARE(appliedActions(m_server->faults().at(0).toObject()), expected);
    QVERIFY(statuses.contains(500));
    QVERIFY(statuses.contains(503));
    QVERIFY(statuses.contains(0));   // dropped
    QVERIFY(statuses.contains(200)); // no-etag still stores the part
}

void TestSandboxServer::faultRandomActionsForApi()
{
    QVERIFY(m_server->addFault(QStringLiteral("any:random")));
    for (int i = 0; i < 30; ++i)
        send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session));

    // Look-ups have no body worth cutting and no ETag, so only four actions fit.
    const QSet<QString> expected{QStringLiteral("status=500"), QStringLiteral("status=503"), QStringLiteral("drop=0"),
                                 QStringLiteral("lost")};
    QCOMPARE(appliedActions(m_server->faults().at(0).toObject()), expected);
}

void TestSandboxServer::faultSeedOverHttp()
{
    const Headers json{{"Content-Type", "application/json"}};
    const HttpResult added = send("POST", sandboxUrl(QStringLiteral("/faults")),
                                  R"({"rules":["lookup~0.5:status=500"],"seed":12345})", json);
    QCOMPARE(added.status, 200);
    QCOMPARE(m_server->faultSeed(), quint64(12345));
    QCOMPARE(send("GET", sandboxUrl(QStringLiteral("/faults"))).json().value(QStringLiteral("seed")).toInteger(), 12345);

    const HttpResult negative = send("POST", sandboxUrl(QStringLiteral("/faults")), R"({"rules":[],"seed":-1})", json);
    QCOMPARE(negative.status, 400);
    QVERIFY2(negative.json().value(QStringLiteral("message")).toString().contains(QStringLiteral("seed")), negative.body.constData());
    const HttpResult fraction = send("POST", sandboxUrl(QStringLiteral("/faults")), R"({"rules":[],"seed":1.5})", json);
    QCOMPARE(fraction.status, 400);
    const HttpResult notString = send("POST", sandboxUrl(QStringLiteral("/faults")), R"({"rules":[3]})", json);
    QCOMPARE(notString.status, 400);
    QCOMPARE(m_server->faultSeed(), quint64(12345));
    QCOMPARE(m_server->faults().size(), 1);
}

void TestSandboxServer::putCountsPerPart()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QVERIFY(m_server->addFault(QStringLiteral("put@1#1:status=503")));
    QCOMPARE(put(asset.urls.at(0), randomBytes(testPartSize)).status, 503);
    const HttpResult first = put(asset.urls.at(0), randomBytes(testPartSize));
    QCOMPARE(first.status, 200);
    QCOMPARE(put(asset.urls.at(1), randomBytes(10)).status, 200);
    // A PUT whose signature fails still counts: the client sent the part.
    QByteArray tampered = asset.urls.at(1);
    tampered.replace("X-Amz-Signature=", "X-Amz-Signature=0");
    QCOMPARE(put(tampered, randomBytes(10)).status, 403);

    const QMap<int, int> counts = m_server->putCounts(asset.fileId);
    QCOMPARE(counts.value(1), 2);
    QCOMPARE(counts.value(2), 2);
    QCOMPARE(counts.size(), 2);

    const QJsonObject version = sandboxVersion(asset.objectId, asset.fileId);
    const QJsonObject json = version.value(QStringLiteral("putCounts")).toObject();
    QCOMPARE(json.value(QStringLiteral("1")).toInt(), 2);
    QCOMPARE(json.value(QStringLiteral("2")).toInt(), 2);
    const QJsonArray parts = version.value(QStringLiteral("parts")).toArray();
    QCOMPARE(parts.size(), 2);
    QCOMPARE(parts.at(0).toObject().value(QStringLiteral("partNumber")).toInt(), 1);
    QCOMPARE(parts.at(0).toObject().value(QStringLiteral("size")).toInteger(), testPartSize);
    QCOMPARE(parts.at(0).toObject().value(QStringLiteral("etag")).toString(), QString::fromLatin1(first.header("ETag")));
}

// --- HTTP details -----------------------------------------------------------

void TestSandboxServer::keepAliveServesSeveralRequests()
{
    const QByteArray request = "GET /v1/metadata/template HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: sandbox-demo-key\r\n"
                               "Authorization: " + m_session.authorization + "\r\nAccessToken: " + m_session.accessToken + "\r\n\r\n";
    // Three pipelined requests on one connection get three responses.
    const QByteArray received = rawExchange(request + request + request, "HTTP/1.1 200 OK", 3);
    QCOMPARE(received.count("HTTP/1.1 200 OK"), 3);
    QCOMPARE(received.count("Connection: keep-alive"), 3);
}

void TestSandboxServer::expectContinue()
{
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const QByteArray url = asset.urls.at(0);
    const QByteArray target = url.mid(url.indexOf("/contentstore/"));
    const QByteArray body = randomBytes(testPartSize);

    QTcpSocket socket;
    QByteArray received;
    connect(&socket, &QTcpSocket::readyRead, &socket, [&] { received += socket.readAll(); });
    socket.connectToHost(QHostAddress::LocalHost, m_server->port());
    socket.write("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port())
                 + "\r\nContent-Length: " + QByteArray::number(body.size()) + "\r\nExpect: 100-continue\r\n\r\n");
    QTRY_VERIFY_WITH_TIMEOUT(received.contains("\r\n\r\n"), 10000);
    QCOMPARE(received, QByteArray("HTTP/1.1 100 Continue\r\n\r\n"));

    received.clear();
    socket.write(body);
    QTRY_VERIFY_WITH_TIMEOUT(received.contains("\r\n\r\n"), 10000);
    QVERIFY2(received.startsWith("HTTP/1.1 200 OK"), received.constData());
    QVERIFY(received.contains("ETag: \"" + md5Hex(body) + '"'));

    // A rejected PUT with Expect: 100-continue gets its error at once, without 100 Continue.
    QByteArray tampered = target;
    tampered.replace("partNumber=1", "partNumber=2");
    const QByteArray rejected = rawExchange("PUT " + tampered + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port())
                                                + "\r\nContent-Length: 100\r\nExpect: 100-continue\r\n\r\n",
                                            "</Error>", 1);
    QVERIFY2(rejected.startsWith("HTTP/1.1 403 Forbidden"), rejected.constData());
    QVERIFY(rejected.contains("<Code>SignatureDoesNotMatch</Code>"));
}

void TestSandboxServer::chunkedBodies()
{
    const QByteArray json = R"({"username":"demo@example.com","password":"demo-password"})";
    QByteArray chunked = QByteArray::number(20, 16) + "\r\n" + json.left(20) + "\r\n" + QByteArray::number(json.size() - 20, 16)
        + ";note=x\r\n" + json.mid(20) + "\r\n0\r\n\r\n";
    const QByteArray received = rawExchange("POST /v1/auth/token HTTP/1.1\r\nHost: 127.0.0.1\r\nX-API-Key: sandbox-demo-key\r\n"
                                            "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
                                                + chunked,
                                            "refreshToken", 1);
    QVERIFY2(received.startsWith("HTTP/1.1 200 OK"), received.constData());

    // S3 refuses chunked PUTs without a length, and so does the sandbox.
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    const QByteArray target = asset.urls.at(0).mid(asset.urls.at(0).indexOf("/contentstore/"));
    const QByteArray rejected = rawExchange("PUT " + target + " HTTP/1.1\r\nHost: 127.0.0.1:" + QByteArray::number(m_server->port())
                                                + "\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
                                            "</Error>", 1);
    QVERIFY2(rejected.startsWith("HTTP/1.1 501"), rejected.constData());
    QVERIFY(rejected.contains("<Code>NotImplemented</Code>"));
}

void TestSandboxServer::closeDropsConnections()
{
    const quint16 port = m_server->port();
    QVERIFY(m_server->addFault(QStringLiteral("lookup:stall=30")));
    QNetworkRequest request(apiUrl(QStringLiteral("/metadata/template")));
    for (const auto &header : sessionHeaders(m_session))
        request.setRawHeader(header.first, header.second);
    QNetworkReply *reply = m_network->get(request);
    QSignalSpy finished(m_server.get(), &SandboxServer::requestFinished);
    QSignalSpy replyFinished(reply, &QNetworkReply::finished);
    // The fault's counter shows when the server has received the request.
    QTRY_COMPARE(m_server->faults().at(0).toObject().value(QStringLiteral("selected")).toInt(), 1);

    m_server->close();
    QVERIFY(!m_server->isListening());
    QVERIFY(replyFinished.wait(10000));
    QVERIFY(reply->error() != QNetworkReply::NoError);
    reply->deleteLater();

    m_server->clearFaults();
    QVERIFY2(m_server->listen(port), qPrintable(m_server->errorString()));
    QCOMPARE(m_server->port(), port);
    QCOMPARE(send("GET", apiUrl(QStringLiteral("/metadata/template")), QByteArray(), sessionHeaders(m_session)).status, 200);
}

void TestSandboxServer::requestFinishedSignal()
{
    QSignalSpy finished(m_server.get(), &SandboxServer::requestFinished);
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QCOMPARE(put(asset.urls.at(0), randomBytes(100)).status, 200);
    QTRY_COMPARE(finished.size(), 2);
    QCOMPARE(finished.at(0).at(0).toString(), QStringLiteral("POST"));
    QCOMPARE(finished.at(0).at(1).toString(), QStringLiteral("/v1/assets/asset"));
    QCOMPARE(finished.at(0).at(2).toInt(), 200);
    QCOMPARE(finished.at(1).at(0).toString(), QStringLiteral("PUT"));
    QCOMPARE(finished.at(1).at(1).toString(), QStringLiteral("/contentstore/masters/%1/clip.mp4").arg(asset.objectId));
}

namespace {
QMutex capturedMutex;
QStringList capturedMessages;
QtMessageHandler previousHandler = nullptr;

void captureMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    {
        QMutexLocker locker(&capturedMutex);
        capturedMessages.append(message);
    }
    if (previousHandler)
        previousHandler(type, context, message);
}
} // namespace

void TestSandboxServer::logsHaveNoSecrets()
{
    {
        QMutexLocker locker(&capturedMutex);
        capturedMessages.clear();
    }
    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.sandbox.info=true"));
    previousHandler = qInstallMessageHandler(captureMessage);
    QSignalSpy finished(m_server.get(), &SandboxServer::requestFinished);
    const Session session = signIn();
    const CreatedAsset asset = createMultipartAsset(QStringLiteral("clip.mp4"), testPartSize * 2);
    QCOMPARE(put(asset.urls.at(0), randomBytes(100)).status, 200);
    QTRY_COMPARE(finished.size(), 3);
    qInstallMessageHandler(previousHandler);
    QLoggingCategory::setFilterRules(QStringLiteral("tenovos.sandbox.info=false"));

    QMutexLocker locker(&capturedMutex);
    const QString all = capturedMessages.join(QLatin1Char('\n'));
    QVERIFY2(all.contains(QStringLiteral("PUT /contentstore/masters/")), qPrintable(all));
    QVERIFY(!all.contains(QStringLiteral("X-Amz")));
    QVERIFY(!all.contains(QStringLiteral("demo-password")));
    QVERIFY(!all.contains(QStringLiteral("sandbox-demo-key")));
    QVERIFY(!all.contains(QString::fromUtf8(session.accessToken)));
    QVERIFY(!all.contains(QString::fromUtf8(session.refreshToken)));
}

QTEST_GUILESS_MAIN(TestSandboxServer)
#include "tst_sandboxserver.moc"
