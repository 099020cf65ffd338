#pragma once

#include "uploadjournal.h"

#include <QMessageBox>
#include <QObject>
#include <QPointer>

class QWidget;

namespace tenovos {

class QueueModel;
class UploadEngine;

// Offers, once the window shows, to resume the uploads the upload journal
// recorded as unfinished (the uploader crashed, was killed or the machine
// restarted), in a modeless message box ("resumeOfferBox"):
// Resume queues them so that only the parts not confirmed before are sent,
// Discard cancels their multipart uploads on the server, and closing the
// box keeps them for the next start. The rows appear in the queue either
// way, so the user sees what became of each file.
class ResumeOffer : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ResumeOffer)

public:
    ResumeOffer(UploadEngine *engine, QueueModel *queue, QWidget *window);

    // Opens the journal in the engine (UploadJournal::defaultDirectory());
    // the offer appears when it contains entries.
    void openJournal();

    QMessageBox *offerBox() const { return m_box; }

Q_SIGNALS:
    // The offer was shown for this many journal entries.
    void offered(int entryCount);

private:
    void showOffer(const JournalSummaryList &entries);
    void showProblem(const QString &message);
    void queueEntries(bool discard);

    UploadEngine *m_engine;
    QueueModel *m_queue;
    QWidget *m_window;
    JournalSummaryList m_entries;
    QPointer<QMessageBox> m_box;
};

} // namespace tenovos
