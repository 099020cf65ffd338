// PartUpload against a local test server: what one part PUT sends (range,
// signed headers, request target byte for byte) and how S3's responses map to
// results and errors.

#include "networkpool.h"
#include "partupload.h"

#include <QFile>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QtTest>

#include "testhttpserver.h"

using namespace tenovos;

namespace {

const QByteArray kEtag = QByteArrayLiteral("\"9b2cf535f27731c974343645a3985328\"");

QByteArray s3Error(const char *code, const char *message)
{
    return QByteArray("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>") + code
        + "</Code><Message>" + message + "</Message><RequestId>0</RequestId></Error>";
}

} // namespace

class tst_PresignedPut : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();

    void sendsRangeAndSignedHeaders();
    void keepsEtagAsReceived();
    void s3Responses_data();
    void s3Responses();
    void requotedUrlSentByteForByte();
    void progressEndsAtLength();
    void timeoutWhenServerSilent();
    void connectionRefused();
    void abortSuppressesFinished();
    void missingFileFails();
    void errorsHideQuery();
    void httpsUpload_data();
    void httpsUpload();
    void untrustedCertificate_data();
    void untrustedCertificate();

private:
    PartSpec spec(const QByteArray &url, qint64 offset, qint64 length) const;
    Result<QByteArray> run(PartUpload *upload);

    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_content;
    NetworkPool m_pool;
    TestHttpServer *m_server = nullptr;
};

void tst_PresignedPut::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("part source.bin"));
    m_content.resize(256 * 1024);
    for (qsizetype i = 0; i < m_content.size(); ++i)
        m_content[i] = char((i * 7) % 256);
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(m_content), m_content.size());
}

void tst_PresignedPut::init()
{
    delete m_server;
    m_server = new TestHttpServer(this);
    QVERIFY(m_server->listen());
    m_server->setResponse(TestHttpServer::response(200, QByteArray(), "ETag: " + kEtag + "\r\n"));
}

PartSpec tst_PresignedPut::spec(const QByteArray &target, qint64 offset, qint64 length) const
{
    PartSpec spec;
    spec.filePath = m_path;
    spec.partNumber = 2;
    spec.offset = offset;
    spec.length = length;
    spec.objectId = QStringLiteral("obj-1");
    spec.timeoutMs = 10000;
    const Result<PresignedUrl> url =
        PresignedUrl::parse("http://127.0.0.1:" + QByteArray::number(m_server->port()) + target);
    if (url)
        spec.url = url.value();
    return spec;
}

Result<QByteArray> tst_PresignedPut::run(PartUpload *upload)
{
    QSignalSpy finished(upload, &PartUpload::finished);
    upload->start();
    if (!finished.wait(20000))
        return ApiError(ApiError::Kind::Timeout, QStringLiteral("the test waited in vain"));
    return finished.constFirst().constFirst().value<Result<QByteArray>>();
}

void tst_PresignedPut::sendsRangeAndSignedHeaders()
{
    const QByteArray target =
        "/contentstore/masters/919f33e2/apples%20%26%20pears.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-Date=20260314T092653Z&X-Amz-SignedHeaders=host%3Bx-amz-meta-objectid"
        "&X-Amz-Expires=86400&X-Amz-Security-Token=IQo%2F%2B%3D&X-Amz-Signature=abc"
        "&x-amz-meta-objectid=2c1d0732-31a7-4800-bbd7-3fb05c222549";
    PartUpload upload(&m_pool, spec(target, 1000, 50000));
    const Result<QByteArray> result = run(&upload);
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));

    QCOMPARE(m_server->requests().size(), 1);
    const TestHttpServer::Request request = m_server->requests().constFirst();
    QCOMPARE(request.method, QByteArray("PUT"));
    QCOMPARE(request.target, target);
    QCOMPARE(request.header("Content-Length"), QByteArray("50000"));
    QVERIFY(request.body == m_content.mid(1000, 50000));
    QCOMPARE(request.header("x-amz-meta-objectid"), QByteArray("2c1d0732-31a7-4800-bbd7-3fb05c222549"));
    QVERIFY(request.hasHeader("Content-Type"));

    // S3 rejects unsigned x-amz-* headers, so only the signed one is sent.
    int amzHeaders = 0;
    for (const auto &header : request.headers) {
        if (header.first.toLower().startsWith("x-amz-"))
            ++amzHeaders;
    }
    QCOMPARE(amzHeaders, 1);
}

void tst_PresignedPut::keepsEtagAsReceived()
{
    PartUpload upload(&m_pool, spec("/k?X-Amz-SignedHeaders=host&X-Amz-Signature=a", 0, 10));
    const Result<QByteArray> result = run(&upload);
    QVERIFY(result.isOk());
    QCOMPARE(result.value(), kEtag);
}

