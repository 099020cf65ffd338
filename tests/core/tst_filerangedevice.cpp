#include "filerangedevice.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

using tenovos::FileRangeDevice;

class tst_FileRangeDevice : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();

    void readsRange_data();
    void readsRange();
    void isRandomAccess();
    void seekAndReset();
    void readFillsCallerBuffer();
    void atEndAfterRange();
    void openFailsWhenFileTooShort();
    void openFailsForMissingFile();
    void openRejectsWriting();

private:
    QTemporaryDir m_dir;
    QString m_path;
    QByteArray m_content;
};

void tst_FileRangeDevice::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_path = m_dir.filePath(QStringLiteral("source.bin"));
    // 3 MiB + 7 bytes of a repeating pattern that differs at every offset
    // within 251 bytes, so a shifted read is noticed.
    m_content.resize(3 * 1024 * 1024 + 7);
    for (qsizetype i = 0; i < m_content.size(); ++i)
        m_content[i] = char(i % 251);
    QFile file(m_path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    QCOMPARE(file.write(m_content), m_content.size());
}

void tst_FileRangeDevice::readsRange_data()
{
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("length");

    const qint64 size = m_content.size();
    QTest::addRow("whole file") << qint64(0) << size;
    QTest::addRow("first byte") << qint64(0) << qint64(1);
    QTest::addRow("middle") << qint64(1000) << qint64(2 * 1024 * 1024);
    QTest::addRow("last byte") << size - 1 << qint64(1);
    QTest::addRow("tail") << qint64(1024 * 1024) << size - 1024 * 1024;
    QTest::addRow("empty at start") << qint64(0) << qint64(0);
    QTest::addRow("empty at end") << size << qint64(0);
}

void tst_FileRangeDevice::readsRange()
{
    QFETCH(qint64, offset);
    QFETCH(qint64, length);

    FileRangeDevice device(m_path, offset, length);
    QVERIFY2(device.open(QIODevice::ReadOnly), qPrintable(device.errorString()));
    QCOMPARE(device.size(), length);

    const QByteArray read = device.readAll();
    QCOMPARE(read.size(), length);
    QVERIFY(read == m_content.mid(offset, length));
}

void tst_FileRangeDevice::isRandomAccess()
{
    FileRangeDevice device(m_path, 10, 100);
    QVERIFY(device.open(QIODevice::ReadOnly));
    QVERIFY(!device.isSequential());
}

void tst_FileRangeDevice::seekAndReset()
{
    const qint64 offset = 4096;
    FileRangeDevice device(m_path, offset, 1024 * 1024);
    QVERIFY(device.open(QIODevice::ReadOnly));

    QCOMPARE(device.read(100), m_content.mid(offset, 100));
    QVERIFY(device.seek(5000));
    QCOMPARE(device.pos(), qint64(5000));
    QCOMPARE(device.read(10), m_content.mid(offset + 5000, 10));

    // QNetworkAccessManager rewinds the body when it sends it again.
    QVERIFY(device.reset());
    QCOMPARE(device.pos(), qint64(0));
    QCOMPARE(device.read(10), m_content.mid(offset, 10));

    QVERIFY(!device.seek(-1));
    QVERIFY(!device.seek(device.size() + 1));
}

void tst_FileRangeDevice::readFillsCallerBuffer()
{
    const qint64 offset = 77;
    FileRangeDevice device(m_path, offset, 2 * 1024 * 1024);
    QVERIFY(device.open(QIODevice::ReadOnly));
    QByteArray buffer(256 * 1024, Qt::Uninitialized);
    QCOMPARE(device.read(buffer.data(), buffer.size()), qint64(buffer.size()));
    QVERIFY(buffer == m_content.mid(offset, buffer.size()));
    QCOMPARE(device.pos(), qint64(buffer.size()));
}

void tst_FileRangeDevice::atEndAfterRange()
{
    FileRangeDevice device(m_path, 100, 50);
    QVERIFY(device.open(QIODevice::ReadOnly));
    QVERIFY(!device.atEnd());
    QCOMPARE(device.read(1000).size(), 50);
    QVERIFY(device.atEnd());
    QCOMPARE(device.read(10).size(), 0);
}

void tst_FileRangeDevice::openFailsWhenFileTooShort()
{
    FileRangeDevice device(m_path, m_content.size() - 10, 11);
    QVERIFY(!device.open(QIODevice::ReadOnly));
    QVERIFY(device.errorString().contains(QStringLiteral("shorter")));
    QVERIFY(!device.isOpen());
}

void tst_FileRangeDevice::openFailsForMissingFile()
{
    FileRangeDevice device(m_dir.filePath(QStringLiteral("missing.bin")), 0, 1);
    QVERIFY(!device.open(QIODevice::ReadOnly));
    QVERIFY(!device.errorString().isEmpty());
}

void tst_FileRangeDevice::openRejectsWriting()
{
    FileRangeDevice device(m_path, 0, 10);
    QVERIFY(!device.open(QIODevice::ReadWrite));
    QVERIFY(!device.isOpen());
    QCOMPARE(QFileInfo(m_path).size(), m_content.size());
}

QTEST_GUILESS_MAIN(tst_FileRangeDevice)
#include "tst_filerangedevice.moc"
