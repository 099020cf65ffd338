// PresignedUrl against the botocore-signed fixture URLs in
// tests/data/sigv4-presigned-vectors.json: every URL survives QUrl byte for
// byte, reaches the wire unchanged, and gets exactly the signed headers.

#include "presignedurl.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QTimeZone>
#include <QtTest>

#include "testhttpserver.h"

using tenovos::ApiError;
using tenovos::HttpHeaderList;
using tenovos::PresignedUrl;
using tenovos::Result;

namespace {

QJsonObject loadFixture()
{
    QFile file(QStringLiteral(TENOVOS_TEST_DATA_DIR "/sigv4-presigned-vectors.json"));
    if (!file.open(QIODevice::ReadOnly))
        return QJsonObject();
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The request target: everything after scheme and authority.
QByteArray targetOf(const QByteArray &url)
{
    const qsizetype authority = url.indexOf("://") + 3;
    return url.mid(url.indexOf('/', authority));
}

QByteArray moveToServer(const QByteArray &url, quint16 port)
{
    return "http://127.0.0.1:" + QByteArray::number(port) + targetOf(url);
}

} // namespace

class tst_PresignedUrl : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void fixtureRoundTrip_data();
    void fixtureRoundTrip();
    void fixtureReachesWireUnchanged_data();
    void fixtureReachesWireUnchanged();
    void signedHeaderFromQuery();
    void signedHeaderFallsBackToObjectId();
    void hostOnlyNeedsNoHeaders();
    void unknownSignedHeaderFails();
    void redactedHasNoQuery_data();
    void redactedHasNoQuery();
    void expiry();
    void requoteDetected_data();
    void requoteDetected();
    void invalidUrls_data();
    void invalidUrls();
    void queryValueDecoding();

private:
    QJsonObject m_fixture;
};

void tst_PresignedUrl::initTestCase()
{
    m_fixture = loadFixture();
    QVERIFY2(!m_fixture.isEmpty(), "tests/data/sigv4-presigned-vectors.json is missing or invalid");
    QVERIFY(!m_fixture.value(QLatin1String("cases")).toArray().isEmpty());
}

void tst_PresignedUrl::fixtureRoundTrip_data()
{
    QTest::addColumn<QByteArray>("url");
    const QJsonArray cases = m_fixture.value(QLatin1String("cases")).toArray();
    for (const QJsonValue &entry : cases) {
        const QJsonObject testCase = entry.toObject();
        QTest::addRow("%s", qPrintable(testCase.value(QLatin1String("name")).toString()))
            << testCase.value(QLatin1String("url")).toString().toUtf8();
    }
    QTest::addRow("AWS documented vector")
        << m_fixture.value(QLatin1String("awsDocumentedVector")).toObject().value(QLatin1String("url")).toString().toUtf8();
}

void tst_PresignedUrl::fixtureRoundTrip()
{
    QFETCH(QByteArray, url);

    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY2(parsed.isOk(), qPrintable(parsed.error().logMessage()));
    QCOMPARE(parsed.value().encoded(), url);
    QVERIFY(parsed.value().survivesQUrl());
    QCOMPARE(parsed.value().url().toEncoded(), url);
    QCOMPARE(parsed.value().requestTarget(), targetOf(url));
}

void tst_PresignedUrl::fixtureReachesWireUnchanged_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QByteArray>("method");
    const QJsonArray cases = m_fixture.value(QLatin1String("cases")).toArray();
    for (const QJsonValue &entry : cases) {
        const QJsonObject testCase = entry.toObject();
        QTest::addRow("%s", qPrintable(testCase.value(QLatin1String("name")).toString()))
            << testCase.value(QLatin1String("url")).toString().toUtf8()
            << testCase.value(QLatin1String("method")).toString().toUtf8();
    }
}

