#pragma once

#include <QObject>
#include <QSet>

#include <memory>

namespace tenovos::sandbox {

class HttpConnection;
class SandboxContext;

// Owns the connections handed to one worker thread. Lives in that thread;
// SandboxServer calls it only through queued or blocking-queued invocations.
class ConnectionWorker : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConnectionWorker)

public:
    explicit ConnectionWorker(std::shared_ptr<SandboxContext> context);
    ~ConnectionWorker() override;

    // Takes over an accepted socket, or closes it when the server stopped listening meanwhile.
    void adopt(qintptr socketDescriptor);
    // Closes every open connection at once, without responses.
    void dropAll();

private:
    std::shared_ptr<SandboxContext> m_context;
    QSet<HttpConnection *> m_connections;
};

} // namespace tenovos::sandbox
