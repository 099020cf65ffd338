// ApiClient and Session against an in-process SandboxServer: every endpoint,
// every error body the contract names, session renewal after 401, retries,
// and malformed or missing responses from a test server of our own.

#include "apiclient.h"
#include "networkpool.h"
#include "partupload.h"
#include "session.h"

#include "democatalog.h"
#include "sandboxserver.h"

#include <QCryptographicHash>
#include <QDateTime>
#include <QEventLoop>
#include <QFile>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <optional>

#include "testhttpserver.h"

using namespace tenovos;
using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr int kWaitMs = 20000;

// Starts an ApiClient call and waits for its callback.
template <typename T, typename Start>
Result<T> callAndWait(Start start)
{
    std::optional<Result<T>> outcome;
    QEventLoop loop;
    QTimer::singleShot(kWaitMs, &loop, &QEventLoop::quit);
    start([&outcome, &loop](const Result<T> &result) {
        outcome = result;
        loop.quit();
    });
    if (!outcome)
        loop.exec();
    if (!outcome)
        return ApiError(ApiError::Kind::Timeout, QStringLiteral("the test waited in vain"));
    return *outcome;
}

QString securityTemplateId()
{
    return QString::fromLatin1(DemoCatalog::marketingInternalTemplateId);
}

// A metadata template without required attributes, so create calls need no
// metadata: the sandbox's "Product Photo" requires only "Product Name".
QString metadataTemplateId()
{
    return QString::fromLatin1(DemoCatalog::productPhotoTemplateId);
}

QJsonArray validMetadata()
{
    const DemoCatalog::MetadataTemplate *metadataTemplate =
        DemoCatalog::instance().metadataTemplate(metadataTemplateId());
    QJsonArray items;
    for (const auto &group : metadataTemplate->groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.required) {
                items.append(QJsonObject{{QStringLiteral("metadataDefinitionId"), attribute.id},
                                         {QStringLiteral("metadataDefinitionValue"), QStringLiteral("Test value")}});
            }
        }
    }
    return items;
}

CreateAssetRequest createRequest(const QString &filename, qint64 filesize)
{
    CreateAssetRequest request;
    request.filename = filename;
    request.filesize = filesize;
    request.metadataTemplateId = metadataTemplateId();
    request.securityTemplateIds = {securityTemplateId()};
    request.metadata = validMetadata();
    return request;
}

QByteArray tokenResponse()
{
    return TestHttpServer::response(
        200, QByteArray(R"({"username":"u","session":{"authorization":"auth-value","accessToken":"access-value",)"
                        R"("refreshToken":"refresh-value","expireEpoch":4102444800}})"),
        "Content-Type: application/json\r\n");
}

} // namespace

class tst_ApiClient : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void cleanup();

    void signInWithPassword();
    void signInWrongPassword();
    void signInWrongApiKey();
    void refreshToken();
    void signOutRevokes();
    void signInWithSavedRefreshToken();
    void signInWithRevokedRefreshToken();
    void renewsBeforeExpiry();
    void headersSent();
    void createMultipart();
    void createSingle();
    void createWithoutSecurityTemplate();
    void createWithInvalidMetadata();
    void createNotRetriedAfterServerError();
    void completeAndContent();
    void completeWithWrongEtag();
    void cancelTwice();
    void getAssetByObjectAndFileId();
    void getUnknownAsset();
    void securityTemplates();
    void securityTemplatesForbidden();
    void metadataTemplates();
    void metadataTemplateById();
    void metadataTemplateUnknown();
    void vocabulary();
    void expiredTokenRenewedOnce();
    void revokedSessionEnds();
    void retriesServiceUnavailable();
    void malformedJson();
    void missingFieldNamed();
    void htmlErrorPage();
    void timeout();
    void connectionRefused();
    void noBaseUrl();

private:
    bool signIn();
    void startSandbox(const SandboxConfig &config);

    std::unique_ptr<SandboxServer> m_sandbox;
    std::unique_ptr<ApiClient> m_client;
    Session *m_session = nullptr;
};

void tst_ApiClient::startSandbox(const SandboxConfig &config)
{
    m_sandbox = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_sandbox->listen(0), qPrintable(m_sandbox->errorString()));
    m_client->setBaseUrl(m_sandbox->baseUrl());
    m_client->setApiKey(config.apiKey);
}

