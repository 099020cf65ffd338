// QueueModel: rows for many files, states and progress as the engine
// reports them, parts, removal, and the coalescing of updates into one
// dataChanged() per run of rows per flush. Also the checks PathExpander
// makes when files are added, and rows for files that cannot be uploaded.

#include "displayformat.h"
#include "mainwindow.h"
#include "partsmodel.h"
#include "pathexpander.h"
#include "progressdelegate.h"
#include "queuemodel.h"
#include "uploadtask.h"

#include <QDir>
#include <QFile>
#include <QImage>
#include <QSignalSpy>
#include <QTableView>
#include <QTemporaryDir>
#include <QTest>

#ifdef Q_OS_UNIX
#include <sys/stat.h>
#include <unistd.h>
#endif

using tenovos::ApiError;
using tenovos::CollectedFile;
using tenovos::CollectedFileList;
using tenovos::FileProblem;
using tenovos::PathExpander;
using tenovos::PartState;
using tenovos::PartsModel;
using tenovos::QueueModel;
using tenovos::TaskState;
using tenovos::UploadResult;
using Status = tenovos::QueueModel::Status;

namespace {

CollectedFileList makeFiles(int count, qint64 size = 1000)
{
    CollectedFileList files;
    files.reserve(count);
    for (int index = 0; index < count; ++index)
        files.append({QStringLiteral("/uploads/file-%1.jpg").arg(index, 5, 10, QLatin1Char('0')), size});
    return files;
}

QString text(const QueueModel &model, int row, int column, int role = Qt::DisplayRole)
{
    return model.data(model.index(row, column), role).toString();
}

} // namespace

class tst_QueueModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void manyFilesInOneInsert();
    void duplicateFileSkipped();
    void finishedFileCanBeAddedAgain();
    void stateAndProgress_data();
    void stateAndProgress();
    void failureShowsMessages();
    void waitingForServerShown();
    void updatesCoalescedPerFlush();
    void noUpdateNoDataChanged();
    void partsPlannedAndProgress();
    void retryResetsProgress();
    void removeKeepsLookupConsistent();
    void summaryCountsStates();
    void inspectFindsProblem_data();
    void inspectFindsProblem();
    void collectMarksTooLargeFile();
    void problemFileNotUploadable();
    void problemFileAddedAgainAfterFix();
    void retryDisabledForTooLarge();
    void selectedProgressTextReadable();
    void durationText_data();
    void durationText();
};

void tst_QueueModel::manyFilesInOneInsert()
{
    QueueModel model;
    QSignalSpy inserted(&model, &QueueModel::rowsInserted);

    const QStringList ids = model.addFiles(makeFiles(10000));

    QCOMPARE(ids.size(), 10000);
    QCOMPARE(model.rowCount(), 10000);
    QCOMPARE(inserted.count(), 1);
    QCOMPARE(text(model, 0, QueueModel::FileColumn), QStringLiteral("file-00000.jpg"));
    QCOMPARE(text(model, 9999, QueueModel::FileColumn), QStringLiteral("file-09999.jpg"));
    QCOMPARE(text(model, 9999, QueueModel::StateColumn), QueueModel::statusText(Status::Ready));
    QCOMPARE(model.rowOf(ids.at(5000)), 5000);
    QCOMPARE(model.data(model.index(5000, 0), QueueModel::TaskIdRole).toString(), ids.at(5000));
    QVERIFY(!model.data(model.index(0, QueueModel::ProgressColumn), QueueModel::ProgressRole).isValid());
}

void tst_QueueModel::duplicateFileSkipped()
{
    QueueModel model;
    model.addFiles(makeFiles(3));
    int duplicates = -1;

    const QStringList ids = model.addFiles(makeFiles(4), &duplicates);

    QCOMPARE(ids.size(), 1);
    QCOMPARE(duplicates, 3);
    QCOMPARE(model.rowCount(), 4);
}

