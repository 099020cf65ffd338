#include "journalurlsecrets.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

namespace tenovos {

namespace {

const QLatin1String kPartField("part");
const QLatin1String kCountField("count");
const QLatin1String kRemovedField("removed");

// A URL cut around its query, as received: beforeQuery + '?' + query +
// fragment, where '?' is there only when hasQuery.
struct UrlPieces
{
    QByteArray beforeQuery;
    QByteArray query;
    QByteArray fragment; // starting with '#', or empty
    bool hasQuery = false;

    QByteArray assemble() const { return hasQuery ? beforeQuery + '?' + query + fragment : beforeQuery + fragment; }
};

UrlPieces cut(const QByteArray &url)
{
    UrlPieces pieces;
    const qsizetype fragmentStart = url.indexOf('#');
    const QByteArray withoutFragment = fragmentStart >= 0 ? url.left(fragmentStart) : url;
    pieces.fragment = fragmentStart >= 0 ? url.mid(fragmentStart) : QByteArray();
    const qsizetype mark = withoutFragment.indexOf('?');
    pieces.hasQuery = mark >= 0;
    pieces.beforeQuery = pieces.hasQuery ? withoutFragment.left(mark) : withoutFragment;
    pieces.query = pieces.hasQuery ? withoutFragment.mid(mark + 1) : QByteArray();
    return pieces;
}

} // namespace

bool JournalUrlSecrets::isSecretParameter(const QByteArray &encodedName)
{
    // Names are decoded as S3 reads a query: '+' is a space.
    QByteArray name = encodedName;
    name.replace('+', ' ');
    name = QByteArray::fromPercentEncoding(name).toLower();
    return name == "x-amz-signature" || name == "x-amz-security-token" || name == "signature";
}

JournalUrlSecrets::Split JournalUrlSecrets::split(const QList<PartUrl> &urls)
{
    Split result;
    QJsonArray records;
    for (const PartUrl &url : urls) {
        UrlPieces pieces = cut(url.url);
        if (!pieces.hasQuery) {
            result.urls.append(url);
            continue;
        }
        const QByteArrayList pairs = pieces.query.split('&');
        QByteArrayList keptPairs;
        QJsonArray removed;
        for (qsizetype index = 0; index < pairs.size(); ++index) {
            const QByteArray &pair = pairs.at(index);
            const qsizetype equals = pair.indexOf('=');
            if (isSecretParameter(equals >= 0 ? pair.left(equals) : pair))
                removed.append(QJsonArray{double(index), QString::fromLatin1(pair)});
            else
                keptPairs.append(pair);
        }
        if (removed.isEmpty()) {
            result.urls.append(url);
            continue;
        }
        pieces.query = keptPairs.join('&');
        result.urls.append(PartUrl{url.partNumber, pieces.assemble()});
        records.append(QJsonObject{{kPartField, url.partNumber},
                                   {kCountField, double(pairs.size())},
                                   {kRemovedField, removed}});
    }
    if (!records.isEmpty())
        result.secrets = QJsonDocument(records).toJson(QJsonDocument::Compact);
    return result;
}

std::optional<QList<PartUrl>> JournalUrlSecrets::join(const QList<PartUrl> &urls, const QByteArray &secrets)
{
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(secrets, &parseError);
    if (parseError.error != QJsonParseError::NoError || !document.isArray())
        return std::nullopt;

    QHash<int, qsizetype> indexByPart;
    for (qsizetype i = 0; i < urls.size(); ++i)
        indexByPart.insert(urls.at(i).partNumber, i);

    QList<PartUrl> joined = urls;
    const QJsonArray records = document.array();
    for (const QJsonValue &value : records) {
        const QJsonObject record = value.toObject();
        const auto found = indexByPart.constFind(record.value(kPartField).toInt(-1));
        if (found == indexByPart.constEnd())
            return std::nullopt;
        PartUrl &url = joined[found.value()];
        UrlPieces pieces = cut(url.url);
        const qsizetype count = qsizetype(record.value(kCountField).toDouble(-1));
        const QJsonArray removed = record.value(kRemovedField).toArray();
        if (!pieces.hasQuery || count < removed.size() || removed.isEmpty())
            return std::nullopt;

        // An empty query splits into one empty pair, but stands for none
        // when every pair was removed.
        const qsizetype keptCount = count - removed.size();
        const QByteArrayList keptPairs = keptCount == 0 && pieces.query.isEmpty() ? QByteArrayList()
                                                                                  : pieces.query.split('&');
        if (keptPairs.size() != keptCount)
            return std::nullopt;

        QByteArrayList pairs;
        qsizetype nextKept = 0;
        qsizetype nextRemoved = 0;
        for (qsizetype index = 0; index < count; ++index) {
            const QJsonArray candidate = nextRemoved < removed.size() ? removed.at(nextRemoved).toArray() : QJsonArray();
            if (!candidate.isEmpty() && qsizetype(candidate.at(0).toDouble(-1)) == index) {
                pairs.append(candidate.at(1).toString().toLatin1());
                ++nextRemoved;
            } else if (nextKept < keptPairs.size()) {
                pairs.append(keptPairs.at(nextKept++));
            } else {
                return std::nullopt;
            }
        }
        if (nextRemoved != removed.size())
            return std::nullopt;
        pieces.query = pairs.join('&');
        url.url = pieces.assemble();
    }
    return joined;
}

} // namespace tenovos
