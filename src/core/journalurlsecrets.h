#pragma once

#include "apitypes.h"

#include <QByteArray>
#include <QList>

#include <optional>

namespace tenovos {

// Splits presigned part URLs into a part without secrets, which the upload
// journal stores as it is, and the removed query parameters, which it
// stores sealed (JournalSealer). join() puts the parameters back at their
// old positions, so the URL is byte for byte the one the server signed.
//
// The secrets are the values of X-Amz-Signature and X-Amz-Security-Token
// (SigV4) and of Signature (SigV2), matched case-insensitively.
// X-Amz-Credential stays in plain text. It contains the access key id and
// the signing scope, which grant nothing without the secret key or the
// signature, and it shows a reader of the journal which key and day signed
// a URL.
class JournalUrlSecrets
{
public:
    struct Split
    {
        QList<PartUrl> urls;   // the URLs without the secret parameters
        QByteArray secrets;    // the removed parameters to be sealed, empty when none
    };

    static bool isSecretParameter(const QByteArray &encodedName);

    static Split split(const QList<PartUrl> &urls);

    // The URLs with the parameters in secrets put back, or nothing when
    // secrets is not valid for these URLs (another part numbering, another
    // parameter count).
    static std::optional<QList<PartUrl>> join(const QList<PartUrl> &urls, const QByteArray &secrets);
};

} // namespace tenovos