void tst_QueueModel::finishedFileCanBeAddedAgain()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1));
    model.markSubmitted(ids);
    model.onTaskStateChanged(ids.at(0), TaskState::Done, ApiError());

    int duplicates = -1;
    const QStringList again = model.addFiles(makeFiles(1), &duplicates);

    QCOMPARE(again.size(), 1);
    QCOMPARE(duplicates, 0);
}

void tst_QueueModel::stateAndProgress_data()
{
    QTest::addColumn<TaskState>("state");
    QTest::addColumn<qint64>("sent");
    QTest::addColumn<int>("statusValue"); // QueueModel::Status
    QTest::addColumn<int>("permille");

    QTest::addRow("queued") << TaskState::Queued << qint64(0) << int(Status::Queued) << 0;
    QTest::addRow("creating") << TaskState::Creating << qint64(0) << int(Status::Creating) << 0;
    QTest::addRow("uploading half") << TaskState::Uploading << qint64(500) << int(Status::Uploading) << 500;
    QTest::addRow("completing") << TaskState::Completing << qint64(1000) << int(Status::Completing) << 1000;
    QTest::addRow("done") << TaskState::Done << qint64(1000) << int(Status::Done) << 1000;
    QTest::addRow("paused") << TaskState::Paused << qint64(250) << int(Status::Paused) << 250;
    QTest::addRow("cancelled") << TaskState::Cancelled << qint64(100) << int(Status::Cancelled) << 100;
}

void tst_QueueModel::stateAndProgress()
{
    QFETCH(TaskState, state);
    QFETCH(qint64, sent);
    QFETCH(int, statusValue);
    QFETCH(int, permille);
    const auto status = static_cast<Status>(statusValue);

    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1, 1000));
    model.markSubmitted(ids);
    model.onTaskProgress(ids.at(0), sent, 1000);
    model.onTaskStateChanged(ids.at(0), state, ApiError());
    model.flush();

    QCOMPARE(model.entry(0)->status, status);
    QCOMPARE(model.data(model.index(0, 0), QueueModel::StatusRole).toInt(), int(status));
    QCOMPARE(text(model, 0, QueueModel::StateColumn), QueueModel::statusText(status));
    QCOMPARE(model.data(model.index(0, QueueModel::ProgressColumn), QueueModel::ProgressRole).toInt(), permille);
    QCOMPARE(text(model, 0, QueueModel::ProgressColumn), QStringLiteral("%1 %").arg(permille / 10));
}

void tst_QueueModel::failureShowsMessages()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1));
    model.markSubmitted(ids);
    ApiError error(ApiError::Kind::Forbidden, QStringLiteral("You may not use security template X. Ask an administrator."));
    error.setServerMessage(QStringLiteral("Invalid Asset: Missing Security Template ID(s)"));
    error.setHttpStatus(403);

    model.onTaskStateChanged(ids.at(0), TaskState::Failed, error);

    QCOMPARE(model.entry(0)->status, Status::Failed);
    const QString state = text(model, 0, QueueModel::StateColumn);
    QVERIFY2(state.contains(QStringLiteral("You may not use security template X")), qPrintable(state));
    const QString tip = text(model, 0, QueueModel::StateColumn, Qt::ToolTipRole);
    QVERIFY2(tip.contains(QStringLiteral("Invalid Asset: Missing Security Template ID(s)")), qPrintable(tip));
}

void tst_QueueModel::waitingForServerShown()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1, 1000));
    model.markSubmitted(ids);
    model.onTaskStateChanged(ids.at(0), TaskState::Uploading, ApiError());
    const QDateTime nextAttempt = QDateTime::currentDateTimeUtc().addSecs(15);
    model.onTaskWaitingForServer(ids.at(0), nextAttempt);
    model.flush();

    const QString waiting = text(model, 0, QueueModel::StateColumn);
    QVERIFY2(waiting.contains(QStringLiteral("No connection")), qPrintable(waiting));
    QVERIFY2(waiting.contains(nextAttempt.toLocalTime().toString(QStringLiteral("HH:mm:ss"))), qPrintable(waiting));
    QCOMPARE(text(model, 0, QueueModel::SpeedColumn), QString());
    const QString tip = text(model, 0, QueueModel::StateColumn, Qt::ToolTipRole);
    QVERIFY2(tip.contains(QStringLiteral("The server does not respond")), qPrintable(tip));

    model.onTaskWaitingForServer(ids.at(0), QDateTime());
    model.flush();
    QCOMPARE(text(model, 0, QueueModel::StateColumn), QueueModel::statusText(Status::Uploading));
}