void tst_ApiClient::init()
{
    m_client = std::make_unique<ApiClient>();
    m_session = new Session(m_client.get(), m_client.get());
    m_client->setTimeout(10000);
    m_client->setRetryPolicy(2, 50);
    SandboxConfig config = SandboxConfig::demo();
    config.partSize = 5 * 1024 * 1024;
    config.minPartSize = 5 * 1024 * 1024;
    startSandbox(config);
}

void tst_ApiClient::cleanup()
{
    m_client.reset();
    m_session = nullptr;
    m_sandbox.reset();
}

bool tst_ApiClient::signIn()
{
    QSignalSpy signedIn(m_session, &Session::signedIn);
    const SandboxConfig config = m_sandbox->config();
    m_session->signIn(config.username, config.password);
    return signedIn.wait(kWaitMs) && m_session->isSignedIn();
}

void tst_ApiClient::signInWithPassword()
{
    const SandboxConfig config = m_sandbox->config();
    const Result<SessionTokens> result = callAndWait<SessionTokens>([&](auto done) {
        m_client->requestToken(config.username, config.password, this, done);
    });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QVERIFY(result.value().isValid());
    QVERIFY(!result.value().refreshToken.isEmpty());
    QVERIFY(result.value().expireEpoch > QDateTime::currentSecsSinceEpoch());
}

void tst_ApiClient::signInWrongPassword()
{
    QSignalSpy failed(m_session, &Session::signInFailed);
    m_session->signIn(m_sandbox->config().username, QStringLiteral("wrong password"));
    QVERIFY(failed.wait(kWaitMs));
    const ApiError error = failed.constFirst().constFirst().value<ApiError>();
    QCOMPARE(error.kind(), ApiError::Kind::Unauthorized);
    QCOMPARE(error.httpStatus(), 401);
    QVERIFY(!error.serverMessage().isEmpty());
    QVERIFY(error.userMessage().contains(m_sandbox->config().username));
    QVERIFY(error.userMessage().contains(QStringLiteral("password")));
    QVERIFY(!m_session->isSignedIn());
}

void tst_ApiClient::signInWrongApiKey()
{
    m_client->setApiKey(QStringLiteral("not-the-key"));
    QSignalSpy failed(m_session, &Session::signInFailed);
    m_session->signIn(m_sandbox->config().username, m_sandbox->config().password);
    QVERIFY(failed.wait(kWaitMs));
    const ApiError error = failed.constFirst().constFirst().value<ApiError>();
    QCOMPARE(error.kind(), ApiError::Kind::Forbidden);
    QCOMPARE(error.httpStatus(), 403);
    QVERIFY(error.serverMessage().contains(QStringLiteral("X-API-Key")));
    QVERIFY(error.userMessage().contains(QStringLiteral("API key")));
}

void tst_ApiClient::refreshToken()
{
    QVERIFY(signIn());
    const SessionTokens before = m_session->tokens();
    const Result<SessionTokens> result = callAndWait<SessionTokens>([&](auto done) {
        m_client->refreshToken(before.accessToken, before.refreshToken, this, done);
    });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QVERIFY(result.value().isValid());
    QVERIFY(result.value().accessToken != before.accessToken);
}

void tst_ApiClient::signOutRevokes()
{
    QVERIFY(signIn());
    const SessionTokens tokens = m_session->tokens();
    QSignalSpy signedOut(m_session, &Session::signedOut);
    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    m_session->signOut();
    QVERIFY(!m_session->isSignedIn());
    QVERIFY(signedOut.wait(kWaitMs));
    QTRY_VERIFY(!requests.isEmpty());
    QCOMPARE(requests.constFirst().at(0).toString(), QStringLiteral("DELETE"));
    QCOMPARE(requests.constFirst().at(2).toInt(), 200);

    // The revoked tokens no longer authenticate a request.
    QNetworkAccessManager network;
    QNetworkRequest request(m_client->endpointUrl(QStringLiteral("/metadata/template")));
    request.setRawHeader("X-API-Key", m_sandbox->config().apiKey.toUtf8());
    request.setRawHeader("Authorization", tokens.authorization.toUtf8());
    request.setRawHeader("AccessToken", tokens.accessToken.toUtf8());
    QNetworkReply *reply = network.get(request);
    QSignalSpy replied(reply, &QNetworkReply::finished);
    QVERIFY(replied.wait(kWaitMs));
    QCOMPARE(reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt(), 401);
    reply->deleteLater();
}

