#include "interrupthandler.h"

#include <QPointer>

#ifdef Q_OS_WIN
#include <windows.h>
#else
#include <QSocketNotifier>

#include <csignal>
#include <sys/socket.h>
#include <unistd.h>
#endif

namespace tenovos {

namespace {

#ifdef Q_OS_WIN
QPointer<InterruptHandler> g_handler;

// Runs on a thread the system creates; hand over to the handler's thread.
BOOL WINAPI consoleHandler(DWORD type)
{
    if (type != CTRL_C_EVENT && type != CTRL_BREAK_EVENT)
        return FALSE;
    if (InterruptHandler *handler = g_handler.data())
        QMetaObject::invokeMethod(handler, "notify", Qt::QueuedConnection);
    return TRUE;
}
#else
// A signal handler may only do async-signal-safe work: it writes one byte
// to a socket pair whose other end a QSocketNotifier watches.
int g_signalSockets[2] = {-1, -1};

void signalHandler(int)
{
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(g_signalSockets[0], &byte, 1);
}
#endif

} // namespace

InterruptHandler::InterruptHandler(QObject *parent)
    : QObject(parent)
{
#ifdef Q_OS_WIN
    g_handler = this;
    SetConsoleCtrlHandler(consoleHandler, TRUE);
#else
    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, g_signalSockets) != 0)
        return;
    m_notifier = new QSocketNotifier(g_signalSockets[1], QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, [this] {
        char byte = 0;
        [[maybe_unused]] const ssize_t read = ::read(g_signalSockets[1], &byte, 1);
        notify();
    });
    struct sigaction action {};
    action.sa_handler = signalHandler;
    sigemptyset(&action.sa_mask);
    action.sa_flags = SA_RESTART;
    sigaction(SIGINT, &action, nullptr);
    sigaction(SIGTERM, &action, nullptr);
#endif
}

InterruptHandler::~InterruptHandler()
{
#ifdef Q_OS_WIN
    SetConsoleCtrlHandler(consoleHandler, FALSE);
    g_handler = nullptr;
#else
    signal(SIGINT, SIG_DFL);
    signal(SIGTERM, SIG_DFL);
    delete m_notifier;
    m_notifier = nullptr;
    for (int &socket : g_signalSockets) {
        if (socket >= 0)
            ::close(socket);
        socket = -1;
    }
#endif
}

void InterruptHandler::notify()
{
    ++m_count;
    Q_EMIT interrupted(m_count);
}

} // namespace tenovos
