#pragma once

#include <QString>

#include <optional>

namespace tenovos::sandbox {

// One fault injection rule, written KIND[@PART][#N[-M]]:ACTION[=ARG].
// tests/sandbox/README.md documents the syntax with examples.
struct FaultRule
{
    enum class Kind { Token, Create, Complete, Cancel, Lookup, Put, Any };
    enum class Action { Status, Drop, Stall, NoEtag, Expired };

    Kind kind = Kind::Any;
    int partNumber = 0;     // 0: any part; only with put (or any, where it selects PUTs)
    int firstMatch = 0;     // 1-based range of matching requests; 0: every matching request
    int lastMatch = 0;
    Action action = Action::Status;
    qint64 argument = 0;    // status code, bytes for drop, milliseconds for stall
    QString text;           // the rule as written

    // Parses a rule. On failure returns nothing and sets *error to a message
    // that quotes the rule and explains what is wrong with it.
    static std::optional<FaultRule> parse(const QString &text, QString *error);

    // Whether a request of this kind (and part number, for PUTs) is selected,
    // before counting. partNumber is 0 for requests other than PUTs.
    bool selects(Kind requestKind, int requestPartNumber) const;

    // Whether the count-th selected request (1-based) gets the fault.
    bool firesOn(int count) const;

    static QString kindName(Kind kind);
};

} // namespace tenovos::sandbox
