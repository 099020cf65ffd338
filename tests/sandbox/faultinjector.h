#pragma once

#include "faultrule.h"

#include <QJsonArray>
#include <QList>
#include <QMutex>
#include <QRandomGenerator>
#include <QStringList>

namespace tenovos::sandbox {

// The active fault rules, how many requests each has selected and which of
// them it applied to. Thread-safe: connections on worker threads consult it
// for each request.
//
// Rules with ~P and the random action draw from a generator of their own,
// seeded from the injector's seed and the rule's position in the list. So a
// rule's decisions depend only on the seed, its position and how many
// requests it has selected, not on other rules or on thread timing.
class FaultInjector
{
public:
    // The first hits each rule records in toJson()'s "applied" list.
    static constexpr int maxRecordedHits = 1000;

    // Adds every rule or, when one fails to parse, none; *error names the bad rule.
    bool add(const QStringList &rules, QString *error);
    void clear();

    // Restarts every rule's random sequence from this seed; rules added
    // later use it too.
    void setSeed(quint64 seed);
    quint64 seed() const;

    // Counts the request against every rule that selects it and returns the
    // first rule that applies to it, if any. A random action comes back
    // replaced by the concrete action it picked.
    std::optional<FaultRule> fire(FaultRule::Kind kind, int partNumber);

    // How many requests each rule has applied to, in the order of toJson().
    QList<int> hits() const;

    // [{"rule", "selected", "hits", "applied": [{"request", "action"}]}, ...]
    // for GET /sandbox/faults. "request" is the 1-based number of the
    // selected request that got the fault.
    QJsonArray toJson() const;

private:
    struct Hit
    {
        int request = 0;
        QString action;
    };

    struct Entry
    {
        FaultRule rule;
        int selected = 0;
        int hits = 0;
        QList<Hit> applied;
        QRandomGenerator generator;
    };

    QRandomGenerator generatorFor(qsizetype position) const;
    // Replaces the random action by one that fits a request of this kind.
    static FaultRule pickAction(const FaultRule &rule, FaultRule::Kind requestKind, QRandomGenerator *generator);

    mutable QMutex m_mutex;
    QList<Entry> m_entries;
    quint64 m_seed = 0;
};

} // namespace tenovos::sandbox
