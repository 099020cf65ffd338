// bench-queue: how the queue copes with many files and busy uploads.
//
//   bench-queue [--files N] [--seconds S] [--parts P] [--interval-ms MS]
//
// 1. Adds N files (default 10,000) to a QueueModel shown in a QTableView with
//    the window's ProgressDelegate, and times the insert, the first paint
//    and a scroll to the last row.
// 2. Runs P parts (default 4) of one 400 MiB file that report progress every
//    MS milliseconds (default 1) from a worker thread through queued
//    connections, as the engine's thread does, for S seconds (default 5).
//    Prints the engine signals per second, the dataChanged() signals and the
//    repaints of the view per second.
//
// Run it with QT_QPA_PLATFORM=offscreen for numbers without a display.

#include "progressdelegate.h"
#include "queuemodel.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>
#include <QHeaderView>
#include <QScrollBar>
#include <QTableView>
#include <QThread>
#include <QTimer>

#include <cstdio>

using tenovos::ApiError;
using tenovos::CollectedFileList;
using tenovos::QueueModel;
using tenovos::TaskState;

namespace {

// Counts paint events of a widget.
class PaintCounter : public QObject
{
public:
    using QObject::QObject;
    int count = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return QObject::eventFilter(watched, event);
    }
};

// Emits progress the way the engine does, from its own thread.
class ProgressSource : public QObject
{
    Q_OBJECT

public:
    ProgressSource(QString id, int parts, qint64 partSize, int intervalMs)
        : m_id(std::move(id))
        , m_parts(parts)
        , m_partSize(partSize)
        , m_intervalMs(intervalMs)
    {
    }

    void start()
    {
        m_timer = new QTimer(this);
        m_timer->setTimerType(Qt::PreciseTimer);
        m_timer->setInterval(m_intervalMs);
        connect(m_timer, &QTimer::timeout, this, &ProgressSource::step);
        m_clock.start();
        m_timer->start();
    }

    void stop()
    {
        m_timer->stop();
    }

    qint64 signalCount() const { return m_signals; }

Q_SIGNALS:
    void partProgress(const QString &id, int partNumber, qint64 sent, qint64 total);
    void taskProgress(const QString &id, qint64 sent, qint64 total);

private:
    void step()
    {
        ++m_step;
        // About 50 MiB/s per part.
        const qint64 sent = qMin<qint64>(m_partSize, m_step * 50 * 1024 * m_intervalMs);
        for (int part = 1; part <= m_parts; ++part) {
            Q_EMIT partProgress(m_id, part, sent, m_partSize);
            ++m_signals;
        }
        // The engine reports a file's total at most ten times a second.
        if (m_clock.elapsed() - m_lastTotalMs >= 100) {
            m_lastTotalMs = m_clock.elapsed();
            Q_EMIT taskProgress(m_id, sent * m_parts, m_partSize * m_parts);
            ++m_signals;
        }
    }

    QString m_id;
    int m_parts;
    qint64 m_partSize;
    int m_intervalMs;
    QTimer *m_timer = nullptr;
    QElapsedTimer m_clock;
    qint64 m_lastTotalMs = 0;
    qint64 m_step = 0;
    qint64 m_signals = 0;
};

