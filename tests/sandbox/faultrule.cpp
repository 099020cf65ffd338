#include "faultrule.h"

#include <QStringList>

namespace tenovos::sandbox {

namespace {

constexpr int maxPartNumber = 10000;
constexpr qint64 maxStallMilliseconds = 3600 * 1000;

QString syntaxHint()
{
    return QStringLiteral("Expected KIND[@PART][#N[-M]]:ACTION[=ARG] with KIND token, create, complete, cancel, "
                          "lookup, put or any and ACTION status=CODE, drop=BYTES, stall=SECONDS, no-etag or expired, "
                          "for example put@3#2:status=503.");
}

bool fail(const QString &text, const QString &reason, QString *error)
{
    if (error)
        *error = QStringLiteral("Fault rule \"%1\" is invalid: %2. %3").arg(text, reason, syntaxHint());
    return false;
}

// Parses a positive decimal integer without sign or spaces; 0 on failure.
qint64 parsePositive(const QString &digits, qint64 max)
{
    if (digits.isEmpty())
        return 0;
    for (const QChar c : digits) {
        if (!c.isDigit())
            return 0;
    }
    bool ok = false;
    const qint64 value = digits.toLongLong(&ok);
    return ok && value >= 1 && value <= max ? value : 0;
}

} // namespace

QString FaultRule::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Token: return QStringLiteral("token");
    case Kind::Create: return QStringLiteral("create");
    case Kind::Complete: return QStringLiteral("complete");
    case Kind::Cancel: return QStringLiteral("cancel");
    case Kind::Lookup: return QStringLiteral("lookup");
    case Kind::Put: return QStringLiteral("put");
    case Kind::Any: return QStringLiteral("any");
    }
    return QString();
}

std::optional<FaultRule> FaultRule::parse(const QString &text, QString *error)
{
    FaultRule rule;
    rule.text = text;

    const qsizetype colon = text.indexOf(QLatin1Char(':'));
    if (colon < 0) {
        fail(text, QStringLiteral("the ':' between the request selector and the action is missing"), error);
        return std::nullopt;
    }
    QString selector = text.left(colon);
    const QString actionText = text.mid(colon + 1);

    // KIND, then an optional @PART, then an optional #N or #N-M.
    const qsizetype hash = selector.indexOf(QLatin1Char('#'));
    const QString countText = hash < 0 ? QString() : selector.mid(hash + 1);
    if (hash >= 0)
        selector.truncate(hash);
    const qsizetype at = selector.indexOf(QLatin1Char('@'));
    const QString partText = at < 0 ? QString() : selector.mid(at + 1);
    const QString kindText = at < 0 ? selector : selector.left(at);

    const QStringList kinds{QStringLiteral("token"), QStringLiteral("create"), QStringLiteral("complete"),
                            QStringLiteral("cancel"), QStringLiteral("lookup"), QStringLiteral("put"),
                            QStringLiteral("any")};
    const qsizetype kindIndex = kinds.indexOf(kindText);
    if (kindIndex < 0) {
        fail(text, QStringLiteral("the request kind \"%1\" is unknown").arg(kindText), error);
        return std::nullopt;
    }
    rule.kind = static_cast<Kind>(kindIndex);

    if (at >= 0) {
        if (rule.kind != Kind::Put && rule.kind != Kind::Any) {
            fail(text, QStringLiteral("@PART applies only to put (or any) requests"), error);
            return std::nullopt;
        }
        rule.partNumber = static_cast<int>(parsePositive(partText, maxPartNumber));
        if (rule.partNumber == 0) {
            fail(text, QStringLiteral("the part number \"%1\" is not an integer from 1 to 10000").arg(partText), error);
            return std::nullopt;
        }
    }

    if (hash >= 0) {
        const qsizetype dash = countText.indexOf(QLatin1Char('-'));
        const QString firstText = dash < 0 ? countText : countText.left(dash);
        const QString lastText = dash < 0 ? countText : countText.mid(dash + 1);
        rule.firstMatch = static_cast<int>(parsePositive(firstText, 1000000));
        rule.lastMatch = static_cast<int>(parsePositive(lastText, 1000000));
        if (rule.firstMatch == 0 || rule.lastMatch == 0) {
            fail(text, QStringLiteral("the request count \"#%1\" is not a positive integer N or range N-M").arg(countText),
                 error);
            return std::nullopt;
        }
        if (rule.lastMatch < rule.firstMatch) {
            fail(text, QStringLiteral("the request range \"#%1\" ends before it starts").arg(countText), error);
            return std::nullopt;
        }
    }

    const qsizetype equals = actionText.indexOf(QLatin1Char('='));
    const QString actionName = equals < 0 ? actionText : actionText.left(equals);
    const QString argument = equals < 0 ? QString() : actionText.mid(equals + 1);
    const bool hasArgument = equals >= 0;

    if (actionName == QLatin1String("status")) {
        rule.action = Action::Status;
        rule.argument = parsePositive(argument, 599);
        if (!hasArgument || rule.argument < 400) {
            fail(text, QStringLiteral("status needs an HTTP error code from 400 to 599, not \"%1\"").arg(argument), error);
            return std::nullopt;
        }
    } else if (actionName == QLatin1String("drop")) {
        rule.action = Action::Drop;
        rule.argument = argument == QLatin1String("0") ? 0 : parsePositive(argument, std::numeric_limits<qint64>::max());
        if (!hasArgument || (rule.argument == 0 && argument != QLatin1String("0"))) {
            fail(text, QStringLiteral("drop needs a number of body bytes (0 or more), not \"%1\"").arg(argument), error);
            return std::nullopt;
        }
    } else if (actionName == QLatin1String("stall")) {
        rule.action = Action::Stall;
        bool ok = false;
        const double seconds = argument.toDouble(&ok);
        rule.argument = ok ? qRound64(seconds * 1000) : 0;
        if (!hasArgument || !ok || rule.argument < 1 || rule.argument > maxStallMilliseconds) {
            fail(text, QStringLiteral("stall needs a number of seconds above 0 and at most 3600, not \"%1\"").arg(argument),
                 error);
            return std::nullopt;
        }
    } else if (actionName == QLatin1String("no-etag") || actionName == QLatin1String("expired")) {
        rule.action = actionName == QLatin1String("no-etag") ? Action::NoEtag : Action::Expired;
        if (hasArgument) {
            fail(text, QStringLiteral("%1 takes no argument").arg(actionName), error);
            return std::nullopt;
        }
        if (rule.action == Action::NoEtag && rule.kind != Kind::Put && rule.kind != Kind::Any) {
            fail(text, QStringLiteral("no-etag applies only to put (or any) requests"), error);
            return std::nullopt;
        }
    } else {
        fail(text, QStringLiteral("the action \"%1\" is unknown").arg(actionName), error);
        return std::nullopt;
    }
    return rule;
}

bool FaultRule::selects(Kind requestKind, int requestPartNumber) const
{
    if (kind != Kind::Any && kind != requestKind)
        return false;
    // no-etag and @PART only concern PUTs, also under "any".
    if ((partNumber > 0 || action == Action::NoEtag) && requestKind != Kind::Put)
        return false;
    return partNumber == 0 || partNumber == requestPartNumber;
}

bool FaultRule::firesOn(int count) const
{
    return firstMatch == 0 || (count >= firstMatch && count <= lastMatch);
}

} // namespace tenovos::sandbox