void tst_QueueModel::updatesCoalescedPerFlush()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(10000, 400 * 1024 * 1024));
    model.markSubmitted(ids);
    model.flush();
    QSignalSpy changed(&model, &QueueModel::dataChanged);
    QSignalSpy summaries(&model, &QueueModel::summaryChanged);

    // Four files at the top and one in the middle report like four parallel
    // parts would, thousands of times within one flush interval.
    const QList<int> rows{0, 1, 2, 3, 5000};
    for (const int row : rows) {
        model.onTaskStateChanged(ids.at(row), TaskState::Uploading, ApiError());
        model.onTaskPartsPlanned(ids.at(row), 4, 100 * 1024 * 1024);
    }
    for (int step = 1; step <= 1000; ++step) {
        for (const int row : rows) {
            for (int part = 1; part <= 4; ++part)
                model.onPartProgress(ids.at(row), part, step * 1024, 100 * 1024 * 1024);
            model.onTaskProgress(ids.at(row), step * 4096, 400 * 1024 * 1024);
        }
    }
    QCOMPARE(changed.count(), 0);

    QVERIFY(summaries.wait(1000));
    QCOMPARE(changed.count(), 2);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>().row(), 0);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>().row(), 3);
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>().column(), QueueModel::ColumnCount - 1);
    QCOMPARE(changed.at(1).at(0).value<QModelIndex>().row(), 5000);
    QCOMPARE(changed.at(1).at(1).value<QModelIndex>().row(), 5000);
    QCOMPARE(model.entry(5000)->sent, qint64(1000 * 4096));
}

void tst_QueueModel::noUpdateNoDataChanged()
{
    QueueModel model;
    model.addFiles(makeFiles(10));
    QSignalSpy changed(&model, &QueueModel::dataChanged);

    model.flush();
    model.onTaskProgress(QStringLiteral("no-such-id"), 10, 100);
    model.flush();

    QCOMPARE(changed.count(), 0);
}

void tst_QueueModel::partsPlannedAndProgress()
{
    constexpr qint64 mib = 1024 * 1024;
    QueueModel model;
    const QStringList ids = model.addFiles({{QStringLiteral("/uploads/video.mov"), 12 * mib}});
    model.markSubmitted(ids);
    PartsModel parts(&model);
    parts.setTaskId(ids.at(0));
    QSignalSpy reset(&parts, &PartsModel::modelReset);
    QSignalSpy partsChanged(&parts, &PartsModel::dataChanged);

    model.onTaskPartsPlanned(ids.at(0), 3, 5 * mib);
    model.flush();

    QCOMPARE(reset.count(), 1);
    QCOMPARE(parts.rowCount(), 3);
    QCOMPARE(model.entry(0)->parts.at(0).total, 5 * mib);
    QCOMPARE(model.entry(0)->parts.at(2).total, 2 * mib);
    QCOMPARE(parts.data(parts.index(2, PartsModel::SizeColumn)).toString(), tenovos::DisplayFormat::size(2 * mib));

    model.onPartStateChanged(ids.at(0), 2, PartState::Uploading);
    model.onPartProgress(ids.at(0), 2, mib, 5 * mib);
    model.onPartStateChanged(ids.at(0), 1, PartState::Done);
    model.flush();

    QCOMPARE(partsChanged.count(), 1);
    QCOMPARE(parts.data(parts.index(1, PartsModel::ProgressColumn), QueueModel::ProgressRole).toInt(), 200);
    QCOMPARE(parts.data(parts.index(0, PartsModel::ProgressColumn), QueueModel::ProgressRole).toInt(), 1000);
    QCOMPARE(parts.data(parts.index(1, PartsModel::StateColumn)).toString(), PartsModel::tr("Uploading"));
    QCOMPARE(parts.data(parts.index(0, PartsModel::PartColumn)).toInt(), 1);
}

