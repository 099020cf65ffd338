#pragma once

#include <QObject>
#include <QThread>

namespace tenovos {

class UploadEngine;

// Runs an UploadEngine in its own QThread. The engine is created here, moved
// to the thread before any of its slots runs, and deleted in that thread
// when the EngineThread is destroyed, which quits and joins the thread.
//
//     EngineThread worker;
//     connect(worker.engine(), &UploadEngine::taskProgress, view, &View::showProgress);
//     QMetaObject::invokeMethod(worker.engine(), "signIn", Q_ARG(QString, user), Q_ARG(QString, password));
class EngineThread : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EngineThread)

public:
    explicit EngineThread(QObject *parent = nullptr);
    ~EngineThread() override;

    // Lives in the worker thread: call its slots through queued connections
    // or QMetaObject::invokeMethod(), never directly.
    UploadEngine *engine() const { return m_engine; }

private:
    QThread m_thread;
    UploadEngine *m_engine;
};

} // namespace tenovos
