// JournalSealer: sealing and opening round trips, the output of a fixed key
// and nonce against a reference computation, and rejection of a wrong key,
// other associated data and every kind of changed or cut input.

#include "journalsealer.h"

#include <QtTest>

using tenovos::JournalSealer;

namespace {

QByteArray testKey(char first)
{
    QByteArray key(JournalSealer::kKeySize, Qt::Uninitialized);
    for (int i = 0; i < key.size(); ++i)
        key[i] = char(first + i);
    return key;
}

} // namespace

class tst_JournalSealer : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip_data();
    void roundTrip();
    void matchesReferenceOutput();
    void freshNonceEachSeal();
    void ciphertextHidesPlaintext();
    void wrongKeyFails();
    void otherAssociatedDataFails();
    void changedByteFails_data();
    void changedByteFails();
    void truncatedFails();
    void invalidKeySizeRejected_data();
    void invalidKeySizeRejected();
    void generatedKeysDiffer();
};

void tst_JournalSealer::roundTrip_data()
{
    QTest::addColumn<int>("size");
    QTest::addColumn<QByteArray>("associatedData");
    // Sizes around the 32-byte keystream block.
    for (int size : {0, 1, 31, 32, 33, 64, 4097}) {
        QTest::addRow("%d bytes", size) << size << QByteArray();
        QTest::addRow("%d bytes with associated data", size) << size << QByteArrayLiteral("file-1");
    }
}

