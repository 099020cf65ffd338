#include "enginethread.h"

#include "uploadengine.h"

namespace tenovos {

EngineThread::EngineThread(QObject *parent)
    : QObject(parent)
    , m_engine(new UploadEngine)
{
    m_thread.setObjectName(QStringLiteral("Tenovos upload engine"));
    m_engine->moveToThread(&m_thread);
    // QThread::finished is emitted in the worker thread after its event loop
    // stopped; deferred deletions still run there.
    connect(&m_thread, &QThread::finished, m_engine, &QObject::deleteLater);
    m_thread.start();
}

EngineThread::~EngineThread()
{
    m_thread.quit();
    m_thread.wait();
}

} // namespace tenovos
