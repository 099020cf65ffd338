// Tests of the sandbox's SigV4 signer and verifier. Every vector of
// tests/data/sigv4-presigned-vectors.json must get S3's verdict: URLs signed
// by botocore with a fixed clock, and AWS's documented example. URLs the
// sandbox signs must verify until they are changed in any way.

#include "sigv4.h"
#include "sigv4signer.h"
#include "sigv4verifier.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QTimeZone>
#include <QUrlQuery>

using namespace tenovos::sandbox;

Q_DECLARE_METATYPE(SigV4Verifier::Verdict)

namespace {

struct SplitUrl
{
    QByteArray host;   // authority, with the port when the URL has one
    QByteArray target; // path and query, as written in the URL
};

// Splits "scheme://authority/path?query" without decoding or re-encoding anything.
SplitUrl splitUrl(const QByteArray &url)
{
    const qsizetype authorityStart = url.indexOf("://") + 3;
    const qsizetype pathStart = url.indexOf('/', authorityStart);
    return {url.mid(authorityStart, pathStart - authorityStart), url.mid(pathStart)};
}

SigV4Verifier::Verdict verdictFor(const QString &expect)
{
    if (expect == QLatin1String("valid"))
        return SigV4Verifier::Verdict::Valid;
    if (expect == QLatin1String("expired"))
        return SigV4Verifier::Verdict::Expired;
    if (expect == QLatin1String("signature"))
        return SigV4Verifier::Verdict::SignatureMismatch;
    qFatal("unknown expectation in the vectors file: %s", qPrintable(expect));
}

SigV4Credentials sandboxCredentials()
{
    SigV4Credentials credentials;
    credentials.accessKeyId = "ASIASANDBOXTEST00001";
    credentials.secretAccessKey = "sandbox/Test+Secret=Key000000000000000000";
    credentials.sessionToken = "IQoJb3JpZ2luX2VjTEST//////////wEa+token/with+plus==";
    return credentials;
}

const QDateTime signingTime(QDate(2026, 3, 14), QTime(9, 26, 53), QTimeZone::utc());

} // namespace

class TestSigV4 : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void uriEncode_data();
    void uriEncode();

    void fixtureVerdict_data();
    void fixtureVerdict();
    void fixtureErrorCodes_data();
    void fixtureErrorCodes();
    void awsDocumentedVector_data();
    void awsDocumentedVector();
    void signerReproducesBotocore_data();
    void signerReproducesBotocore();

    void ownUrlVerdict_data();
    void ownUrlVerdict();
    void malformedQuery_data();
    void malformedQuery();

private:
    QJsonObject m_vectors;
};

void TestSigV4::initTestCase()
{
    QFile file(QStringLiteral(TENOVOS_TEST_DATA_DIR "/sigv4-presigned-vectors.json"));
    QVERIFY2(file.open(QIODevice::ReadOnly), qPrintable(file.errorString()));
    QJsonParseError error;
    m_vectors = QJsonDocument::fromJson(file.readAll(), &error).object();
    QCOMPARE(error.error, QJsonParseError::NoError);
    QVERIFY(!m_vectors.value(QStringLiteral("cases")).toArray().isEmpty());
}

void TestSigV4::uriEncode_data()
{
    QTest::addColumn<QByteArray>("input");
    QTest::addColumn<QByteArray>("expected");

    QTest::addRow("unreserved kept") << QByteArray("AZaz09-._~") << QByteArray("AZaz09-._~");
    QTest::addRow("space") << QByteArray("a b") << QByteArray("a%20b");
    QTest::addRow("plus slash equals") << QByteArray("+/=") << QByteArray("%2B%2F%3D");
    QTest::addRow("utf-8 upper-case hex") << QByteArray("Präsentation") << QByteArray("Pr%C3%A4sentation");
    QTest::addRow("brackets and ampersand") << QByteArray("(a)&b") << QByteArray("%28a%29%26b");
}

void TestSigV4::uriEncode()
{
    QFETCH(QByteArray, input);
    QFETCH(QByteArray, expected);
    QCOMPARE(sigv4::uriEncode(input), expected);
}

