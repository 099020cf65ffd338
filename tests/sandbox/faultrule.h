#pragma once

#include <QString>

#include <optional>

namespace tenovos::sandbox {

// One fault injection rule, written KIND[@PART][#N[-M]][~P]:ACTION[=ARG][,OPTION=VALUE].
// tests/sandbox/README.md documents the syntax with examples.
struct FaultRule
{
    enum class Kind { Token, Create, Complete, Cancel, Lookup, Put, Any };
    // Lost: the request is carried out, then the connection closes without an
    // response (argument 0) or the response is replaced by that 5xx status.
    enum class Action { Status, Drop, Stall, NoEtag, Expired, ExpiredToken, Lost, Random };

    // The Retry-After value of status=429 and status=503 when the rule sets none.
    static constexpr int defaultRetryAfterSeconds = 1;
    // retryAfterSeconds of a rule written with retry-after=none: no header.
    static constexpr int noRetryAfter = -1;

    Kind kind = Kind::Any;
    int partNumber = 0;     // 0: any part; only with put (or any, where it selects PUTs)
    int firstMatch = 0;     // 1-based range of matching requests; 0: every matching request
    int lastMatch = 0;
    double probability = 1; // ~P: the chance that a request in range gets the fault
    Action action = Action::Status;
    qint64 argument = 0;    // status code, bytes for drop, milliseconds for stall, 0 or 5xx for lost
    int retryAfterSeconds = defaultRetryAfterSeconds; // only used by status=429 and status=503
    QString text;           // the rule as written

    // Parses a rule. On failure returns nothing and sets *error to a message
    // that quotes the rule and explains what is wrong with it.
    static std::optional<FaultRule> parse(const QString &text, QString *error);

    // Whether a request of this kind (and part number, for PUTs) is selected,
    // before counting. partNumber is 0 for requests other than PUTs.
    bool selects(Kind requestKind, int requestPartNumber) const;

    // Whether the count-th selected request (1-based) is in the rule's range.
    // A rule with ~P then applies with probability P.
    bool firesOn(int count) const;

    // The concrete action in rule syntax, such as "status=503" or "drop=0".
    QString actionText() const;

    static QString kindName(Kind kind);
};

} // namespace tenovos::sandbox
