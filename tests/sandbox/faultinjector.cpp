#include "faultinjector.h"

#include <QJsonObject>
#include <QMutexLocker>

namespace tenovos::sandbox {

bool FaultInjector::add(const QStringList &rules, QString *error)
{
    QList<Entry> parsed;
    for (const QString &text : rules) {
        const std::optional<FaultRule> rule = FaultRule::parse(text, error);
        if (!rule)
            return false;
        parsed.append({*rule, 0});
    }
    QMutexLocker locker(&m_mutex);
    m_entries.append(parsed);
    return true;
}

void FaultInjector::clear()
{
    QMutexLocker locker(&m_mutex);
    m_entries.clear();
}

std::optional<FaultRule> FaultInjector::fire(FaultRule::Kind kind, int partNumber)
{
    QMutexLocker locker(&m_mutex);
    std::optional<FaultRule> fired;
    for (Entry &entry : m_entries) {
        if (!entry.rule.selects(kind, partNumber))
            continue;
        ++entry.selected;
        if (!fired && entry.rule.firesOn(entry.selected))
            fired = entry.rule;
    }
    return fired;
}

QJsonArray FaultInjector::toJson() const
{
    QMutexLocker locker(&m_mutex);
    QJsonArray list;
    for (const Entry &entry : m_entries) {
        list.append(QJsonObject{{QStringLiteral("rule"), entry.rule.text},
                                {QStringLiteral("selected"), entry.selected}});
    }
    return list;
}

} // namespace tenovos::sandbox
