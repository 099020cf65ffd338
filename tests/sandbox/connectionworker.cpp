#include "connectionworker.h"

#include "httpconnection.h"
#include "sandboxcontext.h"

#include <QTcpSocket>

namespace tenovos::sandbox {

ConnectionWorker::ConnectionWorker(std::shared_ptr<SandboxContext> context)
    : m_context(std::move(context))
{
}

ConnectionWorker::~ConnectionWorker()
{
    dropAll();
}

void ConnectionWorker::adopt(qintptr socketDescriptor)
{
    if (!m_context->acceptingConnections) {
        QTcpSocket socket;
        socket.setSocketDescriptor(socketDescriptor);
        socket.abort();
        return;
    }
    auto *connection = new HttpConnection(socketDescriptor, m_context, this);
    if (!connection->isOpen()) {
        delete connection;
        return;
    }
    m_connections.insert(connection);
    connect(connection, &QObject::destroyed, this, [this, connection] { m_connections.remove(connection); });
}

void ConnectionWorker::dropAll()
{
    const QSet<HttpConnection *> connections = m_connections;
    m_connections.clear();
    for (HttpConnection *connection : connections)
        connection->drop();
}

} // namespace tenovos::sandbox