void tst_QueueModel::retryResetsProgress()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1, 1000));
    model.markSubmitted(ids);
    model.onTaskPartsPlanned(ids.at(0), 1, 1000);
    model.onTaskProgress(ids.at(0), 600, 1000);
    ApiError error(ApiError::Kind::Network, QStringLiteral("The connection was lost."));
    model.onTaskStateChanged(ids.at(0), TaskState::Failed, error);

    model.onTaskStateChanged(ids.at(0), TaskState::Queued, ApiError());

    QCOMPARE(model.entry(0)->status, Status::Queued);
    QCOMPARE(model.entry(0)->sent, qint64(0));
    QVERIFY(model.entry(0)->parts.isEmpty());
    QVERIFY(!model.entry(0)->error.isError());
}

void tst_QueueModel::removeKeepsLookupConsistent()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1000));
    QSignalSpy removed(&model, &QueueModel::rowsRemoved);
    QStringList gone;
    for (int row = 0; row < 1000; row += 3)
        gone.append(ids.at(row));
    gone.append(ids.at(1)); // 0 and 1 form one run of rows

    model.removeIds(gone);

    QCOMPARE(model.rowCount(), 1000 - int(gone.size()));
    QCOMPARE(model.rowOf(ids.at(0)), -1);
    QCOMPARE(removed.count(), 334); // {0, 1} and each of 3, 6, ... 999
    for (int row = 0; row < model.rowCount(); ++row)
        QCOMPARE(model.rowOf(model.entry(row)->id), row);
    QCOMPARE(model.entryById(ids.at(2))->filePath, QStringLiteral("/uploads/file-00002.jpg"));
}

void tst_QueueModel::summaryCountsStates()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(5, 1000));
    model.markSubmitted(ids.mid(0, 4));
    model.onTaskStateChanged(ids.at(0), TaskState::Done, ApiError());
    model.onTaskStateChanged(ids.at(1), TaskState::Failed, ApiError(ApiError::Kind::Server, QStringLiteral("x")));
    model.onTaskStateChanged(ids.at(2), TaskState::Uploading, ApiError());
    model.onTaskProgress(ids.at(2), 300, 1000);
    model.onTaskStateChanged(ids.at(3), TaskState::Cancelled, ApiError());

    const QueueModel::Summary summary = model.summary();

    QCOMPARE(summary.rows, 5);
    QCOMPARE(summary.ready, 1);
    QCOMPARE(summary.done, 1);
    QCOMPARE(summary.failed, 1);
    QCOMPARE(summary.active, 1);
    QCOMPARE(summary.cancelled, 1);
    QCOMPARE(summary.bytesTotal, qint64(3000));
    // Done and failed rows count in full: nothing is left to do on them.
    QCOMPARE(summary.bytesSent, qint64(2300));
}

void tst_QueueModel::inspectFindsProblem_data()
{
    QTest::addColumn<QString>("kind");
    QTest::addColumn<int>("expected");

    QTest::addRow("regular") << QStringLiteral("regular") << int(FileProblem::None);
    QTest::addRow("exactly 5 GiB") << QStringLiteral("max") << int(FileProblem::None);
    QTest::addRow("over 5 GiB") << QStringLiteral("over") << int(FileProblem::TooLarge);
    QTest::addRow("missing") << QStringLiteral("missing") << int(FileProblem::Missing);
    QTest::addRow("folder") << QStringLiteral("folder") << int(FileProblem::NotRegular);
#ifdef Q_OS_UNIX
    QTest::addRow("fifo") << QStringLiteral("fifo") << int(FileProblem::NotRegular);
    QTest::addRow("unreadable") << QStringLiteral("unreadable") << int(FileProblem::Unreadable);
#endif
}

