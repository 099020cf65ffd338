#include "resumeoffer.h"

#include "applogging.h"
#include "pathexpander.h"
#include "queuemodel.h"
#include "uploadengine.h"

#include <QDir>
#include <QLocale>
#include <QMainWindow>
#include <QMessageBox>
#include <QPushButton>
#include <QStatusBar>
#include <QWidget>

namespace tenovos {

namespace {

// Files named one by one in the offer; the rest are counted.
constexpr int kListedFiles = 10;

} // namespace

ResumeOffer::ResumeOffer(UploadEngine *engine, QueueModel *queue, QWidget *window)
    : QObject(window)
    , m_engine(engine)
    , m_queue(queue)
    , m_window(window)
{
    connect(m_engine, &UploadEngine::journalLoaded, this, &ResumeOffer::showOffer);
    connect(m_engine, &UploadEngine::journalProblem, this, &ResumeOffer::showProblem);
}

void ResumeOffer::openJournal()
{
    UploadEngine *engine = m_engine;
    QMetaObject::invokeMethod(engine, [engine] { engine->openJournal(); });
}

void ResumeOffer::showOffer(const JournalSummaryList &entries)
{
    if (entries.isEmpty() || m_box)
        return;
    m_entries = entries;
    qCInfo(lcUi) << "Offering to resume" << entries.size() << "interrupted uploads";

    QStringList lines;
    for (const JournalSummary &entry : entries) {
        if (lines.size() == kListedFiles) {
            lines.append(tr("… and %n more", nullptr, int(entries.size()) - kListedFiles));
            break;
        }
        if (entry.state == tenovos::JournalEntry::State::Creating) {
            lines.append(tr("%1 (%2, not started)")
                             .arg(QDir::toNativeSeparators(entry.filePath),
                                  QLocale().formattedDataSize(entry.fileSize)));
            continue;
        }
        lines.append(tr("%1 (%2, %3 of %4 parts uploaded)")
                         .arg(QDir::toNativeSeparators(entry.filePath),
                              QLocale().formattedDataSize(entry.fileSize),
                              QString::number(entry.confirmedParts), QString::number(entry.partCount)));
    }

    m_box = new QMessageBox(QMessageBox::Question, tr("Resume interrupted uploads"),
                            tr("%n upload(s) did not finish when the uploader last stopped. Resume "
                               "sends only the parts not uploaded yet; Discard cancels the "
                               "unfinished uploads in Tenovos. Close this message to decide at the "
                               "next start.",
                               nullptr, int(entries.size())),
                            QMessageBox::NoButton, m_window);
    m_box->setObjectName(QStringLiteral("resumeOfferBox"));
    m_box->setInformativeText(lines.join(QLatin1Char('\n')));
    m_box->setAttribute(Qt::WA_DeleteOnClose);
    m_box->setWindowModality(Qt::NonModal);
    QPushButton *resume = m_box->addButton(tr("Resume"), QMessageBox::AcceptRole);
    resume->setObjectName(QStringLiteral("resumeButton"));
    QPushButton *discard = m_box->addButton(tr("Discard"), QMessageBox::DestructiveRole);
    discard->setObjectName(QStringLiteral("discardButton"));
    m_box->addButton(QMessageBox::Close);
    m_box->setDefaultButton(resume);
    connect(resume, &QPushButton::clicked, this, [this] { queueEntries(false); });
    connect(discard, &QPushButton::clicked, this, [this] { queueEntries(true); });
    m_box->open();
    Q_EMIT offered(int(entries.size()));
}

void ResumeOffer::showProblem(const QString &message)
{
    auto *box = new QMessageBox(QMessageBox::Warning, tr("Upload journal"), message, QMessageBox::Ok,
                                m_window);
    box->setObjectName(QStringLiteral("journalProblemBox"));
    box->setAttribute(Qt::WA_DeleteOnClose);
    box->open();
}

void ResumeOffer::queueEntries(bool discard)
{
    QHash<QString, QString> idsByKey;
    QStringList ids;
    for (const JournalSummary &entry : std::as_const(m_entries)) {
        // One at a time, because the model skips a path already in the queue.
        const QStringList added = m_queue->addFiles({CollectedFile{entry.filePath, entry.fileSize}});
        if (added.isEmpty())
            continue;
        idsByKey.insert(entry.key, added.constFirst());
        ids.append(added.constFirst());
    }
    m_entries.clear();
    if (idsByKey.isEmpty())
        return;
    m_queue->markSubmitted(ids);
    qCInfo(lcUi) << (discard ? "Discarding" : "Resuming") << idsByKey.size() << "interrupted uploads";
    if (auto *mainWindow = qobject_cast<QMainWindow *>(m_window)) {
        const int count = int(idsByKey.size());
        mainWindow->statusBar()->showMessage(
            discard ? tr("Cancelling %n interrupted upload(s) in Tenovos.", nullptr, count)
                    : tr("Resuming %n interrupted upload(s); only the parts not uploaded yet are sent.",
                         nullptr, count),
            8000);
    }
    UploadEngine *engine = m_engine;
    if (discard)
        QMetaObject::invokeMethod(engine, [engine, idsByKey] { engine->discardJournal(idsByKey); });
    else
        QMetaObject::invokeMethod(engine, [engine, idsByKey] { engine->resumeFromJournal(idsByKey); });
}

} // namespace tenovos