void TestSigV4::fixtureVerdict_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QVariantMap>("headers");
    QTest::addColumn<qint64>("secondsAfterSigning");
    QTest::addColumn<SigV4Verifier::Verdict>("expected");

    const QJsonArray cases = m_vectors.value(QStringLiteral("cases")).toArray();
    for (const QJsonValue &value : cases) {
        const QJsonObject testCase = value.toObject();
        QTest::addRow("%s", qPrintable(testCase.value(QStringLiteral("name")).toString()))
            << testCase.value(QStringLiteral("method")).toString().toLatin1()
            << testCase.value(QStringLiteral("url")).toString().toUtf8()
            << testCase.value(QStringLiteral("headers")).toObject().toVariantMap()
            << qint64(testCase.value(QStringLiteral("secondsAfterSigning")).toInteger())
            << verdictFor(testCase.value(QStringLiteral("expect")).toString());
    }
}

void TestSigV4::fixtureVerdict()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, url);
    QFETCH(QVariantMap, headers);
    QFETCH(qint64, secondsAfterSigning);
    QFETCH(SigV4Verifier::Verdict, expected);

    SigV4Credentials credentials;
    credentials.accessKeyId = m_vectors.value(QStringLiteral("accessKeyId")).toString().toLatin1();
    credentials.secretAccessKey = m_vectors.value(QStringLiteral("secretAccessKey")).toString().toLatin1();
    credentials.region = m_vectors.value(QStringLiteral("region")).toString().toLatin1();
    credentials.service = m_vectors.value(QStringLiteral("service")).toString().toLatin1();
    const QDateTime signedAt = QDateTime::fromString(m_vectors.value(QStringLiteral("signedAt")).toString(), Qt::ISODate);
    QVERIFY(signedAt.isValid());

    SigV4Verifier verifier(credentials);
    verifier.setClock([=] { return signedAt.addSecs(secondsAfterSigning); });

    const SplitUrl split = splitUrl(url);
    SigV4Verifier::Request request{method, split.target, {{"Host", split.host}}};
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        request.headers.append({it.key().toLatin1(), it.value().toString().toLatin1()});

    const SigV4Verifier::Result result = verifier.verify(request);
    QCOMPARE(result.verdict, expected);
}

void TestSigV4::fixtureErrorCodes_data()
{
    QTest::addColumn<QString>("caseName");
    QTest::addColumn<int>("status");
    QTest::addColumn<QByteArray>("code");
    QTest::addColumn<QString>("message");

    QTest::addRow("expired") << QStringLiteral("part URL one second after expiry") << 403 << QByteArray("AccessDenied")
                             << QStringLiteral("Request has expired");
    QTest::addRow("signature") << QStringLiteral("part URL with partNumber changed") << 403
                               << QByteArray("SignatureDoesNotMatch")
                               << QStringLiteral("The request signature we calculated does not match the signature "
                                                 "you provided. Check your key and signing method.");
}

void TestSigV4::fixtureErrorCodes()
{
    QFETCH(QString, caseName);
    QFETCH(int, status);
    QFETCH(QByteArray, code);
    QFETCH(QString, message);

    QJsonObject testCase;
    for (const QJsonValue &value : m_vectors.value(QStringLiteral("cases")).toArray()) {
        if (value.toObject().value(QStringLiteral("name")).toString() == caseName)
            testCase = value.toObject();
    }
    QVERIFY2(!testCase.isEmpty(), qPrintable(caseName));

    SigV4Credentials credentials;
    credentials.accessKeyId = m_vectors.value(QStringLiteral("accessKeyId")).toString().toLatin1();
    credentials.secretAccessKey = m_vectors.value(QStringLiteral("secretAccessKey")).toString().toLatin1();
    const QDateTime signedAt = QDateTime::fromString(m_vectors.value(QStringLiteral("signedAt")).toString(), Qt::ISODate);
    const qint64 seconds = testCase.value(QStringLiteral("secondsAfterSigning")).toInteger();
    SigV4Verifier verifier(credentials);
    verifier.setClock([=] { return signedAt.addSecs(seconds); });

    const SplitUrl split = splitUrl(testCase.value(QStringLiteral("url")).toString().toUtf8());
    const auto result = verifier.verify({testCase.value(QStringLiteral("method")).toString().toLatin1(), split.target,
                                         {{"Host", split.host}}});
    QCOMPARE(result.httpStatus, status);
    QCOMPARE(result.s3Code, code);
    QCOMPARE(result.message, message);
}