void tst_ApiClient::signInWithSavedRefreshToken()
{
    const SandboxConfig config = m_sandbox->config();
    const Result<SessionTokens> saved = callAndWait<SessionTokens>([&](auto done) {
        m_client->requestToken(config.username, config.password, this, done);
    });
    QVERIFY(saved.isOk());

    QSignalSpy signedIn(m_session, &Session::signedIn);
    m_session->signInWithRefreshToken(config.username, saved.value().refreshToken);
    QVERIFY(signedIn.wait(kWaitMs));
    QVERIFY(m_session->isSignedIn());
    QCOMPARE(m_session->username(), config.username);

    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
}

void tst_ApiClient::signInWithRevokedRefreshToken()
{
    QVERIFY(signIn());
    const SessionTokens tokens = m_session->tokens();
    QSignalSpy signedOut(m_session, &Session::signedOut);
    m_session->signOut();
    QVERIFY(signedOut.wait(kWaitMs));

    QSignalSpy failed(m_session, &Session::signInFailed);
    m_session->signInWithRefreshToken(m_sandbox->config().username, tokens.refreshToken);
    QVERIFY(failed.wait(kWaitMs));
    const ApiError error = failed.constFirst().constFirst().value<ApiError>();
    QCOMPARE(error.kind(), ApiError::Kind::Unauthorized);
    QVERIFY(error.userMessage().contains(QStringLiteral("password")));
    QVERIFY(!m_session->isSignedIn());
}

void tst_ApiClient::renewsBeforeExpiry()
{
    // With a 4 s lifetime the session renews at half of it, without any call
    // failing first.
    SandboxConfig config = m_sandbox->config();
    config.accessTokenLifetimeSeconds = 4;
    QVERIFY(m_sandbox->setConfig(config));
    QVERIFY(signIn());
    const SessionTokens first = m_session->tokens();

    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    QVERIFY(requests.wait(kWaitMs));
    QCOMPARE(requests.constFirst().at(0).toString(), QStringLiteral("POST"));
    QCOMPARE(requests.constFirst().at(1).toString(), QStringLiteral("/v1/auth/token"));
    QCOMPARE(requests.constFirst().at(2).toInt(), 200);
    QTRY_VERIFY(m_session->tokens().accessToken != first.accessToken);
    QVERIFY(m_session->tokens().expireEpoch >= first.expireEpoch);
}

void tst_ApiClient::headersSent()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(tokenResponse());
    m_client->setBaseUrl(QUrl(server.baseUrl().toString() + QStringLiteral("/v1")));
    m_client->setApiKey(QStringLiteral("key-123"));
    QVERIFY(signIn());

    server.setResponse(TestHttpServer::response(
        200, QByteArray(R"({"data":{"objectId":"o","fileId":"f","url":"http://127.0.0.1:1/k?a=1"}})")));
    const Result<CreatedAsset> created = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("a.jpg"), -1), this, done);
    });
    QVERIFY(created.isOk());

    QCOMPARE(server.requests().size(), 2);
    const TestHttpServer::Request token = server.requests().at(0);
    QCOMPARE(token.target, QByteArray("/v1/auth/token"));
    QCOMPARE(token.header("X-API-Key"), QByteArray("key-123"));
    QVERIFY(!token.hasHeader("Authorization"));

    const TestHttpServer::Request create = server.requests().at(1);
    QCOMPARE(create.method, QByteArray("POST"));
    QCOMPARE(create.target, QByteArray("/v1/assets/asset"));
    QCOMPARE(create.header("X-API-Key"), QByteArray("key-123"));
    QCOMPARE(create.header("Authorization"), QByteArray("auth-value"));
    QCOMPARE(create.header("AccessToken"), QByteArray("access-value"));
    QCOMPARE(create.header("Content-Type"), QByteArray("application/json"));
    const QJsonObject body = QJsonDocument::fromJson(create.body).object();
    QCOMPARE(body.value(QLatin1String("filename")).toString(), QStringLiteral("a.jpg"));
    QVERIFY(!body.contains(QLatin1String("filesize")));
}

