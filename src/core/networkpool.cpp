#include "networkpool.h"

#include <QNetworkAccessManager>

namespace tenovos {

NetworkPool::NetworkPool(QObject *parent)
    : QObject(parent)
{
}

NetworkPool::~NetworkPool() = default;

void NetworkPool::setSize(int size)
{
    m_size = qBound(1, size, 16);
    // Drop idle managers beyond the new size; busy ones go on release().
    for (qsizetype i = m_managers.size() - 1; i >= m_size; --i) {
        QNetworkAccessManager *manager = m_managers.at(i);
        if (m_load.value(manager) == 0) {
            m_managers.removeAt(i);
            m_load.remove(manager);
            manager->deleteLater();
        }
    }
}

QNetworkAccessManager *NetworkPool::acquire()
{
    QNetworkAccessManager *best = nullptr;
    int bestLoad = 0;
    for (qsizetype i = 0; i < qMin<qsizetype>(m_managers.size(), m_size); ++i) {
        QNetworkAccessManager *manager = m_managers.at(i);
        const int load = m_load.value(manager);
        if (!best || load < bestLoad) {
            best = manager;
            bestLoad = load;
        }
    }
    if (!best || (bestLoad > 0 && m_managers.size() < m_size)) {
        best = new QNetworkAccessManager(this);
        m_managers.append(best);
    }
    ++m_load[best];
    return best;
}

void NetworkPool::release(QNetworkAccessManager *manager)
{
    if (!manager || !m_load.contains(manager))
        return;
    const int load = --m_load[manager];
    const qsizetype index = m_managers.indexOf(manager);
    if (load <= 0 && index >= m_size) {
        m_managers.removeAt(index);
        m_load.remove(manager);
        manager->deleteLater();
    }
}

int NetworkPool::activeTransfers() const
{
    int total = 0;
    for (const int load : m_load)
        total += load;
    return total;
}

} // namespace tenovos