void TestSigV4::awsDocumentedVector_data()
{
    QTest::addColumn<qint64>("secondsAfterSigning");
    QTest::addColumn<SigV4Verifier::Verdict>("expected");

    QTest::addRow("at signing time") << qint64(0) << SigV4Verifier::Verdict::Valid;
    QTest::addRow("last second of validity") << qint64(86400) << SigV4Verifier::Verdict::Valid;
    QTest::addRow("one second after expiry") << qint64(86401) << SigV4Verifier::Verdict::Expired;
}

void TestSigV4::awsDocumentedVector()
{
    QFETCH(qint64, secondsAfterSigning);
    QFETCH(SigV4Verifier::Verdict, expected);

    const QJsonObject vector = m_vectors.value(QStringLiteral("awsDocumentedVector")).toObject();
    const QByteArray url = vector.value(QStringLiteral("url")).toString().toLatin1();
    const SplitUrl split = splitUrl(url);

    // The documented example names its access key id only inside X-Amz-Credential.
    const QUrlQuery query(QUrl::fromEncoded(url));
    const QString credential = query.queryItemValue(QStringLiteral("X-Amz-Credential"), QUrl::FullyDecoded);
    SigV4Credentials credentials;
    credentials.accessKeyId = credential.section(QLatin1Char('/'), 0, 0).toLatin1();
    credentials.secretAccessKey = vector.value(QStringLiteral("secretAccessKey")).toString().toLatin1();

    const QDateTime signedAt(QDate(2013, 5, 24), QTime(0, 0), QTimeZone::utc());
    SigV4Verifier verifier(credentials);
    verifier.setClock([=] { return signedAt.addSecs(secondsAfterSigning); });

    const auto result = verifier.verify({vector.value(QStringLiteral("method")).toString().toLatin1(), split.target,
                                         {{"Host", split.host}}});
    QCOMPARE(result.verdict, expected);
}

void TestSigV4::signerReproducesBotocore_data()
{
    QTest::addColumn<QString>("caseName");
    QTest::addRow("part URL") << QStringLiteral("part URL used byte for byte");
    QTest::addRow("single URL with signed header") << QStringLiteral("single URL with its signed x-amz-meta-objectid header");
}

void TestSigV4::signerReproducesBotocore()
{
    QFETCH(QString, caseName);

    QJsonObject testCase;
    for (const QJsonValue &value : m_vectors.value(QStringLiteral("cases")).toArray()) {
        if (value.toObject().value(QStringLiteral("name")).toString() == caseName)
            testCase = value.toObject();
    }
    QVERIFY2(!testCase.isEmpty(), qPrintable(caseName));

    const SplitUrl split = splitUrl(testCase.value(QStringLiteral("url")).toString().toUtf8());
    const qsizetype questionMark = split.target.indexOf('?');
    const ByteArrayPairs query = sigv4::parseQuery(split.target.mid(questionMark + 1));

    SigV4Credentials credentials;
    credentials.accessKeyId = m_vectors.value(QStringLiteral("accessKeyId")).toString().toLatin1();
    credentials.secretAccessKey = m_vectors.value(QStringLiteral("secretAccessKey")).toString().toLatin1();
    credentials.sessionToken = sigv4::queryValue(query, "X-Amz-Security-Token");

    SigV4Signer::Request request;
    request.method = testCase.value(QStringLiteral("method")).toString().toLatin1();
    request.host = split.host;
    request.encodedPath = split.target.left(questionMark);
    request.signedAt = QDateTime::fromString(m_vectors.value(QStringLiteral("signedAt")).toString(), Qt::ISODate);
    request.expiresSeconds = sigv4::queryValue(query, "X-Amz-Expires").toLongLong();
    for (const auto &pair : query) {
        if (!pair.first.startsWith("X-Amz-"))
            request.query.append(pair);
    }
    const QVariantMap headers = testCase.value(QStringLiteral("headers")).toObject().toVariantMap();
    for (auto it = headers.cbegin(); it != headers.cend(); ++it)
        request.signedHeaders.append({it.key().toLatin1(), it.value().toString().toLatin1()});

    const QByteArray target = SigV4Signer(credentials).presignedTarget(request);
    const ByteArrayPairs signedQuery = sigv4::parseQuery(target.mid(target.indexOf('?') + 1));
    QCOMPARE(sigv4::queryValue(signedQuery, "X-Amz-Signature"), sigv4::queryValue(query, "X-Amz-Signature"));
}

