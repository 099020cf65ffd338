#pragma once

#include "faultrule.h"

#include <QJsonArray>
#include <QList>
#include <QMutex>
#include <QStringList>

namespace tenovos::sandbox {

// The active fault rules and how many requests each has selected so far.
// Thread-safe: connections on worker threads consult it for each request.
class FaultInjector
{
public:
    // Adds every rule or, when one fails to parse, none; *error names the bad rule.
    bool add(const QStringList &rules, QString *error);
    void clear();

    // Counts the request against every rule that selects it and returns the
    // first rule whose count range includes it, if any.
    std::optional<FaultRule> fire(FaultRule::Kind kind, int partNumber);

    // [{"rule": TEXT, "selected": COUNT}, ...] for GET /sandbox/faults.
    QJsonArray toJson() const;

private:
    struct Entry
    {
        FaultRule rule;
        int selected = 0;
    };

    mutable QMutex m_mutex;
    QList<Entry> m_entries;
};

} // namespace tenovos::sandbox