void tst_PresignedPut::s3Responses_data()
{
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("body");
    QTest::addColumn<QByteArray>("extraHeaders");
    QTest::addColumn<int>("kind");
    QTest::addColumn<bool>("retryable");
    QTest::addColumn<QString>("code");

    QTest::addRow("expired URL") << 403 << s3Error("AccessDenied", "Request has expired") << QByteArray()
                                 << int(ApiError::Kind::UrlExpired) << false << QStringLiteral("AccessDenied");
    QTest::addRow("bad signature")
        << 403 << s3Error("SignatureDoesNotMatch", "The request signature we calculated does not match")
        << QByteArray() << int(ApiError::Kind::Forbidden) << false << QStringLiteral("SignatureDoesNotMatch");
    QTest::addRow("unknown upload")
        << 404 << s3Error("NoSuchUpload", "The specified upload does not exist") << QByteArray()
        << int(ApiError::Kind::NotFound) << false << QStringLiteral("NoSuchUpload");
    QTest::addRow("slow down") << 503 << s3Error("SlowDown", "Please reduce your request rate")
                               << QByteArray("Retry-After: 1\r\n") << int(ApiError::Kind::Server) << true
                               << QStringLiteral("SlowDown");
    QTest::addRow("internal error") << 500 << s3Error("InternalError", "We encountered an internal error")
                                    << QByteArray() << int(ApiError::Kind::Server) << true
                                    << QStringLiteral("InternalError");
    QTest::addRow("200 without ETag") << 200 << QByteArray() << QByteArray()
                                      << int(ApiError::Kind::MalformedResponse) << true << QString();
}

void tst_PresignedPut::s3Responses()
{
    QFETCH(int, status);
    QFETCH(QByteArray, body);
    QFETCH(QByteArray, extraHeaders);
    QFETCH(int, kind);
    QFETCH(bool, retryable);
    QFETCH(QString, code);

    m_server->setResponse(TestHttpServer::response(status, body, extraHeaders));
    PartUpload upload(&m_pool, spec("/k?X-Amz-Date=20260314T092653Z&X-Amz-Expires=60&X-Amz-Signature=a", 0, 100));
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QCOMPARE(int(result.error().kind()), kind);
    QCOMPARE(result.error().isRetryable(), retryable);
    QCOMPARE(result.error().errorCode(), code);
    QVERIFY(result.error().operation().contains(QStringLiteral("part 2")));
    QVERIFY(!result.error().userMessage().isEmpty());
    if (status == 503)
        QCOMPARE(result.error().retryAfterSeconds(), 1);
}

void tst_PresignedPut::requotedUrlSentByteForByte()
{
    // QUrl would send %7E as '~' and %2f as %2F; the plain socket path must not.
    const QByteArray target = "/masters/o1/a%7Eb.jpg?X-Amz-SignedHeaders=host%3bx-amz-meta-objectid"
                              "&X-Amz-Security-Token=a%2fb%2b&X-Amz-Signature=abc";
    const PartSpec partSpec = spec(target, 10, 70000);
    QVERIFY(!partSpec.url.survivesQUrl());

    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value(), kEtag);

    QCOMPARE(m_server->requests().size(), 1);
    const TestHttpServer::Request request = m_server->requests().constFirst();
    QCOMPARE(request.target, target);
    QCOMPARE(request.header("Content-Length"), QByteArray("70000"));
    QCOMPARE(request.header("x-amz-meta-objectid"), QByteArray("obj-1"));
    QCOMPARE(request.header("Host"), QByteArray("127.0.0.1:") + QByteArray::number(m_server->port()));
    QVERIFY(request.body == m_content.mid(10, 70000));
}

void tst_PresignedPut::progressEndsAtLength()
{
    const qint64 length = m_content.size();
    PartUpload upload(&m_pool, spec("/k?X-Amz-Signature=a", 0, length));
    QSignalSpy progress(&upload, &PartUpload::progress);
    QVERIFY(run(&upload).isOk());

    QVERIFY(!progress.isEmpty());
    qint64 previous = 0;
    for (const QList<QVariant> &arguments : std::as_const(progress)) {
        const qint64 sent = arguments.at(0).toLongLong();
        QCOMPARE(arguments.at(1).toLongLong(), length);
        QVERIFY(sent >= previous);
        previous = sent;
    }
    QCOMPARE(progress.constLast().at(0).toLongLong(), length);
}

void tst_PresignedPut::timeoutWhenServerSilent()
{
    m_server->setResponse(QByteArray());
    PartSpec partSpec = spec("/k?X-Amz-Signature=a", 0, 100);
    partSpec.timeoutMs = 300;
    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Timeout);
    QVERIFY(result.error().isRetryable());
}

void tst_PresignedPut::connectionRefused()
{
    // A port that was free a moment ago, with no server listening now.
    quint16 port = 0;
    {
        QTcpServer probe;
        QVERIFY(probe.listen(QHostAddress::LocalHost, 0));
        port = probe.serverPort();
    }
    PartSpec partSpec;
    partSpec.filePath = m_path;
    partSpec.length = 10;
    partSpec.url = PresignedUrl::parse("http://127.0.0.1:" + QByteArray::number(port) + "/k?a=1").value();
    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Network);
    QVERIFY(result.error().isRetryable());
}