void tst_JournalSealer::roundTrip()
{
    QFETCH(int, size);
    QFETCH(QByteArray, associatedData);
    QByteArray plaintext(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        plaintext[i] = char(i * 7 + 3);

    const JournalSealer sealer(testKey(1));
    QVERIFY(sealer.isValid());
    const QByteArray sealed = sealer.seal(plaintext, associatedData);
    QCOMPARE(sealed.size(), 1 + JournalSealer::kNonceSize + size + JournalSealer::kTagSize);

    const std::optional<QByteArray> opened = sealer.open(sealed, associatedData);
    QVERIFY(opened.has_value());
    QCOMPARE(*opened, plaintext);
}

void tst_JournalSealer::matchesReferenceOutput()
{
    // Computed with Python's hmac and hashlib modules from the construction
    // described in journalsealer.h, with key bytes 0x00..0x1f and nonce
    // bytes 0xa0..0xaf. An 85-byte plaintext spans three keystream blocks.
    QByteArray key(JournalSealer::kKeySize, Qt::Uninitialized);
    for (int i = 0; i < key.size(); ++i)
        key[i] = char(i);
    QByteArray nonce(JournalSealer::kNonceSize, Qt::Uninitialized);
    for (int i = 0; i < nonce.size(); ++i)
        nonce[i] = char(0xa0 + i);
    const QByteArray plaintext = QByteArrayLiteral(
        "X-Amz-Signature=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef&more");
    QCOMPARE(plaintext.size(), 85);
    const QByteArray expected = QByteArray::fromHex(
        "01a0a1a2a3a4a5a6a7a8a9aaabacadaeafc18b2c60a6bfba4124df54df4ddfd9c451093825404b0939bad78cfd9f90"
        "1c4d23ec17cf7c5088442ecef73614f55bd64d14bb4cfbf28cef36122e1a1fc1a7fa16f51e4601f1f81a49702ca608"
        "bb59bc4773b4b503479a76a4ea6d41b88af5e34eec3fffe1e7ebd21e049cc9d7bda699d4b4acf85c");

    const JournalSealer sealer(key);
    QCOMPARE(sealer.sealWithNonce(plaintext, QByteArrayLiteral("file-1"), nonce).toHex(), expected.toHex());
    QCOMPARE(sealer.open(expected, QByteArrayLiteral("file-1")).value_or(QByteArray()), plaintext);
}

void tst_JournalSealer::freshNonceEachSeal()
{
    const JournalSealer sealer(testKey(1));
    const QByteArray plaintext = QByteArrayLiteral("X-Amz-Security-Token=FQoGZXIvYXdzE");
    const QByteArray first = sealer.seal(plaintext);
    const QByteArray second = sealer.seal(plaintext);
    QVERIFY(first.mid(1, JournalSealer::kNonceSize) != second.mid(1, JournalSealer::kNonceSize));
    QVERIFY(first != second);
    QCOMPARE(sealer.open(first).value_or(QByteArray()), plaintext);
    QCOMPARE(sealer.open(second).value_or(QByteArray()), plaintext);
}

void tst_JournalSealer::ciphertextHidesPlaintext()
{
    const JournalSealer sealer(testKey(1));
    const QByteArray plaintext(200, 'A');
    const QByteArray sealed = sealer.seal(plaintext);
    QVERIFY(!sealed.contains(QByteArray(8, 'A')));
}

void tst_JournalSealer::wrongKeyFails()
{
    const QByteArray sealed = JournalSealer(testKey(1)).seal(QByteArrayLiteral("secret"));
    QVERIFY(!JournalSealer(testKey(2)).open(sealed).has_value());
}

void tst_JournalSealer::otherAssociatedDataFails()
{
    const JournalSealer sealer(testKey(1));
    const QByteArray sealed = sealer.seal(QByteArrayLiteral("secret"), QByteArrayLiteral("file-1"));
    QVERIFY(!sealer.open(sealed, QByteArrayLiteral("file-2")).has_value());
    QVERIFY(!sealer.open(sealed).has_value());
}

void tst_JournalSealer::changedByteFails_data()
{
    QTest::addColumn<int>("offset");
    const int ciphertextStart = 1 + JournalSealer::kNonceSize;
    const int size = ciphertextStart + 40 + JournalSealer::kTagSize;
    QTest::addRow("version") << 0;
    QTest::addRow("nonce") << 1;
    QTest::addRow("first ciphertext byte") << ciphertextStart;
    QTest::addRow("last ciphertext byte") << ciphertextStart + 39;
    QTest::addRow("first tag byte") << size - JournalSealer::kTagSize;
    QTest::addRow("last tag byte") << size - 1;
}

void tst_JournalSealer::changedByteFails()
{
    QFETCH(int, offset);
    const JournalSealer sealer(testKey(1));
    QByteArray sealed = sealer.seal(QByteArray(40, 's'), QByteArrayLiteral("file-1"));
    QVERIFY(sealer.open(sealed, QByteArrayLiteral("file-1")).has_value());
    sealed[offset] = char(sealed.at(offset) ^ 0x01);
    QVERIFY(!sealer.open(sealed, QByteArrayLiteral("file-1")).has_value());
}

void tst_JournalSealer::truncatedFails()
{
    const JournalSealer sealer(testKey(1));
    const QByteArray sealed = sealer.seal(QByteArray(40, 's'));
    QVERIFY(!sealer.open(sealed.chopped(1)).has_value());
    QVERIFY(!sealer.open(sealed.left(1 + JournalSealer::kNonceSize + JournalSealer::kTagSize - 1)).has_value());
    QVERIFY(!sealer.open(QByteArray()).has_value());
}

void tst_JournalSealer::invalidKeySizeRejected_data()
{
    QTest::addColumn<int>("size");
    QTest::addRow("empty") << 0;
    QTest::addRow("16 bytes") << 16;
    QTest::addRow("33 bytes") << 33;
}

void tst_JournalSealer::invalidKeySizeRejected()
{
    QFETCH(int, size);
    const JournalSealer sealer(QByteArray(size, 'k'));
    QVERIFY(!sealer.isValid());
    QVERIFY(sealer.seal(QByteArrayLiteral("secret")).isEmpty());
    const QByteArray sealedElsewhere = JournalSealer(testKey(1)).seal(QByteArrayLiteral("secret"));
    QVERIFY(!sealer.open(sealedElsewhere).has_value());
}

void tst_JournalSealer::generatedKeysDiffer()
{
    const QByteArray first = JournalSealer::generateKey();
    const QByteArray second = JournalSealer::generateKey();
    QCOMPARE(first.size(), JournalSealer::kKeySize);
    QCOMPARE(second.size(), JournalSealer::kKeySize);
    QVERIFY(first != second);
}

QTEST_GUILESS_MAIN(tst_JournalSealer)
#include "tst_journalsealer.moc"
