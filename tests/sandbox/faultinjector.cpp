#include "faultinjector.h"

#include <QJsonObject>
#include <QMutexLocker>

namespace tenovos::sandbox {

bool FaultInjector::add(const QStringList &rules, QString *error)
{
    QList<FaultRule> parsed;
    for (const QString &text : rules) {
        const std::optional<FaultRule> rule = FaultRule::parse(text, error);
        if (!rule)
            return false;
        parsed.append(*rule);
    }
    QMutexLocker locker(&m_mutex);
    for (const FaultRule &rule : std::as_const(parsed)) {
        Entry entry;
        entry.rule = rule;
        entry.generator = generatorFor(m_entries.size());
        m_entries.append(entry);
    }
    return true;
}

void FaultInjector::clear()
{
    QMutexLocker locker(&m_mutex);
    m_entries.clear();
}

void FaultInjector::setSeed(quint64 seed)
{
    QMutexLocker locker(&m_mutex);
    m_seed = seed;
    for (qsizetype i = 0; i < m_entries.size(); ++i)
        m_entries[i].generator = generatorFor(i);
}

quint64 FaultInjector::seed() const
{
    QMutexLocker locker(&m_mutex);
    return m_seed;
}

QRandomGenerator FaultInjector::generatorFor(qsizetype position) const
{
    const quint32 seedSequence[] = {static_cast<quint32>(m_seed), static_cast<quint32>(m_seed >> 32),
                                    static_cast<quint32>(position)};
    return QRandomGenerator(seedSequence);
}

FaultRule FaultInjector::pickAction(const FaultRule &rule, FaultRule::Kind requestKind, QRandomGenerator *generator)
{
    struct Choice
    {
        FaultRule::Action action;
        qint64 argument;
    };
    // Dropping after 64 KiB cuts a PUT body short. The JSON bodies of other
    // calls are smaller, so there it would act like drop=0. no-etag only
    // concerns PUTs. "lost" carries the request out and loses the response,
    // which a client must tell apart from a request that never arrived.
    QList<Choice> choices{{FaultRule::Action::Status, 500},
                          {FaultRule::Action::Status, 503},
                          {FaultRule::Action::Drop, 0},
                          {FaultRule::Action::Lost, 0}};
    if (requestKind == FaultRule::Kind::Put) {
        choices.append({FaultRule::Action::Drop, 65536});
        choices.append({FaultRule::Action::NoEtag, 0});
    }
    const Choice choice = choices.at(generator->bounded(static_cast<quint32>(choices.size())));
    FaultRule picked = rule;
    picked.action = choice.action;
    picked.argument = choice.argument;
    picked.retryAfterSeconds = FaultRule::defaultRetryAfterSeconds;
    return picked;
}

std::optional<FaultRule> FaultInjector::fire(FaultRule::Kind kind, int partNumber)
{
    QMutexLocker locker(&m_mutex);
    std::optional<FaultRule> fired;
    for (Entry &entry : m_entries) {
        if (!entry.rule.selects(kind, partNumber))
            continue;
        ++entry.selected;
        if (!entry.rule.firesOn(entry.selected))
            continue;
        // Every rule draws for each request in its range, even when an
        // earlier rule applies, so that its sequence does not depend on others.
        if (entry.rule.probability < 1 && entry.generator.generateDouble() >= entry.rule.probability)
            continue;
        FaultRule concrete = entry.rule;
        if (entry.rule.action == FaultRule::Action::Random)
            concrete = pickAction(entry.rule, kind, &entry.generator);
        if (fired)
            continue;

        fired = concrete;
        ++entry.hits;
        if (entry.applied.size() < maxRecordedHits)
            entry.applied.append({entry.selected, concrete.actionText()});
    }
    return fired;
}

QList<int> FaultInjector::hits() const
{
    QMutexLocker locker(&m_mutex);
    QList<int> counts;
    for (const Entry &entry : m_entries)
        counts.append(entry.hits);
    return counts;
}

QJsonArray FaultInjector::toJson() const
{
    QMutexLocker locker(&m_mutex);
    QJsonArray list;
    for (const Entry &entry : m_entries) {
        QJsonArray applied;
        for (const Hit &hit : entry.applied)
            applied.append(QJsonObject{{QStringLiteral("request"), hit.request}, {QStringLiteral("action"), hit.action}});
        list.append(QJsonObject{{QStringLiteral("rule"), entry.rule.text},
                                {QStringLiteral("selected"), entry.selected},
                                {QStringLiteral("hits"), entry.hits},
                                {QStringLiteral("applied"), applied}});
    }
    return list;
}

} // namespace tenovos::sandbox