void TestSigV4::ownUrlVerdict_data()
{
    QTest::addColumn<QByteArray>("method");
    QTest::addColumn<QByteArray>("from");    // replaced in the signed target ...
    QTest::addColumn<QByteArray>("to");      // ... by this
    QTest::addColumn<QByteArray>("objectIdHeader"); // null: header not sent
    QTest::addColumn<QByteArray>("extraHeader");    // "name: value" or empty
    QTest::addColumn<qint64>("secondsAfterSigning");
    QTest::addColumn<SigV4Verifier::Verdict>("expected");

    const QByteArray objectId = "2c1d0732-31a7-4800-bbd7-3fb05c222549";
    using V = SigV4Verifier::Verdict;
    QTest::addRow("as signed") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray() << qint64(5) << V::Valid;
    QTest::addRow("last valid second") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray() << qint64(3600) << V::Valid;
    QTest::addRow("expired") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray() << qint64(3601) << V::Expired;
    QTest::addRow("dated an hour ahead") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray() << qint64(-3600) << V::NotYetValid;
    QTest::addRow("other method") << QByteArray("POST") << QByteArray() << QByteArray() << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("path re-encoded") << QByteArray("PUT") << QByteArray("%28final%29") << QByteArray("(final)") << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("space as plus in path") << QByteArray("PUT") << QByteArray("Q3%20") << QByteArray("Q3+") << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("token plus decoded") << QByteArray("PUT") << QByteArray("wEa%2Btoken") << QByteArray("wEa+token") << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("token slash decoded") << QByteArray("PUT") << QByteArray("%2Fwith") << QByteArray("/with") << objectId << QByteArray() << qint64(5) << V::Valid;
    QTest::addRow("lower-case escapes") << QByteArray("PUT") << QByteArray("%C3%A4") << QByteArray("%c3%a4") << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("signature changed") << QByteArray("PUT") << QByteArray("X-Amz-Signature=") << QByteArray("X-Amz-Signature=0") << objectId << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("object id header missing") << QByteArray("PUT") << QByteArray() << QByteArray() << QByteArray() << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("object id header changed") << QByteArray("PUT") << QByteArray() << QByteArray() << QByteArray("00000000-0000-0000-0000-000000000000") << QByteArray() << qint64(5) << V::SignatureMismatch;
    QTest::addRow("unsigned amz header") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray("x-amz-acl: private") << qint64(5) << V::UnsignedHeaders;
    QTest::addRow("other plain header") << QByteArray("PUT") << QByteArray() << QByteArray() << objectId << QByteArray("Content-Type: application/octet-stream") << qint64(5) << V::Valid;
}

