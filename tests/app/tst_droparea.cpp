// Drops on DropArea: files, folder trees, mixes, URLs that are not local
// files and symbolic link loops. Folders are expanded in a worker thread, so
// each case waits for filesDropped().

#include "droparea.h"

#include <QApplication>
#include <QDir>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QMimeData>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

using tenovos::CollectedFileList;
using tenovos::DropArea;

namespace {

// Relative paths of the collected files, sorted.
QStringList relativePaths(const CollectedFileList &files, const QDir &root)
{
    QStringList paths;
    for (const auto &file : files)
        paths.append(root.relativeFilePath(file.path));
    paths.sort();
    return paths;
}

QList<QUrl> fileUrls(const QDir &root, const QStringList &relative)
{
    QList<QUrl> urls;
    for (const QString &path : relative)
        urls.append(QUrl::fromLocalFile(root.filePath(path)));
    return urls;
}

} // namespace

class tst_DropArea : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();

    void dropLocalPaths_data();
    void dropLocalPaths();
    void dropReportsSizes();
    void dropEventExpands();
    void dragEnterNeedsUrls();
    void nonLocalUrlRejected();
    void nonLocalUrlBesideFiles();
    void symlinkLoopTerminates();

private:
    void createFile(const QString &relativePath, const QByteArray &content = QByteArrayLiteral("content"));

    std::unique_ptr<QTemporaryDir> m_dir;
};

void tst_DropArea::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void tst_DropArea::createFile(const QString &relativePath, const QByteArray &content)
{
    const QString path = m_dir->filePath(relativePath);
    QVERIFY(QDir().mkpath(QFileInfo(path).absolutePath()));
    QFile file(path);
    QVERIFY2(file.open(QIODevice::WriteOnly), qPrintable(file.errorString()));
    QCOMPARE(file.write(content), content.size());
}

void tst_DropArea::dropLocalPaths_data()
{
    QTest::addColumn<QStringList>("created");
    QTest::addColumn<QStringList>("dropped");
    QTest::addColumn<QStringList>("expected");

    QTest::addRow("files") << QStringList{QStringLiteral("a.jpg"), QStringLiteral("b.mov")}
                           << QStringList{QStringLiteral("a.jpg"), QStringLiteral("b.mov")}
                           << QStringList{QStringLiteral("a.jpg"), QStringLiteral("b.mov")};
    QTest::addRow("folder tree, hidden skipped")
        << QStringList{QStringLiteral("tree/one.png"), QStringLiteral("tree/sub/two.pdf"),
                       QStringLiteral("tree/sub/deeper/three.txt"), QStringLiteral("tree/.hidden.txt"),
                       QStringLiteral("tree/.git/config"), QStringLiteral("tree/sub/.DS_Store")}
        << QStringList{QStringLiteral("tree")}
        << QStringList{QStringLiteral("tree/one.png"), QStringLiteral("tree/sub/deeper/three.txt"),
                       QStringLiteral("tree/sub/two.pdf")};
    QTest::addRow("files and folders mixed")
        << QStringList{QStringLiteral("single.doc"), QStringLiteral("folder/inner.xls"),
                       QStringLiteral("folder/nested/more.ppt")}
        << QStringList{QStringLiteral("single.doc"), QStringLiteral("folder")}
        << QStringList{QStringLiteral("folder/inner.xls"), QStringLiteral("folder/nested/more.ppt"),
                       QStringLiteral("single.doc")};
    QTest::addRow("same file twice") << QStringList{QStringLiteral("twice.jpg")}
                                     << QStringList{QStringLiteral("twice.jpg"), QStringLiteral("twice.jpg")}
                                     << QStringList{QStringLiteral("twice.jpg")};
    QTest::addRow("empty folder") << QStringList{QStringLiteral("empty/.keep")} << QStringList{QStringLiteral("empty")}
                                  << QStringList{};
}

void tst_DropArea::dropLocalPaths()
{
    QFETCH(QStringList, created);
    QFETCH(QStringList, dropped);
    QFETCH(QStringList, expected);
    for (const QString &path : created)
        createFile(path);

    DropArea area;
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QSignalSpy rejectedSpy(&area, &DropArea::dropRejected);
    QMimeData mime;
    mime.setUrls(fileUrls(QDir(m_dir->path()), dropped));

    QVERIFY(area.handleDrop(&mime));
    QVERIFY(droppedSpy.wait(10000));
    const auto files = droppedSpy.at(0).at(0).value<CollectedFileList>();
    QCOMPARE(relativePaths(files, QDir(m_dir->path())), expected);
    QVERIFY(droppedSpy.at(0).at(1).toStringList().isEmpty());
    QCOMPARE(rejectedSpy.count(), 0);
}

void tst_DropArea::dropReportsSizes()
{
    createFile(QStringLiteral("sized.bin"), QByteArray(12345, 'x'));
    DropArea area;
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QMimeData mime;
    mime.setUrls(fileUrls(QDir(m_dir->path()), {QStringLiteral("sized.bin")}));

    QVERIFY(area.handleDrop(&mime));
    QVERIFY(droppedSpy.wait(10000));
    const auto files = droppedSpy.at(0).at(0).value<CollectedFileList>();
    QCOMPARE(files.size(), 1);
    QCOMPARE(files.at(0).size, qint64(12345));
}

