#pragma once

#include <QByteArray>
#include <QList>
#include <QObject>
#include <QPair>
#include <QTcpServer>
#include <QUrl>

#include <memory>

class QTcpSocket;

// A tiny HTTP/1.1 server for tests, on 127.0.0.1 and a free port. It reads
// each request (head and Content-Length body), records it and sends the
// canned response, or never responds (to test timeouts). Each connection
// carries one request and closes after the response.
class TestHttpServer : public QObject
{
    Q_OBJECT

public:
    struct Request
    {
        QByteArray method;
        QByteArray target; // as it appeared on the request line
        QList<QPair<QByteArray, QByteArray>> headers;
        QByteArray body;

        QByteArray header(const QByteArray &name) const;
        bool hasHeader(const QByteArray &name) const;
    };

    explicit TestHttpServer(QObject *parent = nullptr);

    bool listen();
    // Serves HTTPS with the certificate and key in PEM files.
    bool listenTls(const QString &certificatePath, const QString &keyPath);
    quint16 port() const { return m_server ? m_server->serverPort() : 0; }
    QUrl baseUrl() const; // http://127.0.0.1:PORT or https://127.0.0.1:PORT

    // The bytes sent back for every request; empty means never respond.
    void setResponse(const QByteArray &response) { m_response = response; }
    static QByteArray response(int status, const QByteArray &body,
                               const QByteArray &extraHeaders = QByteArray());

    QList<Request> requests() const { return m_requests; }

Q_SIGNALS:
    void requestReceived();

private:
    void readFrom(QTcpSocket *socket);
    void acceptConnections();

    std::unique_ptr<QTcpServer> m_server;
    bool m_tls = false;
    QByteArray m_response;
    QList<Request> m_requests;
};