void TestSigV4::ownUrlVerdict()
{
    QFETCH(QByteArray, method);
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(QByteArray, objectIdHeader);
    QFETCH(QByteArray, extraHeader);
    QFETCH(qint64, secondsAfterSigning);
    QFETCH(SigV4Verifier::Verdict, expected);

    const QByteArray objectId = "2c1d0732-31a7-4800-bbd7-3fb05c222549";
    SigV4Signer::Request request;
    request.host = "127.0.0.1:41234";
    request.encodedPath = "/contentstore/masters/" + objectId + '/' + sigv4::uriEncode("Präsentation Q3 (final).mp4");
    request.signedHeaders = {{"x-amz-meta-objectid", objectId}};
    request.trailingQuery = {{"x-amz-meta-objectid", objectId}};
    request.signedAt = signingTime;
    request.expiresSeconds = 3600;
    QByteArray target = SigV4Signer(sandboxCredentials()).presignedTarget(request);
    if (!from.isEmpty()) {
        QVERIFY2(target.contains(from), target.constData());
        target.replace(from, to);
    }

    SigV4Verifier::Request put{method, target, {{"Host", request.host}}};
    if (!objectIdHeader.isNull())
        put.headers.append({"x-amz-meta-objectid", objectIdHeader});
    if (!extraHeader.isEmpty())
        put.headers.append({extraHeader.left(extraHeader.indexOf(':')), extraHeader.mid(extraHeader.indexOf(':') + 1).trimmed()});

    SigV4Verifier verifier(sandboxCredentials());
    verifier.setClock([=] { return signingTime.addSecs(secondsAfterSigning); });
    const auto result = verifier.verify(put);
    QCOMPARE(result.verdict, expected);
}

void TestSigV4::malformedQuery_data()
{
    QTest::addColumn<QByteArray>("from");
    QTest::addColumn<QByteArray>("to");
    QTest::addColumn<SigV4Verifier::Verdict>("expected");
    QTest::addColumn<QByteArray>("code");

    using V = SigV4Verifier::Verdict;
    QTest::addRow("no query at all") << QByteArray("?") << QByteArray("?x=") << V::Unauthenticated << QByteArray("AccessDenied");
    QTest::addRow("algorithm missing") << QByteArray("X-Amz-Algorithm=") << QByteArray("X-Other=") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("other algorithm") << QByteArray("AWS4-HMAC-SHA256") << QByteArray("AWS4-HMAC-SHA1") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("expires above a week") << QByteArray("X-Amz-Expires=3600") << QByteArray("X-Amz-Expires=604801") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("expires negative") << QByteArray("X-Amz-Expires=3600") << QByteArray("X-Amz-Expires=-1") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("date malformed") << QByteArray("X-Amz-Date=20260314T") << QByteArray("X-Amz-Date=2026-03-14T") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("other access key") << QByteArray("ASIASANDBOXTEST00001") << QByteArray("ASIASANDBOXOTHER0001") << V::InvalidAccessKeyId << QByteArray("InvalidAccessKeyId");
    QTest::addRow("other region") << QByteArray("%2Fus-east-1%2F") << QByteArray("%2Feu-west-1%2F") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("credential date differs") << QByteArray("%2F20260314%2F") << QByteArray("%2F20260315%2F") << V::MalformedQuery << QByteArray("AuthorizationQueryParametersError");
    QTest::addRow("token removed") << QByteArray("X-Amz-Security-Token=") << QByteArray("X-Amz-Other-Token=") << V::SignatureMismatch << QByteArray("SignatureDoesNotMatch");
}

void TestSigV4::malformedQuery()
{
    QFETCH(QByteArray, from);
    QFETCH(QByteArray, to);
    QFETCH(SigV4Verifier::Verdict, expected);
    QFETCH(QByteArray, code);

    SigV4Signer::Request request;
    request.host = "127.0.0.1:41234";
    request.encodedPath = "/contentstore/masters/object/part.bin";
    request.query = {{"uploadId", "abc"}, {"partNumber", "1"}};
    request.signedAt = signingTime;
    request.expiresSeconds = 3600;
    QByteArray target = SigV4Signer(sandboxCredentials()).presignedTarget(request);
    if (from == "?")
        target.truncate(target.indexOf('?'));
    else
        QVERIFY2(target.contains(from), target.constData());
    target.replace(from, to);

    SigV4Verifier verifier(sandboxCredentials());
    verifier.setClock([] { return signingTime.addSecs(5); });
    const auto result = verifier.verify({"PUT", target, {{"Host", request.host}}});
    QCOMPARE(result.verdict, expected);
    QCOMPARE(result.s3Code, code);
}

QTEST_GUILESS_MAIN(TestSigV4)
#include "tst_sigv4.moc"
