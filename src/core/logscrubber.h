#pragma once

#include <QString>

namespace tenovos {

// Removes secrets from a log line before it is written anywhere. It is the
// last line of defence: code must not log secrets in the first place, but a
// value that slips through (a URL printed whole, a server message quoting a
// header) is masked here. It replaces
// - the query string of every URL with "?…" (presigned URLs carry their
//   signature, credential and session token there),
// - the values of X-Amz-Signature, X-Amz-Security-Token and X-Amz-Credential
//   parameters, also percent-encoded or outside a URL,
// - the values of Authorization, AccessToken, X-API-Key, password, apiKey
//   and refreshToken, as headers ("Name: value"), parameters ("name=value")
//   or JSON members ("name": "value"),
// - JWT-looking tokens (three base64url segments, the first starting "eyJ").
class LogScrubber
{
public:
    // The replacement text of a removed value.
    static QString mask();

    static QString scrub(const QString &line);
};

} // namespace tenovos
