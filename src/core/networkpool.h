#pragma once

#include <QHash>
#include <QList>
#include <QObject>

QT_BEGIN_NAMESPACE
class QNetworkAccessManager;
QT_END_NAMESPACE

namespace tenovos {

// A small pool of QNetworkAccessManager instances for part uploads. One
// manager opens at most six connections per host and runs all its HTTP
// traffic on one internal thread, so parallel parts are spread over several
// managers: each acquire() returns the manager with the fewest transfers.
// The managers are created lazily in the pool's thread.
class NetworkPool : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NetworkPool)

public:
    explicit NetworkPool(QObject *parent = nullptr);
    ~NetworkPool() override;

    // Number of managers, 1..16. Lowering it keeps managers with transfers
    // until they are released.
    void setSize(int size);
    int size() const { return m_size; }

    QNetworkAccessManager *acquire();
    void release(QNetworkAccessManager *manager);

    int activeTransfers() const;

private:
    int m_size = 4;
    QList<QNetworkAccessManager *> m_managers;
    QHash<QNetworkAccessManager *, int> m_load;
};

} // namespace tenovos