void tst_PresignedPut::abortSuppressesFinished()
{
    m_server->setResponse(QByteArray());
    PartUpload upload(&m_pool, spec("/k?X-Amz-Signature=a", 0, 100));
    QSignalSpy finished(&upload, &PartUpload::finished);
    upload.start();
    QTRY_COMPARE(m_server->requests().size(), 1);
    upload.abort();
    QVERIFY(!finished.wait(300));
    QCOMPARE(m_pool.activeTransfers(), 0);
}

void tst_PresignedPut::missingFileFails()
{
    PartSpec partSpec = spec("/k?X-Amz-Signature=a", 0, 100);
    partSpec.filePath = m_dir.filePath(QStringLiteral("gone.bin"));
    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::LocalFile);
    QVERIFY(m_server->requests().isEmpty());
}

void tst_PresignedPut::errorsHideQuery()
{
    m_server->setResponse(TestHttpServer::response(403, s3Error("SignatureDoesNotMatch", "mismatch")));
    PartUpload upload(&m_pool, spec("/k?X-Amz-Security-Token=SECRET&X-Amz-Signature=SECRET", 0, 10));
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QVERIFY(!result.error().userMessage().contains(QStringLiteral("SECRET")));
    QVERIFY(!result.error().logMessage().contains(QStringLiteral("SECRET")));
    QVERIFY(!result.error().operation().contains(QStringLiteral("SECRET")));
}

void tst_PresignedPut::httpsUpload_data()
{
    QTest::addColumn<bool>("ownConnection");
    QTest::addRow("own connection") << true;
    QTest::addRow("QNetworkAccessManager") << false;
}

void tst_PresignedPut::httpsUpload()
{
    QFETCH(bool, ownConnection);

    // Trust the test certificate for this test only.
    const QList<QSslCertificate> certificates = QSslCertificate::fromPath(
        QStringLiteral(TENOVOS_CORE_TEST_DATA_DIR "/loopback-test-cert.pem"));
    QCOMPARE(certificates.size(), 1);
    const QSslConfiguration original = QSslConfiguration::defaultConfiguration();
    QSslConfiguration trusting = original;
    trusting.addCaCertificates(certificates);
    QSslConfiguration::setDefaultConfiguration(trusting);
    auto restore = qScopeGuard([&original] { QSslConfiguration::setDefaultConfiguration(original); });

    TestHttpServer server;
    QVERIFY(server.listenTls(QStringLiteral(TENOVOS_CORE_TEST_DATA_DIR "/loopback-test-cert.pem"),
                             QStringLiteral(TENOVOS_CORE_TEST_DATA_DIR "/loopback-test-key.pem")));
    server.setResponse(TestHttpServer::response(200, QByteArray(), "ETag: " + kEtag + "\r\n"));

    PartSpec partSpec = spec("/k", 500, 100000);
    partSpec.url = PresignedUrl::parse("https://127.0.0.1:" + QByteArray::number(server.port())
                                       + "/masters/o/a.bin?X-Amz-SignedHeaders=host&X-Amz-Signature=s")
                       .value();
    partSpec.preferOwnConnection = ownConnection;
    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY2(result.isOk(), qPrintable(result.error().logMessage()));
    QCOMPARE(result.value(), kEtag);
    QCOMPARE(server.requests().size(), 1);
    QVERIFY(server.requests().constFirst().body == m_content.mid(500, 100000));
}

void tst_PresignedPut::untrustedCertificate_data()
{
    httpsUpload_data();
}

void tst_PresignedPut::untrustedCertificate()
{
    QFETCH(bool, ownConnection);

    TestHttpServer server;
    QVERIFY(server.listenTls(QStringLiteral(TENOVOS_CORE_TEST_DATA_DIR "/loopback-test-cert.pem"),
                             QStringLiteral(TENOVOS_CORE_TEST_DATA_DIR "/loopback-test-key.pem")));
    server.setResponse(TestHttpServer::response(200, QByteArray(), "ETag: " + kEtag + "\r\n"));

    PartSpec partSpec = spec("/k", 0, 10);
    partSpec.url = PresignedUrl::parse("https://127.0.0.1:" + QByteArray::number(server.port()) + "/k?a=1").value();
    partSpec.preferOwnConnection = ownConnection;
    PartUpload upload(&m_pool, partSpec);
    const Result<QByteArray> result = run(&upload);
    QVERIFY(!result.isOk());
    QCOMPARE(result.error().kind(), ApiError::Kind::Network);
    // Sending again cannot make the certificate trusted.
    QVERIFY(!result.error().isRetryable());
    QVERIFY(server.requests().isEmpty());
}

QTEST_GUILESS_MAIN(tst_PresignedPut)
#include "tst_presignedput.moc"
