// JournalUrlSecrets: which query parameters leave a part URL, and that
// putting them back gives the URL byte for byte, for the shapes of query a
// presigned URL can have.

#include "journalurlsecrets.h"

#include <QtTest>

using tenovos::JournalUrlSecrets;
using tenovos::PartUrl;

class tst_JournalUrlSecrets : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void splitAndJoin_data();
    void splitAndJoin();
    void urlsWithoutSecretsUnchanged();
    void joinRejectsOtherUrls_data();
    void joinRejectsOtherUrls();
};

void tst_JournalUrlSecrets::splitAndJoin_data()
{
    QTest::addColumn<QByteArray>("url");
    QTest::addColumn<QByteArray>("expectedStripped");
    QTest::addColumn<QByteArrayList>("secretValues");

    QTest::addRow("SigV4 with session token")
        << QByteArrayLiteral("https://s3.example.com/bucket/o.mov?partNumber=2&uploadId=u1"
                             "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20240101%2Fus-east-1"
                             "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600"
                             "&X-Amz-Security-Token=FQoG%2Bab%3D%3D&X-Amz-SignedHeaders=host"
                             "&X-Amz-Signature=9f86d081884c7d65")
        << QByteArrayLiteral("https://s3.example.com/bucket/o.mov?partNumber=2&uploadId=u1"
                             "&X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=ASIA%2F20240101%2Fus-east-1"
                             "&X-Amz-Date=20240101T000000Z&X-Amz-Expires=3600&X-Amz-SignedHeaders=host")
        << QByteArrayList{"FQoG%2Bab%3D%3D", "9f86d081884c7d65"};
    QTest::addRow("lower-case names")
        << QByteArrayLiteral("http://127.0.0.1:9/o?x-amz-signature=abc&a=1&x-amz-security-token=tok")
        << QByteArrayLiteral("http://127.0.0.1:9/o?a=1") << QByteArrayList{"abc", "tok"};
    QTest::addRow("percent-encoded name")
        << QByteArrayLiteral("http://127.0.0.1:9/o?a=1&X%2DAmz%2DSignature=abc")
        << QByteArrayLiteral("http://127.0.0.1:9/o?a=1") << QByteArrayList{"abc"};
    QTest::addRow("SigV2")
        << QByteArrayLiteral("https://s3.example.com/b/o?AWSAccessKeyId=AKIA&Expires=1700000000"
                             "&Signature=vjbyPxybd%2BZ%3D&x-amz-security-token=tok2")
        << QByteArrayLiteral("https://s3.example.com/b/o?AWSAccessKeyId=AKIA&Expires=1700000000")
        << QByteArrayList{"vjbyPxybd%2BZ%3D", "tok2"};
    QTest::addRow("only secrets") << QByteArrayLiteral("http://127.0.0.1:9/o?X-Amz-Signature=abc&X-Amz-Security-Token=tok9")
                                  << QByteArrayLiteral("http://127.0.0.1:9/o?") << QByteArrayList{"abc", "tok9"};
    QTest::addRow("empty pairs") << QByteArrayLiteral("http://127.0.0.1:9/o?&a=1&&X-Amz-Signature=abc&")
                                 << QByteArrayLiteral("http://127.0.0.1:9/o?&a=1&&") << QByteArrayList{"abc"};
    QTest::addRow("fragment") << QByteArrayLiteral("http://127.0.0.1:9/o?X-Amz-Signature=abc&a=1#frag?x=1")
                              << QByteArrayLiteral("http://127.0.0.1:9/o?a=1#frag?x=1") << QByteArrayList{"abc"};
    QTest::addRow("name without value") << QByteArrayLiteral("http://127.0.0.1:9/o?a=1&X-Amz-Signature")
                                        << QByteArrayLiteral("http://127.0.0.1:9/o?a=1") << QByteArrayList();
}

void tst_JournalUrlSecrets::splitAndJoin()
{
    QFETCH(QByteArray, url);
    QFETCH(QByteArray, expectedStripped);
    QFETCH(QByteArrayList, secretValues);
    const QList<PartUrl> urls{PartUrl{1, QByteArrayLiteral("http://127.0.0.1:9/first?X-Amz-Signature=first")},
                              PartUrl{2, url}};

    const JournalUrlSecrets::Split split = JournalUrlSecrets::split(urls);
    QCOMPARE(split.urls.size(), 2);
    QCOMPARE(split.urls.at(0).url, QByteArrayLiteral("http://127.0.0.1:9/first?"));
    QCOMPARE(split.urls.at(1).partNumber, 2);
    QCOMPARE(split.urls.at(1).url, expectedStripped);
    for (const QByteArray &value : secretValues) {
        QVERIFY2(!split.urls.at(1).url.contains(value), value.constData());
        QVERIFY2(split.secrets.contains(value), value.constData());
    }

    const std::optional<QList<PartUrl>> joined = JournalUrlSecrets::join(split.urls, split.secrets);
    QVERIFY(joined.has_value());
    QCOMPARE(joined->size(), 2);
    QCOMPARE(joined->at(0).url, urls.at(0).url);
    QCOMPARE(joined->at(1).partNumber, 2);
    QCOMPARE(joined->at(1).url, url);
}

void tst_JournalUrlSecrets::urlsWithoutSecretsUnchanged()
{
    const QList<PartUrl> urls{PartUrl{1, QByteArrayLiteral("http://127.0.0.1:9/o?partNumber=1&X-Amz-Credential=AKIA")},
                              PartUrl{2, QByteArrayLiteral("http://127.0.0.1:9/o")}};
    const JournalUrlSecrets::Split split = JournalUrlSecrets::split(urls);
    QVERIFY(split.secrets.isEmpty());
    QCOMPARE(split.urls.at(0).url, urls.at(0).url);
    QCOMPARE(split.urls.at(1).url, urls.at(1).url);
}

void tst_JournalUrlSecrets::joinRejectsOtherUrls_data()
{
    QTest::addColumn<QByteArray>("storedUrl");
    QTest::addColumn<int>("storedPartNumber");
    QTest::addRow("pair added") << QByteArrayLiteral("http://127.0.0.1:9/o?a=1&b=2&c=3") << 1;
    QTest::addRow("pair dropped") << QByteArrayLiteral("http://127.0.0.1:9/o?a=1") << 1;
    QTest::addRow("query dropped") << QByteArrayLiteral("http://127.0.0.1:9/o") << 1;
    QTest::addRow("other part") << QByteArrayLiteral("http://127.0.0.1:9/o?a=1&b=2") << 2;
}

void tst_JournalUrlSecrets::joinRejectsOtherUrls()
{
    QFETCH(QByteArray, storedUrl);
    QFETCH(int, storedPartNumber);
    const JournalUrlSecrets::Split split = JournalUrlSecrets::split(
        {PartUrl{1, QByteArrayLiteral("http://127.0.0.1:9/o?a=1&X-Amz-Signature=abc&b=2")}});
    QCOMPARE(split.urls.at(0).url, QByteArrayLiteral("http://127.0.0.1:9/o?a=1&b=2"));

    QVERIFY(!JournalUrlSecrets::join({PartUrl{storedPartNumber, storedUrl}}, split.secrets).has_value());
    QVERIFY(!JournalUrlSecrets::join(split.urls, QByteArrayLiteral("not JSON")).has_value());
}

QTEST_GUILESS_MAIN(tst_JournalUrlSecrets)
#include "tst_journalurlsecrets.moc"