void tst_DropArea::dropEventExpands()
{
    createFile(QStringLiteral("events/a.txt"));
    createFile(QStringLiteral("events/b.txt"));
    DropArea area;
    area.resize(300, 200);
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QMimeData mime;
    mime.setUrls(fileUrls(QDir(m_dir->path()), {QStringLiteral("events")}));

    // As a file manager's drag does it: enter, then drop.
    QDragEnterEvent enter(QPoint(150, 100), Qt::CopyAction | Qt::MoveAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&area, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(QPointF(150, 100), Qt::CopyAction | Qt::MoveAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(&area, &drop);

    QVERIFY(drop.isAccepted());
    QCOMPARE(drop.dropAction(), Qt::CopyAction);
    QVERIFY(droppedSpy.wait(10000));
    QCOMPARE(relativePaths(droppedSpy.at(0).at(0).value<CollectedFileList>(), QDir(m_dir->path())),
             (QStringList{QStringLiteral("events/a.txt"), QStringLiteral("events/b.txt")}));
}

void tst_DropArea::dragEnterNeedsUrls()
{
    DropArea area;
    area.resize(300, 200);

    QMimeData withUrls;
    withUrls.setUrls({QUrl::fromLocalFile(m_dir->filePath(QStringLiteral("any.txt")))});
    QDragEnterEvent enterWithUrls(QPoint(10, 10), Qt::CopyAction, &withUrls, Qt::LeftButton, Qt::NoModifier);
    enterWithUrls.setAccepted(false);
    QApplication::sendEvent(&area, &enterWithUrls);
    QVERIFY(enterWithUrls.isAccepted());

    QMimeData textOnly;
    textOnly.setText(QStringLiteral("just text"));
    QDragEnterEvent enterWithText(QPoint(10, 10), Qt::CopyAction, &textOnly, Qt::LeftButton, Qt::NoModifier);
    enterWithText.setAccepted(false);
    QApplication::sendEvent(&area, &enterWithText);
    QVERIFY(!enterWithText.isAccepted());
}

void tst_DropArea::nonLocalUrlRejected()
{
    DropArea area;
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QSignalSpy rejectedSpy(&area, &DropArea::dropRejected);
    QMimeData mime;
    // Never fetched: the drop area only looks at the scheme.
    mime.setUrls({QUrl(QStringLiteral("http://127.0.0.1/campaign/poster.jpg?token=secret"))});

    QVERIFY(!area.handleDrop(&mime));
    QCOMPARE(rejectedSpy.count(), 1);
    const QString message = rejectedSpy.at(0).at(0).toString();
    QVERIFY2(message.contains(QStringLiteral("http://127.0.0.1/campaign/poster.jpg")), qPrintable(message));
    QVERIFY2(!message.contains(QStringLiteral("secret")), qPrintable(message));
    QCOMPARE(area.expander()->pendingCount(), 0);
    QCOMPARE(droppedSpy.count(), 0);
}

void tst_DropArea::nonLocalUrlBesideFiles()
{
    createFile(QStringLiteral("local.png"));
    DropArea area;
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QSignalSpy rejectedSpy(&area, &DropArea::dropRejected);
    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(m_dir->filePath(QStringLiteral("local.png"))),
                  QUrl(QStringLiteral("https://127.0.0.1/remote.png"))});

    QVERIFY(area.handleDrop(&mime));
    QCOMPARE(rejectedSpy.count(), 1);
    QVERIFY(rejectedSpy.at(0).at(0).toString().contains(QStringLiteral("https://127.0.0.1/remote.png")));
    QVERIFY(droppedSpy.wait(10000));
    QCOMPARE(relativePaths(droppedSpy.at(0).at(0).value<CollectedFileList>(), QDir(m_dir->path())),
             QStringList{QStringLiteral("local.png")});
}

void tst_DropArea::symlinkLoopTerminates()
{
#if defined(Q_OS_WIN)
    QSKIP("Creating symbolic links to folders needs extra rights on Windows.");
#else
    createFile(QStringLiteral("loop/file.txt"));
    createFile(QStringLiteral("loop/sub/inner.txt"));
    // loop/sub/back points at loop, and loop/sub/self at loop/sub.
    QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("loop")), m_dir->filePath(QStringLiteral("loop/sub/back"))));
    QVERIFY(QFile::link(m_dir->filePath(QStringLiteral("loop/sub")), m_dir->filePath(QStringLiteral("loop/sub/self"))));

    DropArea area;
    QSignalSpy droppedSpy(&area, &DropArea::filesDropped);
    QMimeData mime;
    mime.setUrls(fileUrls(QDir(m_dir->path()), {QStringLiteral("loop")}));

    QVERIFY(area.handleDrop(&mime));
    QVERIFY(droppedSpy.wait(10000));
    QCOMPARE(relativePaths(droppedSpy.at(0).at(0).value<CollectedFileList>(), QDir(m_dir->path())),
             (QStringList{QStringLiteral("loop/file.txt"), QStringLiteral("loop/sub/inner.txt")}));
#endif
}

QTEST_MAIN(tst_DropArea)

#include "tst_droparea.moc"
