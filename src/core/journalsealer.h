#pragma once

#include <QByteArray>

#include <optional>

namespace tenovos {

// Authenticated encryption of the few secrets the upload journal keeps,
// built from HMAC-SHA256 alone because Qt Core offers no cipher and the
// project takes no OpenSSL dependency. It is encrypt-then-MAC:
//
//   encKey = HMAC(masterKey, "tenovos upload journal: encryption key")
//   macKey = HMAC(masterKey, "tenovos upload journal: authentication key")
//   keystream block i = HMAC(encKey, nonce || uint64be(i)), i = 0, 1, ...
//   ciphertext = plaintext XOR keystream
//   tag = HMAC(macKey, version || nonce || uint64be(size(ad)) || ad || ciphertext)
//
// and a sealed value is version (1 byte) || nonce (16 bytes) || ciphertext
// || tag (32 bytes). The associated data "ad" is authenticated but not
// stored, so a sealed value opens only next to the data it was sealed for.
// HMAC-SHA256 as a PRF in counter mode is a stream cipher, so a nonce must
// never repeat under one key. seal() therefore takes 16 random bytes from
// QRandomGenerator::system() each time.
class JournalSealer
{
public:
    static constexpr int kKeySize = 32;
    static constexpr int kNonceSize = 16;
    static constexpr int kTagSize = 32;
    static constexpr char kFormatVersion = 1;

    // masterKey must be kKeySize bytes; any other size gives an invalid
    // sealer whose seal() returns an empty array and open() fails.
    explicit JournalSealer(const QByteArray &masterKey);

    bool isValid() const { return !m_encryptionKey.isEmpty(); }

    // kKeySize bytes from QRandomGenerator::system().
    static QByteArray generateKey();

    // Encrypts and authenticates plaintext with a fresh random nonce.
    QByteArray seal(const QByteArray &plaintext, const QByteArray &associatedData = QByteArray()) const;
    // Like seal(), with a given nonce of kNonceSize bytes, so a test can
    // compare the output with a reference computation. Reusing a nonce
    // under one key reveals the XOR of the two plaintexts.
    QByteArray sealWithNonce(const QByteArray &plaintext, const QByteArray &associatedData,
                             const QByteArray &nonce) const;

    // The plaintext, or nothing when sealed is truncated, has another
    // version, was sealed under another key or for other associated data,
    // or was changed.
    std::optional<QByteArray> open(const QByteArray &sealed, const QByteArray &associatedData = QByteArray()) const;

private:
    QByteArray keystreamXor(const QByteArray &nonce, const QByteArray &input) const;
    QByteArray tag(const QByteArray &nonce, const QByteArray &associatedData, const QByteArray &ciphertext) const;

    QByteArray m_encryptionKey;
    QByteArray m_authenticationKey;
};

} // namespace tenovos
