#include "journalsealer.h"

#include <QMessageAuthenticationCode>
#include <QRandomGenerator>
#include <QtEndian>

namespace tenovos {

namespace {

constexpr QCryptographicHash::Algorithm kHash = QCryptographicHash::Sha256;
constexpr int kBlockSize = 32; // bytes of one HMAC-SHA256 output

QByteArray bigEndian64(quint64 value)
{
    QByteArray bytes(8, Qt::Uninitialized);
    qToBigEndian(value, bytes.data());
    return bytes;
}

QByteArray randomBytes(int size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    QRandomGenerator *generator = QRandomGenerator::system();
    for (int i = 0; i < size; ++i)
        bytes[i] = char(generator->bounded(256));
    return bytes;
}

// Compares in time that depends on the size only, so a forged tag cannot be
// guessed byte by byte from how long a rejection takes.
bool equalInConstantTime(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference |= static_cast<unsigned char>(a.at(i) ^ b.at(i));
    return difference == 0;
}

} // namespace

JournalSealer::JournalSealer(const QByteArray &masterKey)
{
    if (masterKey.size() != kKeySize)
        return;
    m_encryptionKey = QMessageAuthenticationCode::hash(
        QByteArrayLiteral("tenovos upload journal: encryption key"), masterKey, kHash);
    m_authenticationKey = QMessageAuthenticationCode::hash(
        QByteArrayLiteral("tenovos upload journal: authentication key"), masterKey, kHash);
}

QByteArray JournalSealer::generateKey()
{
    return randomBytes(kKeySize);
}

QByteArray JournalSealer::seal(const QByteArray &plaintext, const QByteArray &associatedData) const
{
    return sealWithNonce(plaintext, associatedData, randomBytes(kNonceSize));
}

QByteArray JournalSealer::sealWithNonce(const QByteArray &plaintext, const QByteArray &associatedData,
                                        const QByteArray &nonce) const
{
    if (!isValid() || nonce.size() != kNonceSize)
        return QByteArray();
    const QByteArray ciphertext = keystreamXor(nonce, plaintext);
    return QByteArray(1, kFormatVersion) + nonce + ciphertext + tag(nonce, associatedData, ciphertext);
}

std::optional<QByteArray> JournalSealer::open(const QByteArray &sealed, const QByteArray &associatedData) const
{
    if (!isValid() || sealed.size() < 1 + kNonceSize + kTagSize || sealed.at(0) != kFormatVersion)
        return std::nullopt;
    const QByteArray nonce = sealed.mid(1, kNonceSize);
    const QByteArray ciphertext = sealed.mid(1 + kNonceSize, sealed.size() - 1 - kNonceSize - kTagSize);
    const QByteArray storedTag = sealed.right(kTagSize);
    // The tag is checked before anything is decrypted (encrypt-then-MAC).
    if (!equalInConstantTime(storedTag, tag(nonce, associatedData, ciphertext)))
        return std::nullopt;
    return keystreamXor(nonce, ciphertext);
}

QByteArray JournalSealer::keystreamXor(const QByteArray &nonce, const QByteArray &input) const
{
    QByteArray output(input.size(), Qt::Uninitialized);
    QMessageAuthenticationCode block(kHash, m_encryptionKey);
    for (qsizetype offset = 0; offset < input.size(); offset += kBlockSize) {
        block.reset();
        block.addData(nonce);
        block.addData(bigEndian64(quint64(offset / kBlockSize)));
        const QByteArray keystream = block.result();
        const qsizetype length = qMin<qsizetype>(kBlockSize, input.size() - offset);
        for (qsizetype i = 0; i < length; ++i)
            output[offset + i] = char(input.at(offset + i) ^ keystream.at(i));
    }
    return output;
}

QByteArray JournalSealer::tag(const QByteArray &nonce, const QByteArray &associatedData,
                              const QByteArray &ciphertext) const
{
    QMessageAuthenticationCode mac(kHash, m_authenticationKey);
    mac.addData(QByteArray(1, kFormatVersion));
    mac.addData(nonce);
    // The length prefix keeps the boundary between ad and ciphertext
    // unambiguous: moving bytes from one to the other changes the tag.
    mac.addData(bigEndian64(quint64(associatedData.size())));
    mac.addData(associatedData);
    mac.addData(ciphertext);
    return mac.result();
}

} // namespace tenovos
