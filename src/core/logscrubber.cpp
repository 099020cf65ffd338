#include "logscrubber.h"

#include <QRegularExpression>

namespace tenovos {

namespace {

// A URL with a query: scheme, authority and path are kept, the query goes.
// The query ends at white space or a character that cannot be part of a URL
// printed in a message (quotes, angle brackets, a closing bracket).
const QRegularExpression &urlQueryPattern()
{
    static const QRegularExpression pattern(QStringLiteral(R"re((\b[a-zA-Z][a-zA-Z0-9+.-]*://[^\s?#"'<>]*)\?[^\s"'<>)\]]*)re"));
    return pattern;
}

// SigV4 query parameters, plain ("X-Amz-Signature=…") or percent-encoded
// once or twice ("X-Amz-Signature%3D…", "%253D").
const QRegularExpression &amzParameterPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"re((X-Amz-(?:Signature|Security-Token|Credential))(=|%3D|%253D|"?\s*:\s*"?)[^&\s"'<>,;]+)re"),
        QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

// Credential headers, parameters and JSON members. An Authorization value may
// start with a scheme ("Bearer …", "AWS4-HMAC-SHA256 Credential=…"), which is
// kept; everything up to the end of the value is removed.
const QRegularExpression &credentialPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"re((\b(?:Authorization|AccessToken|Access-Token|X-API-Key|apiKey|api_key|password|)re"
                       R"re(refreshToken|refresh_token|access_token|id_token|idToken)"?\s*[:=]\s*"?)re"
                       R"re((?:(?:Bearer|Basic|AWS4-HMAC-SHA256)\s+)?))re"
                       R"re([^\s",;&]+(?:,\s*(?:SignedHeaders|Signature)=[^\s",;&]+)*)re"),
        QRegularExpression::CaseInsensitiveOption);
    return pattern;
}

// Three base64url segments, the header segment being JSON ("{" encodes as
// "eyJ"), as in JSON Web Tokens.
const QRegularExpression &jwtPattern()
{
    static const QRegularExpression pattern(
        QStringLiteral(R"re(\beyJ[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*)re"));
    return pattern;
}

} // namespace

QString LogScrubber::mask()
{
    return QStringLiteral("…");
}

QString LogScrubber::scrub(const QString &line)
{
    QString result = line;
    result.replace(urlQueryPattern(), QStringLiteral("\\1?") + mask());
    result.replace(amzParameterPattern(), QStringLiteral("\\1\\2") + mask());
    result.replace(credentialPattern(), QStringLiteral("\\1") + mask());
    result.replace(jwtPattern(), QStringLiteral("<token ") + mask() + QLatin1Char('>'));
    return result;
}

} // namespace tenovos