void tst_QueueModel::inspectFindsProblem()
{
    QFETCH(QString, kind);
    QFETCH(int, expected);

    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("item"));
    if (kind == QLatin1String("regular") || kind == QLatin1String("unreadable") || kind == QLatin1String("max")
        || kind == QLatin1String("over")) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write("data");
        // resize() makes a sparse file, so no 5 GiB are written.
        if (kind == QLatin1String("max"))
            QVERIFY(file.resize(tenovos::UploadTask::kMaxFileSize));
        if (kind == QLatin1String("over"))
            QVERIFY(file.resize(tenovos::UploadTask::kMaxFileSize + 1));
    } else if (kind == QLatin1String("folder")) {
        QVERIFY(QDir().mkpath(path));
    }
#ifdef Q_OS_UNIX
    if (kind == QLatin1String("fifo"))
        QCOMPARE(::mkfifo(QFile::encodeName(path).constData(), 0600), 0);
    if (kind == QLatin1String("unreadable")) {
        if (::geteuid() == 0)
            QSKIP("root reads files without read permission");
        QVERIFY(QFile::setPermissions(path, QFileDevice::WriteOwner));
    }
#endif

    const CollectedFile file = PathExpander::inspect(path);

    QCOMPARE(file.path, path);
    QCOMPARE(int(file.problem), expected);
    if (kind == QLatin1String("regular"))
        QCOMPARE(file.size, qint64(4));
    if (kind == QLatin1String("over"))
        QCOMPARE(file.size, tenovos::UploadTask::kMaxFileSize + 1);
}

void tst_QueueModel::collectMarksTooLargeFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QFile small(dir.filePath(QStringLiteral("a-small.jpg")));
    QVERIFY(small.open(QIODevice::WriteOnly));
    small.write("jpeg");
    small.close();
    QFile huge(dir.filePath(QStringLiteral("b-huge.mov")));
    QVERIFY(huge.open(QIODevice::WriteOnly));
    QVERIFY(huge.resize(tenovos::UploadTask::kMaxFileSize + 1));
    huge.close();

    QStringList warnings;
    const CollectedFileList files = PathExpander::collect({dir.path()}, &warnings);

    QCOMPARE(files.size(), 2);
    QCOMPARE(files.at(0).path, small.fileName());
    QCOMPARE(int(files.at(0).problem), int(FileProblem::None));
    QCOMPARE(files.at(1).path, huge.fileName());
    QCOMPARE(int(files.at(1).problem), int(FileProblem::TooLarge));
}

void tst_QueueModel::problemFileNotUploadable()
{
    QueueModel model;
    CollectedFileList files = makeFiles(3);
    files[1].problem = FileProblem::TooLarge;
    files[1].size = tenovos::UploadTask::kMaxFileSize + 1;
    files[2].problem = FileProblem::Missing;
    files[2].size = -1;

    const QStringList ids = model.addFiles(files);

    QCOMPARE(ids.size(), 3);
    QCOMPARE(model.entryById(ids.at(1))->status, Status::NotUploadable);
    QCOMPARE(model.entryById(ids.at(2))->status, Status::NotUploadable);
    QCOMPARE(model.idsWithStatus({Status::Ready}), QStringList{ids.at(0)});
    const QString state = text(model, 1, QueueModel::StateColumn);
    QVERIFY2(state.contains(QStringLiteral("file-00001.jpg")), qPrintable(state));
    QVERIFY2(state.contains(QStringLiteral("5 GiB")), qPrintable(state));
    QVERIFY2(text(model, 2, QueueModel::StateColumn).contains(QStringLiteral("not found")),
             qPrintable(text(model, 2, QueueModel::StateColumn)));
    QVERIFY(!model.data(model.index(1, QueueModel::ProgressColumn), QueueModel::ProgressRole).isValid());

    const QueueModel::Summary summary = model.summary();
    QCOMPARE(summary.ready, 1);
    QCOMPARE(summary.notUploadable, 2);
    QCOMPARE(summary.bytesTotal, qint64(0));
}