void tst_ApiClient::createMultipart()
{
    QVERIFY(signIn());
    const qint64 size = 12 * 1024 * 1024;
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("big.bin"), size), this, done);
    });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QVERIFY(result.value().isMultipart());
    QVERIFY(!result.value().objectId.isEmpty());
    QVERIFY(!result.value().fileId.isEmpty());
    QCOMPARE(result.value().urls.size(), 3);
    for (int i = 0; i < 3; ++i)
        QCOMPARE(result.value().urls.at(i).partNumber, i + 1);
    QCOMPARE(m_sandbox->openUploadCount(), 1);
}

void tst_ApiClient::createSingle()
{
    QVERIFY(signIn());
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("small photo.jpg"), -1), this, done);
    });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QVERIFY(!result.value().isMultipart());
    QVERIFY(!result.value().url.isEmpty());
    const Result<PresignedUrl> url = PresignedUrl::parse(result.value().url);
    QVERIFY(url.isOk());
    QVERIFY(url.value().survivesQUrl());
    QVERIFY(url.value().signedHeaderNames().contains("x-amz-meta-objectid"));
}

void tst_ApiClient::createWithoutSecurityTemplate()
{
    QVERIFY(signIn());
    CreateAssetRequest request = createRequest(QStringLiteral("a.jpg"), -1);
    request.securityTemplateIds.clear();
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>(
        [&](auto done) { m_client->createAsset(request, this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Forbidden);
    QCOMPARE(result.error().httpStatus(), 403);
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("Missing Security Template")));
}

void tst_ApiClient::createWithInvalidMetadata()
{
    QVERIFY(signIn());
    CreateAssetRequest request = createRequest(QStringLiteral("a.jpg"), -1);
    request.metadata = QJsonArray();
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>(
        [&](auto done) { m_client->createAsset(request, this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::InvalidRequest);
    QCOMPARE(result.error().httpStatus(), 400);
    QVERIFY(!result.error().isRetryable());
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("Product Name")));
    QVERIFY(result.error().userMessage().contains(QStringLiteral("Product Name")));
}

void tst_ApiClient::createNotRetriedAfterServerError()
{
    QVERIFY(signIn());
    QVERIFY(m_sandbox->addFault(QStringLiteral("create#1:status=500")));
    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("a.jpg"), -1), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Server);
    QCOMPARE(result.error().httpStatus(), 500);
    // The server may have created the asset before failing; sending the
    // create again could make a second one.
    QTRY_COMPARE(requests.size(), 1);
    QVERIFY(!requests.wait(300));
}

