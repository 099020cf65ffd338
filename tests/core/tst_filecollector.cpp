// FileCollector on real folders: symbolic links to files in the set, to
// files outside it, broken links, link loops and links to folders.

#include "filecollector.h"

#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#ifdef Q_OS_UNIX
#include <unistd.h>
#endif

using tenovos::FileCollector;

class tst_FileCollector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void symbolicLinks_data();
    void symbolicLinks();
};

void tst_FileCollector::symbolicLinks_data()
{
    QTest::addColumn<QStringList>("files");            // created under "set/" or "outside/"
    QTest::addColumn<QStringList>("links");            // "LINK=TARGET", relative to the root
    QTest::addColumn<QStringList>("expectedFiles");    // relative to the root, in order
    QTest::addColumn<QStringList>("expectedWarnings"); // one per warning: texts it must contain, separated by "|"

    QTest::addRow("link and its target in the set")
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/link-to-visible.txt=visible.txt")}
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/link-to-visible.txt|set/visible.txt")};
    QTest::addRow("link sorted after its target")
        << QStringList{QStringLiteral("set/a.txt")}
        << QStringList{QStringLiteral("set/z-link.txt=a.txt")}
        << QStringList{QStringLiteral("set/a.txt")}
        << QStringList{QStringLiteral("set/z-link.txt|set/a.txt")};
    QTest::addRow("link to a file outside the set")
        << QStringList{QStringLiteral("set/own.txt"), QStringLiteral("outside/other.txt")}
        << QStringList{QStringLiteral("set/link.txt=../outside/other.txt")}
        << QStringList{QStringLiteral("set/link.txt"), QStringLiteral("set/own.txt")}
        << QStringList();
    QTest::addRow("two links to a file outside the set")
        << QStringList{QStringLiteral("outside/other.txt")}
        << QStringList{QStringLiteral("set/a-link.txt=../outside/other.txt"),
                       QStringLiteral("set/b-link.txt=../outside/other.txt")}
        << QStringList{QStringLiteral("set/a-link.txt")}
        << QStringList{QStringLiteral("set/b-link.txt|set/a-link.txt")};
    QTest::addRow("broken link")
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/broken.txt=missing.txt")}
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/broken.txt|missing.txt|does not exist")};
    QTest::addRow("link loop")
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/loop-a=loop-b"), QStringLiteral("set/loop-b=loop-a")}
        << QStringList{QStringLiteral("set/visible.txt")}
        << QStringList{QStringLiteral("set/loop-a|loop"), QStringLiteral("set/loop-b|loop")};
    QTest::addRow("link to a folder in the set")
        << QStringList{QStringLiteral("set/real/inner.txt")}
        << QStringList{QStringLiteral("set/a-linked=real")}
        << QStringList{QStringLiteral("set/real/inner.txt")}
        << QStringList{QStringLiteral("set/a-linked|searched already")};
}

void tst_FileCollector::symbolicLinks()
{
#ifndef Q_OS_UNIX
    QSKIP("Creates symbolic links, which need extra rights on Windows.");
#else
    QFETCH(QStringList, files);
    QFETCH(QStringList, links);
    QFETCH(QStringList, expectedFiles);
    QFETCH(QStringList, expectedWarnings);

    QTemporaryDir root;
    QVERIFY(root.isValid());
    const QDir rootDir(root.path());
    QVERIFY(rootDir.mkpath(QStringLiteral("set")));
    for (const QString &file : std::as_const(files)) {
        QVERIFY(rootDir.mkpath(QFileInfo(file).path()));
        QFile out(rootDir.filePath(file));
        QVERIFY(out.open(QIODevice::WriteOnly));
        QVERIFY(out.write(file.toUtf8()) > 0);
    }
    for (const QString &link : std::as_const(links)) {
        const QStringList parts = link.split(QLatin1Char('='));
        // QFile::link() makes relative targets absolute, so symlink(2) keeps
        // the relative target that a user's `ln -s` would store.
        QCOMPARE(::symlink(QFile::encodeName(parts.at(1)).constData(),
                           QFile::encodeName(rootDir.filePath(parts.at(0))).constData()),
                 0);
    }

    QStringList warnings;
    const QStringList collected =
        FileCollector::collect({rootDir.filePath(QStringLiteral("set"))}, &warnings);

    QStringList relative;
    for (const QString &path : collected)
        relative.append(rootDir.relativeFilePath(path));
    QCOMPARE(relative, expectedFiles);

    QCOMPARE(warnings.size(), expectedWarnings.size());
    for (const QString &expected : std::as_const(expectedWarnings)) {
        const QStringList words = expected.split(QLatin1Char('|'));
        bool found = false;
        for (const QString &warning : std::as_const(warnings)) {
            bool all = true;
            for (const QString &word : words)
                all = all && warning.contains(word);
            found = found || all;
        }
        QVERIFY2(found, qPrintable(expected + QStringLiteral(" not in: ")
                                   + warnings.join(QLatin1Char('\n'))));
    }
#endif
}

QTEST_GUILESS_MAIN(tst_FileCollector)
#include "tst_filecollector.moc"