void tst_PresignedUrl::fixtureReachesWireUnchanged()
{
    QFETCH(QByteArray, url);
    QFETCH(QByteArray, method);

    TestHttpServer server;
    QVERIFY(server.listen());
    server.setResponse(TestHttpServer::response(200, QByteArray(), "ETag: \"x\"\r\n"));

    // Same path and query, served by the test's own server.
    const Result<PresignedUrl> parsed = PresignedUrl::parse(moveToServer(url, server.port()));
    QVERIFY(parsed.isOk());

    QNetworkAccessManager network;
    QNetworkRequest request(parsed.value().url());
    request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/octet-stream"));
    QNetworkReply *reply = network.sendCustomRequest(request, method, QByteArray("body"));
    QSignalSpy finished(reply, &QNetworkReply::finished);
    QVERIFY(finished.wait(10000));
    reply->deleteLater();

    QCOMPARE(server.requests().size(), 1);
    QCOMPARE(server.requests().constFirst().method, method);
    QCOMPARE(server.requests().constFirst().target, targetOf(url));
}

void tst_PresignedUrl::signedHeaderFromQuery()
{
    const QByteArray url =
        "https://bucket.s3.amazonaws.com/masters/o1/a.jpg?X-Amz-Algorithm=AWS4-HMAC-SHA256"
        "&X-Amz-SignedHeaders=host%3Bx-amz-meta-objectid&X-Amz-Signature=abc"
        "&x-amz-meta-objectid=2c1d0732-31a7-4800-bbd7-3fb05c222549";
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(parsed.isOk());
    QCOMPARE(parsed.value().signedHeaderNames(), QByteArrayList({"host", "x-amz-meta-objectid"}));

    const Result<HttpHeaderList> headers = parsed.value().requiredHeaders(QStringLiteral("other-id"));
    QVERIFY(headers.isOk());
    QCOMPARE(headers.value().size(), 1);
    QCOMPARE(headers.value().constFirst().first, QByteArray("x-amz-meta-objectid"));
    QCOMPARE(headers.value().constFirst().second, QByteArray("2c1d0732-31a7-4800-bbd7-3fb05c222549"));
}

void tst_PresignedUrl::signedHeaderFallsBackToObjectId()
{
    const QByteArray url = "https://bucket.s3.amazonaws.com/masters/o1/a.jpg?"
                           "X-Amz-SignedHeaders=host%3Bx-amz-meta-objectid&X-Amz-Signature=abc";
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(parsed.isOk());
    const Result<HttpHeaderList> headers = parsed.value().requiredHeaders(QStringLiteral("obj-7"));
    QVERIFY(headers.isOk());
    QCOMPARE(headers.value().size(), 1);
    QCOMPARE(headers.value().constFirst().second, QByteArray("obj-7"));
}

void tst_PresignedUrl::hostOnlyNeedsNoHeaders()
{
    const QJsonObject first = m_fixture.value(QLatin1String("cases")).toArray().at(0).toObject();
    const Result<PresignedUrl> parsed =
        PresignedUrl::parse(first.value(QLatin1String("url")).toString().toUtf8());
    QVERIFY(parsed.isOk());
    QCOMPARE(parsed.value().signedHeaderNames(), QByteArrayList({"host"}));
    const Result<HttpHeaderList> headers = parsed.value().requiredHeaders(QStringLiteral("obj"));
    QVERIFY(headers.isOk());
    QVERIFY(headers.value().isEmpty());
}

void tst_PresignedUrl::unknownSignedHeaderFails()
{
    const QByteArray url = "https://bucket.s3.amazonaws.com/k?"
                           "X-Amz-SignedHeaders=host%3Bx-amz-server-side-encryption&X-Amz-Signature=a";
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(parsed.isOk());
    const Result<HttpHeaderList> headers = parsed.value().requiredHeaders(QStringLiteral("obj"));
    QVERIFY(!headers.isOk());
    QCOMPARE(headers.error().kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(headers.error().userMessage().contains(QStringLiteral("x-amz-server-side-encryption")));
}

void tst_PresignedUrl::redactedHasNoQuery_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QString>("expected");
    const QJsonObject first = m_fixture.value(QLatin1String("cases")).toArray().at(0).toObject();
    QTest::addRow("fixture part URL")
        << first.value(QLatin1String("url")).toString().toUtf8()
        << QStringLiteral("http://127.0.0.1:9000/contentstore/masters/2c1d0732-31a7-4800-bbd7-3fb05c222549/Pr%C3%A4sentation%20Q3%20%28final%29.mp4");
    QTest::addRow("default port")
        << QByteArray("https://bucket.s3.amazonaws.com/a%20b.jpg?X-Amz-Signature=secret")
        << QStringLiteral("https://bucket.s3.amazonaws.com/a%20b.jpg");
}