void tst_ApiClient::completeAndContent()
{
    QVERIFY(signIn());
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("parts.bin"));
    QByteArray content(6 * 1024 * 1024, Qt::Uninitialized);
    for (qsizetype i = 0; i < content.size(); ++i)
        content[i] = char(i % 253);
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(content);
    file.close();

    const Result<CreatedAsset> created = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("parts.bin"), content.size()), this, done);
    });
    QVERIFY(created.isOk());
    QCOMPARE(created.value().urls.size(), 2);

    NetworkPool pool;
    CompleteUploadRequest complete;
    complete.fileId = created.value().fileId;
    complete.filename = QStringLiteral("parts.bin");
    complete.filesize = content.size();
    complete.uploadId = created.value().uploadId;
    const qint64 partSize = 5 * 1024 * 1024;
    for (const PartUrl &partUrl : created.value().urls) {
        PartSpec spec;
        spec.filePath = path;
        spec.partNumber = partUrl.partNumber;
        spec.offset = (partUrl.partNumber - 1) * partSize;
        spec.length = qMin(partSize, content.size() - spec.offset);
        spec.url = PresignedUrl::parse(partUrl.url).value();
        spec.objectId = created.value().objectId;
        PartUpload upload(&pool, spec);
        QSignalSpy finished(&upload, &PartUpload::finished);
        upload.start();
        QVERIFY(finished.wait(kWaitMs));
        const Result<QByteArray> etag = finished.constFirst().constFirst().value<Result<QByteArray>>();
        QVERIFY2(etag.isOk(), qPrintable(etag.error().logMessage()));
        complete.parts.append(CompletedPart{partUrl.partNumber, etag.value()});
    }

    const Result<CompletedUpload> result = callAndWait<CompletedUpload>(
        [&](auto done) { m_client->completeUpload(complete, this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value().action, QStringLiteral("complete"));
    QCOMPARE(m_sandbox->openUploadCount(), 0);
    QCOMPARE(m_sandbox->contentMd5(created.value().objectId),
             QCryptographicHash::hash(content, QCryptographicHash::Md5).toHex());
}

void tst_ApiClient::completeWithWrongEtag()
{
    QVERIFY(signIn());
    const Result<CreatedAsset> created = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("x.bin"), 6 * 1024 * 1024), this, done);
    });
    QVERIFY(created.isOk());
    CompleteUploadRequest complete;
    complete.fileId = created.value().fileId;
    complete.filename = QStringLiteral("x.bin");
    complete.filesize = 6 * 1024 * 1024;
    complete.uploadId = created.value().uploadId;
    complete.parts = {{1, QByteArray("\"0000\"")}, {2, QByteArray("\"1111\"")}};
    const Result<CompletedUpload> result = callAndWait<CompletedUpload>(
        [&](auto done) { m_client->completeUpload(complete, this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::InvalidRequest);
    QCOMPARE(result.error().httpStatus(), 400);
    QCOMPARE(result.error().errorCode(), QStringLiteral("InvalidPart"));
}

void tst_ApiClient::cancelTwice()
{
    QVERIFY(signIn());
    const Result<CreatedAsset> created = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("c.bin"), 6 * 1024 * 1024), this, done);
    });
    QVERIFY(created.isOk());
    CompleteUploadRequest cancel;
    cancel.fileId = created.value().fileId;
    cancel.filename = QStringLiteral("c.bin");
    cancel.filesize = 6 * 1024 * 1024;
    cancel.uploadId = created.value().uploadId;
    cancel.action = CompleteUploadRequest::Action::Cancel;

    const Result<CompletedUpload> first = callAndWait<CompletedUpload>(
        [&](auto done) { m_client->completeUpload(cancel, this, done); });
    QVERIFY2(first.isOk(), qPrintable(first.error().logMessage()));
    QCOMPARE(m_sandbox->openUploadCount(), 0);

    const Result<CompletedUpload> second = callAndWait<CompletedUpload>(
        [&](auto done) { m_client->completeUpload(cancel, this, done); });
    QVERIFY(!second.isOk());
    QCOMPARE(second.error().kind(), ApiError::Kind::InvalidRequest);
    QVERIFY(!second.error().serverMessage().isEmpty());
}

void tst_ApiClient::getAssetByObjectAndFileId()
{
    QVERIFY(signIn());
    const Result<CreatedAsset> created = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("lookup.jpg"), -1), this, done);
    });
    QVERIFY(created.isOk());

    for (const QString &id : {created.value().objectId, created.value().fileId}) {
        const Result<AssetInfo> asset = callAndWait<AssetInfo>(
            [&](auto done) { m_client->getAsset(id, this, done); });
        QVERIFY2(asset.isOk(), qPrintable(asset.error().logMessage()));
        QCOMPARE(asset.value().fileId, created.value().fileId);
        QCOMPARE(asset.value().filename, QStringLiteral("lookup.jpg"));
    }
}

void tst_ApiClient::getUnknownAsset()
{
    QVERIFY(signIn());
    const Result<AssetInfo> asset = callAndWait<AssetInfo>([&](auto done) {
        m_client->getAsset(QStringLiteral("00000000-0000-0000-0000-000000000000"), this, done);
    });
    QVERIFY(!asset.isOk());
    QCOMPARE(asset.error().kind(), ApiError::Kind::NotFound);
    QCOMPARE(asset.error().httpStatus(), 404);
}