void waitForPaint(const PaintCounter &counter, int before)
{
    QElapsedTimer timer;
    timer.start();
    while (counter.count == before && timer.elapsed() < 5000)
        QCoreApplication::processEvents(QEventLoop::AllEvents, 10);
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Measures queue insertion and repaint rates."));
    parser.addHelpOption();
    const QCommandLineOption filesOption(QStringLiteral("files"), QStringLiteral("Files to add (default 10000)."),
                                         QStringLiteral("N"), QStringLiteral("10000"));
    const QCommandLineOption secondsOption(QStringLiteral("seconds"),
                                           QStringLiteral("Seconds of simulated upload (default 5)."),
                                           QStringLiteral("S"), QStringLiteral("5"));
    const QCommandLineOption partsOption(QStringLiteral("parts"), QStringLiteral("Parallel parts (default 4)."),
                                         QStringLiteral("P"), QStringLiteral("4"));
    const QCommandLineOption intervalOption(QStringLiteral("interval-ms"),
                                            QStringLiteral("Milliseconds between progress reports of each part "
                                                           "(default 1)."),
                                            QStringLiteral("MS"), QStringLiteral("1"));
    parser.addOptions({filesOption, secondsOption, partsOption, intervalOption});
    parser.process(app);
    const int fileCount = qMax(1, parser.value(filesOption).toInt());
    const int seconds = qMax(1, parser.value(secondsOption).toInt());
    const int parts = qBound(1, parser.value(partsOption).toInt(), 16);
    const int intervalMs = qMax(1, parser.value(intervalOption).toInt());

    QueueModel model;
    QTableView view;
    view.setModel(&model);
    view.setItemDelegate(new tenovos::ProgressDelegate(&view));
    view.verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view.verticalHeader()->setDefaultSectionSize(view.fontMetrics().height() + 10);
    view.horizontalHeader()->setSectionResizeMode(QueueModel::FileColumn, QHeaderView::Stretch);
    view.resize(1000, 700);
    view.show();
    PaintCounter paints;
    view.viewport()->installEventFilter(&paints);
    QCoreApplication::processEvents();

    // 1. Adding files.
    CollectedFileList files;
    files.reserve(fileCount);
    for (int index = 0; index < fileCount; ++index)
        files.append({QStringLiteral("/share/campaign/photo-%1.jpg").arg(index), 400LL * 1024 * 1024});
    QElapsedTimer timer;
    timer.start();
    const QStringList ids = model.addFiles(files);
    const double insertMs = timer.nsecsElapsed() / 1e6;
    const int paintsBefore = paints.count;
    waitForPaint(paints, paintsBefore);
    const double firstPaintMs = timer.nsecsElapsed() / 1e6;
    timer.restart();
    const int paintsBeforeScroll = paints.count;
    view.scrollToBottom();
    waitForPaint(paints, paintsBeforeScroll);
    const double scrollMs = timer.nsecsElapsed() / 1e6;

    std::printf("files added: %d\n", int(ids.size()));
    std::printf("insert: %.1f ms, insert + first paint: %.1f ms, scroll to last row + paint: %.1f ms\n", insertMs,
                firstPaintMs, scrollMs);

    // 2. Progress of parallel parts, reported from another thread.
    model.markSubmitted(ids);
    view.scrollToTop();
    const QString busyId = ids.constFirst();
    model.onTaskStateChanged(busyId, TaskState::Uploading, ApiError());
    const qint64 partSize = 100LL * 1024 * 1024;
    model.onTaskPartsPlanned(busyId, parts, partSize);

    QThread worker;
    ProgressSource source(busyId, parts, partSize, intervalMs);
    source.moveToThread(&worker);
    QObject::connect(&source, &ProgressSource::partProgress, &model, &QueueModel::onPartProgress);
    QObject::connect(&source, &ProgressSource::taskProgress, &model, &QueueModel::onTaskProgress);
    int dataChangedCount = 0;
    QObject::connect(&model, &QueueModel::dataChanged, &model, [&dataChangedCount] { ++dataChangedCount; });
    worker.start();

    QCoreApplication::processEvents();
    const int paintsAtStart = paints.count;
    QMetaObject::invokeMethod(&source, &ProgressSource::start, Qt::QueuedConnection);
    QEventLoop loop;
    timer.restart();
    QTimer::singleShot(seconds * 1000, &loop, &QEventLoop::quit);
    loop.exec();
    const double elapsedSeconds = timer.nsecsElapsed() / 1e9;
    QMetaObject::invokeMethod(&source, &ProgressSource::stop, Qt::BlockingQueuedConnection);
    worker.quit();
    worker.wait();

    std::printf("parallel parts: %d, engine signals: %.0f/s, dataChanged: %.1f/s, view repaints: %.1f/s "
                "(over %.1f s)\n",
                parts, source.signalCount() / elapsedSeconds, dataChangedCount / elapsedSeconds,
                (paints.count - paintsAtStart) / elapsedSeconds, elapsedSeconds);
    return 0;
}

#include "bench_queue.moc"
