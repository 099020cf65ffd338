#include "faultrule.h"

#include <QStringList>

#include <limits>

namespace tenovos::sandbox {

namespace {

constexpr int maxPartNumber = 10000;
constexpr qint64 maxStallMilliseconds = 3600 * 1000;
constexpr qint64 maxRetryAfterSeconds = 86400;

QString syntaxHint()
{
    return QStringLiteral("Expected KIND[@PART][#N[-M]][~P]:ACTION[=ARG][,retry-after=SECONDS|none] with KIND token, "
                          "create, complete, cancel, lookup, put or any, P a probability above 0 and at most 1, and "
                          "ACTION status=CODE (400 to 599), drop=BYTES, stall=SECONDS, no-etag, expired, "
                          "expired-token, lost[=CODE] (500 to 599) or random, for example put@3#2:status=503, "
                          "create#1:lost or "
                          "put~0.2:status=503,retry-after=2. See tests/sandbox/README.md.");
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

// Parses a probability written as a plain decimal such as 0.2 or 1. A value
// outside (0, 1] or any other spelling (sign, exponent, "nan") gives nothing.
std::optional<double> parseProbability(const QString &text)
{
    if (text.isEmpty())
        return std::nullopt;
    for (const QChar c : text) {
        if (!c.isDigit() && c != QLatin1Char('.'))
            return std::nullopt;
    }
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !(value > 0) || value > 1)
        return std::nullopt;
    return value;
}

bool appliesToPutsOnly(FaultRule::Action action)
{
    return action == FaultRule::Action::NoEtag || action == FaultRule::Action::ExpiredToken;
}

// Parses KIND[@PART][#N[-M]][~P] into rule.
bool parseSelector(const QString &text, QString selector, FaultRule *rule, QString *error)
{
    const qsizetype tilde = selector.indexOf(QLatin1Char('~'));
    const QString probabilityText = tilde < 0 ? QString() : selector.mid(tilde + 1);
    if (tilde >= 0)
        selector.truncate(tilde);
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
    if (kindIndex < 0)
        return fail(text, QStringLiteral("the request kind \"%1\" is unknown").arg(kindText), error);
    rule->kind = static_cast<FaultRule::Kind>(kindIndex);

    if (at >= 0) {
        if (rule->kind != FaultRule::Kind::Put && rule->kind != FaultRule::Kind::Any)
            return fail(text, QStringLiteral("@PART applies only to put (or any) requests"), error);
        rule->partNumber = static_cast<int>(parsePositive(partText, maxPartNumber));
        if (rule->partNumber == 0)
            return fail(text, QStringLiteral("the part number \"%1\" is not an integer from 1 to 10000").arg(partText), error);
    }

    if (hash >= 0) {
        const qsizetype dash = countText.indexOf(QLatin1Char('-'));
        const QString firstText = dash < 0 ? countText : countText.left(dash);
        const QString lastText = dash < 0 ? countText : countText.mid(dash + 1);
        rule->firstMatch = static_cast<int>(parsePositive(firstText, 1000000));
        rule->lastMatch = static_cast<int>(parsePositive(lastText, 1000000));
        if (rule->firstMatch == 0 || rule->lastMatch == 0) {
            return fail(text, QStringLiteral("the request count \"#%1\" is not a positive integer N or range N-M").arg(countText),
                        error);
        }
        if (rule->lastMatch < rule->firstMatch)
            return fail(text, QStringLiteral("the request range \"#%1\" ends before it starts").arg(countText), error);
    }

    if (tilde >= 0) {
        const std::optional<double> probability = parseProbability(probabilityText);
        if (!probability) {
            return fail(text,
                        QStringLiteral("the probability \"~%1\" is not a decimal number above 0 and at most 1, such as 0.2")
                            .arg(probabilityText),
                        error);
        }
        rule->probability = *probability;
    }
    return true;
}

// Parses ACTION[=ARG] into rule.
bool parseAction(const QString &text, const QString &actionText, FaultRule *rule, QString *error)
{
    const qsizetype equals = actionText.indexOf(QLatin1Char('='));
    const QString actionName = equals < 0 ? actionText : actionText.left(equals);
    const QString argument = equals < 0 ? QString() : actionText.mid(equals + 1);
    const bool hasArgument = equals >= 0;

    if (actionName == QLatin1String("status")) {
        rule->action = FaultRule::Action::Status;
        rule->argument = parsePositive(argument, 599);
        if (!hasArgument || rule->argument < 400)
            return fail(text, QStringLiteral("status needs an HTTP error code from 400 to 599, not \"%1\"").arg(argument), error);
        return true;
    }
    if (actionName == QLatin1String("drop")) {
        rule->action = FaultRule::Action::Drop;
        rule->argument = argument == QLatin1String("0") ? 0 : parsePositive(argument, std::numeric_limits<qint64>::max());
        if (!hasArgument || (rule->argument == 0 && argument != QLatin1String("0")))
            return fail(text, QStringLiteral("drop needs a number of body bytes (0 or more), not \"%1\"").arg(argument), error);
        return true;
    }
    if (actionName == QLatin1String("stall")) {
        rule->action = FaultRule::Action::Stall;
        bool ok = false;
        const double seconds = argument.toDouble(&ok);
        rule->argument = ok ? qRound64(seconds * 1000) : 0;
        if (!hasArgument || !ok || rule->argument < 1 || rule->argument > maxStallMilliseconds) {
            return fail(text, QStringLiteral("stall needs a number of seconds above 0 and at most 3600, not \"%1\"").arg(argument),
                        error);
        }
        return true;
    }

    if (actionName == QLatin1String("lost")) {
        rule->action = FaultRule::Action::Lost;
        rule->argument = hasArgument ? parsePositive(argument, 599) : 0;
        if (hasArgument && rule->argument < 500)
            return fail(text, QStringLiteral("lost takes no argument or a server error code from 500 to 599, not \"%1\"").arg(argument),
                        error);
        return true;
    }

    if (actionName == QLatin1String("no-etag"))
        rule->action = FaultRule::Action::NoEtag;
    else if (actionName == QLatin1String("expired"))
        rule->action = FaultRule::Action::Expired;
    else if (actionName == QLatin1String("expired-token"))
        rule->action = FaultRule::Action::ExpiredToken;
    else if (actionName == QLatin1String("random"))
        rule->action = FaultRule::Action::Random;
    else
        return fail(text, QStringLiteral("the action \"%1\" is unknown").arg(actionName), error);

    if (hasArgument)
        return fail(text, QStringLiteral("%1 takes no argument").arg(actionName), error);
    if (appliesToPutsOnly(rule->action) && rule->kind != FaultRule::Kind::Put && rule->kind != FaultRule::Kind::Any)
        return fail(text, QStringLiteral("%1 applies only to put (or any) requests").arg(actionName), error);
    return true;
}

// Parses the options after the action, each ",NAME=VALUE". retry-after is the only one.
bool parseOptions(const QString &text, const QStringList &options, FaultRule *rule, QString *error)
{
    bool retryAfterSeen = false;
    for (const QString &option : options) {
        const qsizetype equals = option.indexOf(QLatin1Char('='));
        const QString name = equals < 0 ? option : option.left(equals);
        const QString value = equals < 0 ? QString() : option.mid(equals + 1);
        if (option.isEmpty())
            return fail(text, QStringLiteral("an empty option follows a ','"), error);
        if (name != QLatin1String("retry-after"))
            return fail(text, QStringLiteral("the option \"%1\" is unknown").arg(name), error);
        if (retryAfterSeen)
            return fail(text, QStringLiteral("retry-after is given twice"), error);
        retryAfterSeen = true;

        const bool rateLimited = rule->action == FaultRule::Action::Status && (rule->argument == 429 || rule->argument == 503);
        if (!rateLimited)
            return fail(text, QStringLiteral("retry-after applies only to status=429 and status=503"), error);
        if (value == QLatin1String("none")) {
            rule->retryAfterSeconds = FaultRule::noRetryAfter;
            continue;
        }
        const qint64 seconds = value == QLatin1String("0") ? 0 : parsePositive(value, maxRetryAfterSeconds);
        if (equals < 0 || (seconds == 0 && value != QLatin1String("0"))) {
            return fail(text,
                        QStringLiteral("retry-after needs a whole number of seconds from 0 to 86400, or none, not \"%1\"")
                            .arg(value),
                        error);
        }
        rule->retryAfterSeconds = static_cast<int>(seconds);
    }
    return true;
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
    const QStringList actionParts = text.mid(colon + 1).split(QLatin1Char(','));
    if (!parseSelector(text, text.left(colon), &rule, error) || !parseAction(text, actionParts.constFirst(), &rule, error)
        || !parseOptions(text, actionParts.mid(1), &rule, error)) {
        return std::nullopt;
    }
    return rule;
}

bool FaultRule::selects(Kind requestKind, int requestPartNumber) const
{
    if (kind != Kind::Any && kind != requestKind)
        return false;
    // no-etag, expired-token and @PART only concern PUTs, also under "any".
    if ((partNumber > 0 || appliesToPutsOnly(action)) && requestKind != Kind::Put)
        return false;
    return partNumber == 0 || partNumber == requestPartNumber;
}

bool FaultRule::firesOn(int count) const
{
    return firstMatch == 0 || (count >= firstMatch && count <= lastMatch);
}

QString FaultRule::actionText() const
{
    switch (action) {
    case Action::Status: return QStringLiteral("status=%1").arg(argument);
    case Action::Drop: return QStringLiteral("drop=%1").arg(argument);
    case Action::Stall: return QStringLiteral("stall=%1").arg(static_cast<double>(argument) / 1000.0);
    case Action::NoEtag: return QStringLiteral("no-etag");
    case Action::Expired: return QStringLiteral("expired");
    case Action::ExpiredToken: return QStringLiteral("expired-token");
    case Action::Lost: return argument == 0 ? QStringLiteral("lost") : QStringLiteral("lost=%1").arg(argument);
    case Action::Random: return QStringLiteral("random");
    }
    return QString();
}

} // namespace tenovos::sandbox