void tst_PresignedUrl::redactedHasNoQuery()
{
    QFETCH(QByteArray, url);
    QFETCH(QString, expected);
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(parsed.isOk());
    QCOMPARE(parsed.value().redacted(), expected);
    QVERIFY(!parsed.value().redacted().contains(QLatin1Char('?')));
    QVERIFY(!parsed.value().redacted().contains(QStringLiteral("Amz")));
}

void tst_PresignedUrl::expiry()
{
    const QJsonObject first = m_fixture.value(QLatin1String("cases")).toArray().at(0).toObject();
    const Result<PresignedUrl> parsed =
        PresignedUrl::parse(first.value(QLatin1String("url")).toString().toUtf8());
    QVERIFY(parsed.isOk());
    const QDateTime signedAt(QDate(2026, 3, 14), QTime(9, 26, 53), QTimeZone::utc());
    QCOMPARE(parsed.value().signedAt(), signedAt);
    QCOMPARE(parsed.value().expiresAt(), signedAt.addSecs(86400));

    const Result<PresignedUrl> unsigned_ = PresignedUrl::parse("https://example.invalid/a");
    QVERIFY(unsigned_.isOk());
    QVERIFY(!unsigned_.value().expiresAt().isValid());
}

void tst_PresignedUrl::requoteDetected_data()
{
    QTest::addColumn<QByteArray>("url");
    // QUrl decodes percent-encoded unreserved characters and upper-cases hex
    // digits; a signature over the original bytes would break.
    QTest::addRow("encoded tilde") << QByteArray("http://127.0.0.1:1/key%7Ename?X-Amz-Signature=a");
    QTest::addRow("lower-case hex") << QByteArray("http://127.0.0.1:1/key?X-Amz-Security-Token=a%2fb%2bc");
    QTest::addRow("encoded letter") << QByteArray("http://127.0.0.1:1/%41bc?X-Amz-Signature=a");
}

void tst_PresignedUrl::requoteDetected()
{
    QFETCH(QByteArray, url);
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(parsed.isOk());
    QVERIFY(!parsed.value().survivesQUrl());
    QCOMPARE(parsed.value().encoded(), url);
    QCOMPARE(parsed.value().requestTarget(), targetOf(url));
}

void tst_PresignedUrl::invalidUrls_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addRow("relative") << QByteArray("/masters/a.jpg?X-Amz-Signature=a");
    QTest::addRow("ftp") << QByteArray("ftp://host/a.jpg");
    QTest::addRow("space") << QByteArray("https://host/a b.jpg");
    QTest::addRow("non-ASCII") << QByteArray("https://host/\xc3\xa4.jpg");
    QTest::addRow("empty") << QByteArray();
}

void tst_PresignedUrl::invalidUrls()
{
    QFETCH(QByteArray, url);
    const Result<PresignedUrl> parsed = PresignedUrl::parse(url);
    QVERIFY(!parsed.isOk());
    QCOMPARE(parsed.error().kind(), ApiError::Kind::MalformedResponse);
    QVERIFY(!parsed.error().userMessage().isEmpty());
}

void tst_PresignedUrl::queryValueDecoding()
{
    const Result<PresignedUrl> parsed = PresignedUrl::parse(
        "https://h/k?X-Amz-Credential=AKID%2F20130524%2Fus-east-1&empty=&flag&plus=a+b");
    QVERIFY(parsed.isOk());
    QCOMPARE(parsed.value().queryValue("x-amz-credential"), QByteArray("AKID/20130524/us-east-1"));
    QVERIFY(!parsed.value().queryValue("empty").isNull());
    QVERIFY(parsed.value().queryValue("empty").isEmpty());
    QVERIFY(!parsed.value().queryValue("flag").isNull());
    QVERIFY(parsed.value().queryValue("missing").isNull());
    QCOMPARE(parsed.value().queryValue("plus"), QByteArray("a b"));
}

QTEST_GUILESS_MAIN(tst_PresignedUrl)
#include "tst_presignedurl.moc"