void tst_ApiClient::securityTemplates()
{
    QVERIFY(signIn());
    const Result<SecurityTemplateList> result = callAndWait<SecurityTemplateList>(
        [&](auto done) { m_client->securityTemplates(this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    const auto &expected = DemoCatalog::instance().securityTemplates();
    QCOMPARE(result.value().size(), expected.size());
    for (qsizetype i = 0; i < expected.size(); ++i) {
        QCOMPARE(result.value().at(i).id, expected.at(i).id);
        QCOMPARE(result.value().at(i).name, expected.at(i).name);
    }
}

void tst_ApiClient::securityTemplatesForbidden()
{
    SandboxConfig config = m_sandbox->config();
    config.securityTemplateListForbidden = true;
    QVERIFY(m_sandbox->setConfig(config));
    QVERIFY(signIn());
    const Result<SecurityTemplateList> result = callAndWait<SecurityTemplateList>(
        [&](auto done) { m_client->securityTemplates(this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Forbidden);
    QVERIFY(!result.error().isRetryable());
}

void tst_ApiClient::metadataTemplates()
{
    QVERIFY(signIn());
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    const auto &expected = DemoCatalog::instance().metadataTemplates();
    QCOMPARE(result.value().size(), expected.size());
    QCOMPARE(result.value().constFirst().id, expected.constFirst().id);
    QCOMPARE(result.value().constFirst().name, expected.constFirst().name);
}

void tst_ApiClient::metadataTemplateById()
{
    QVERIFY(signIn());
    const QString id = QString::fromLatin1(DemoCatalog::marketingAssetTemplateId);
    const Result<MetadataTemplate> result = callAndWait<MetadataTemplate>(
        [&](auto done) { m_client->metadataTemplate(id, this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    const DemoCatalog::MetadataTemplate *expected = DemoCatalog::instance().metadataTemplate(id);
    QCOMPARE(result.value().id, id);
    QCOMPARE(result.value().name, expected->name);
    QCOMPARE(result.value().groups.size(), expected->groups.size());

    qsizetype attributeCount = 0;
    for (const auto &group : expected->groups) {
        attributeCount += group.attributes.size();
        for (const auto &attribute : group.attributes) {
            const MetadataAttribute *parsed = result.value().findAttribute(attribute.id);
            QVERIFY2(parsed, qPrintable(attribute.name));
            QCOMPARE(parsed->name, attribute.name);
            QCOMPARE(parsed->required, attribute.required);
            QCOMPARE(parsed->readOnly, attribute.readonly);
            QCOMPARE(parsed->visible, attribute.visible);
            QCOMPARE(parsed->multipleSelect, attribute.multipleSelect);
            QCOMPARE(parsed->vocabularyId, attribute.vocabularyId);
        }
    }
    QCOMPARE(result.value().attributes().size(), attributeCount);
}

void tst_ApiClient::metadataTemplateUnknown()
{
    QVERIFY(signIn());
    const Result<MetadataTemplate> result = callAndWait<MetadataTemplate>([&](auto done) {
        m_client->metadataTemplate(QStringLiteral("no-such-template"), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::NotFound);
}

void tst_ApiClient::vocabulary()
{
    QVERIFY(signIn());
    const DemoCatalog::Vocabulary &expected = DemoCatalog::instance().vocabularies().constFirst();
    const Result<Vocabulary> result = callAndWait<Vocabulary>(
        [&](auto done) { m_client->vocabulary(expected.id, this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value().id, expected.id);
    QCOMPARE(result.value().values.size(), expected.values.size());
    for (qsizetype i = 0; i < expected.values.size(); ++i) {
        QCOMPARE(result.value().values.at(i).id, expected.values.at(i).id);
        QCOMPARE(result.value().values.at(i).name, expected.values.at(i).name);
    }
}

void tst_ApiClient::expiredTokenRenewedOnce()
{
    // Tokens minted with lifetime 0 are expired at once.
    SandboxConfig config = m_sandbox->config();
    config.accessTokenLifetimeSeconds = 0;
    QVERIFY(m_sandbox->setConfig(config));
    QVERIFY(signIn());
    config.accessTokenLifetimeSeconds = 3600;
    QVERIFY(m_sandbox->setConfig(config));

    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    QSignalSpy refreshTokenChanged(m_session, &Session::refreshTokenChanged);
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));

    QTRY_COMPARE(requests.size(), 3);
    QCOMPARE(requests.at(0).at(2).toInt(), 401);
    QCOMPARE(requests.at(1).at(1).toString(), QStringLiteral("/v1/auth/token"));
    QCOMPARE(requests.at(1).at(2).toInt(), 200);
    QCOMPARE(requests.at(2).at(2).toInt(), 200);
    QVERIFY(m_session->isSignedIn());
    QVERIFY(m_session->tokens().expireEpoch > QDateTime::currentSecsSinceEpoch());
}

void tst_ApiClient::revokedSessionEnds()
{
    QVERIFY(signIn());
    // Revoke the session behind the client's back.
    const Result<void> revoked = callAndWait<void>(
        [&](auto done) { m_client->revokeToken(m_session->tokens(), this, done); });
    QVERIFY(revoked.isOk());

    QSignalSpy signedOut(m_session, &Session::signedOut);
    QSignalSpy failed(m_session, &Session::signInFailed);
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Unauthorized);
    QVERIFY(result.error().userMessage().contains(QStringLiteral("Sign in again")));
    QTRY_COMPARE(signedOut.size(), 1);
    QCOMPARE(failed.size(), 1);
    QVERIFY(!m_session->isSignedIn());
}

void tst_ApiClient::retriesServiceUnavailable()
{
    QVERIFY(signIn());
    QVERIFY(m_sandbox->addFault(QStringLiteral("lookup#1:status=503")));
    QSignalSpy requests(m_sandbox.get(), &SandboxServer::requestFinished);
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QTRY_COMPARE(requests.size(), 2);
    QCOMPARE(requests.at(0).at(2).toInt(), 503);
    QCOMPARE(requests.at(1).at(2).toInt(), 200);
}

void tst_ApiClient::malformedJson()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(tokenResponse());
    m_client->setBaseUrl(server.baseUrl());
    QVERIFY(signIn());
    server.setResponse(TestHttpServer::response(200, QByteArray("{\"data\": [not json")));
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(result.error().serverMessage().contains(QStringLiteral("not valid JSON")));
}

void tst_ApiClient::missingFieldNamed()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(tokenResponse());
    m_client->setBaseUrl(server.baseUrl());
    QVERIFY(signIn());
    server.setResponse(TestHttpServer::response(
        200, QByteArray(R"({"status":"success","data":{"fileId":"f","url":"http://127.0.0.1:1/k"}})")));
    const Result<CreatedAsset> result = callAndWait<CreatedAsset>([&](auto done) {
        m_client->createAsset(createRequest(QStringLiteral("a.jpg"), -1), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(result.error().userMessage().contains(QStringLiteral("objectId")));
}

void tst_ApiClient::htmlErrorPage()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(tokenResponse());
    m_client->setBaseUrl(server.baseUrl());
    QVERIFY(signIn());
    m_client->setRetryPolicy(0, 0);
    QByteArray page("<html><body><h1>502 Bad Gateway</h1>");
    page += QByteArray(500, ' ') + "</body></html>";
    server.setResponse(TestHttpServer::response(502, page));
    const Result<MetadataTemplateList> result = callAndWait<MetadataTemplateList>(
        [&](auto done) { m_client->metadataTemplates(this, done); });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Server);
    QCOMPARE(result.error().httpStatus(), 502);
    QVERIFY(result.error().isRetryable());
    QVERIFY(!result.error().userMessage().contains(QStringLiteral("<html>")));
}

void tst_ApiClient::timeout()
{
    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(QByteArray());
    m_client->setBaseUrl(server.baseUrl());
    m_client->setTimeout(300);
    m_client->setRetryPolicy(0, 0);
    const Result<SessionTokens> result = callAndWait<SessionTokens>([&](auto done) {
        m_client->requestToken(QStringLiteral("u"), QStringLiteral("p"), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Timeout);
    QVERIFY(result.error().isRetryable());
}

void tst_ApiClient::connectionRefused()
{
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    m_client->setBaseUrl(QUrl(QStringLiteral("http://127.0.0.1:%1/v1").arg(port)));
    m_client->setRetryPolicy(1, 10);
    const Result<SessionTokens> result = callAndWait<SessionTokens>([&](auto done) {
        m_client->requestToken(QStringLiteral("u"), QStringLiteral("p"), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Network);
    QVERIFY(result.error().userMessage().contains(QStringLiteral("network")));
}

void tst_ApiClient::noBaseUrl()
{
    m_client->setBaseUrl(QUrl());
    const Result<SessionTokens> result = callAndWait<SessionTokens>([&](auto done) {
        m_client->requestToken(QStringLiteral("u"), QStringLiteral("p"), this, done);
    });
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::InvalidRequest);
    QVERIFY(result.error().userMessage().contains(QStringLiteral("API URL")));
}

QTEST_GUILESS_MAIN(tst_ApiClient)
#include "tst_apiclient.moc"