void tst_QueueModel::problemFileAddedAgainAfterFix()
{
    QueueModel model;
    CollectedFileList files = makeFiles(1);
    files[0].problem = FileProblem::Unreadable;
    model.addFiles(files);

    int duplicates = -1;
    const QStringList ids = model.addFiles(makeFiles(1), &duplicates);

    QCOMPARE(duplicates, 0);
    QCOMPARE(ids.size(), 1);
    QCOMPARE(model.entryById(ids.at(0))->status, Status::Ready);
}

void tst_QueueModel::retryDisabledForTooLarge()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(2));
    model.markSubmitted(ids);
    model.onTaskStateChanged(ids.at(0), TaskState::Failed, ApiError(ApiError::Kind::Server, QStringLiteral("x")));
    // A file that grew past the limit after it was added fails in the engine.
    model.onTaskProgress(ids.at(1), 0, tenovos::UploadTask::kMaxFileSize + 1);
    model.onTaskStateChanged(ids.at(1), TaskState::Failed, ApiError(ApiError::Kind::LocalFile, QStringLiteral("x")));

    QVERIFY(tenovos::MainWindow::canRetry(*model.entryById(ids.at(0))));
    QVERIFY(!tenovos::MainWindow::canRetry(*model.entryById(ids.at(1))));

    CollectedFileList tooLarge = makeFiles(1);
    tooLarge[0].path = QStringLiteral("/uploads/huge.mov");
    tooLarge[0].problem = FileProblem::TooLarge;
    const QStringList rejected = model.addFiles(tooLarge);
    QVERIFY(!tenovos::MainWindow::canRetry(*model.entryById(rejected.at(0))));
}

// At 0 % the whole bar is empty (light), so the text of a selected row's
// bar must be drawn dark, as in an unselected row.
void tst_QueueModel::selectedProgressTextReadable()
{
    QueueModel model;
    const QStringList ids = model.addFiles(makeFiles(1, 1000));
    model.markSubmitted(ids);
    model.onTaskStateChanged(ids.at(0), TaskState::Uploading, ApiError());
    model.onTaskProgress(ids.at(0), 0, 1000);
    model.flush();

    QTableView view;
    view.setItemDelegate(new tenovos::ProgressDelegate(&view));
    view.setModel(&model);
    view.setSelectionBehavior(QAbstractItemView::SelectRows);
    view.resize(900, 120);
    view.setColumnWidth(QueueModel::ProgressColumn, 160);
    view.show();
    QVERIFY(QTest::qWaitForWindowExposed(&view));
    view.selectRow(0);
    view.setFocus();

    const QRect cell = view.visualRect(model.index(0, QueueModel::ProgressColumn));
    const QImage image = view.viewport()->grab(cell).toImage();

    // Pixels clearly darker than the bar's empty part, in the middle third
    // of the cell where the "0 %" text is.
    const int backgroundGray = qGray(view.palette().color(QPalette::Base).rgb());
    int darkPixels = 0;
    for (int y = 2; y < image.height() - 2; ++y) {
        for (int x = image.width() / 3; x < 2 * image.width() / 3; ++x)
            darkPixels += qGray(image.pixel(x, y)) < backgroundGray - 96 ? 1 : 0;
    }
    QVERIFY2(darkPixels > 10, qPrintable(QString::number(darkPixels)));
}

void tst_QueueModel::durationText_data()
{
    QTest::addColumn<qint64>("seconds");
    QTest::addColumn<QString>("expected");

    QTest::addRow("unknown") << qint64(-1) << QString();
    QTest::addRow("seconds") << qint64(45) << QStringLiteral("45 s");
    QTest::addRow("minutes") << qint64(200) << QStringLiteral("3 min 20 s");
    QTest::addRow("hours") << qint64(7500) << QStringLiteral("2 h 5 min");
}

void tst_QueueModel::durationText()
{
    QFETCH(qint64, seconds);
    QFETCH(QString, expected);
    QCOMPARE(tenovos::DisplayFormat::duration(seconds), expected);
}

QTEST_MAIN(tst_QueueModel)

#include "tst_queuemodel.moc"
