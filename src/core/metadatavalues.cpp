#include "metadatavalues.h"

#include <QSet>

namespace tenovos {

namespace {

const QLatin1String kIdKey("metadataDefinitionId");
const QLatin1String kValueKey("metadataDefinitionValue");

ApiError invalidValue(const QString &message)
{
    ApiError error(ApiError::Kind::InvalidRequest, message);
    error.setRetryable(false);
    return error;
}

} // namespace

QJsonObject MetadataValues::textItem(const QString &attributeId, const QString &text)
{
    QJsonObject item;
    item.insert(kIdKey, attributeId);
    item.insert(kValueKey, text);
    return item;
}

QJsonObject MetadataValues::dateItem(const QString &attributeId, const QDate &date)
{
    return textItem(attributeId, formatDate(date));
}

QJsonObject MetadataValues::vocabularyItem(const QString &attributeId, const QStringList &valueIds,
                                           bool multipleSelect)
{
    QJsonObject item;
    item.insert(kIdKey, attributeId);
    if (valueIds.size() == 1 && !multipleSelect) {
        QJsonObject value;
        value.insert(QLatin1String("valueId"), valueIds.constFirst());
        item.insert(kValueKey, value);
        return item;
    }
    QJsonArray values;
    for (const QString &id : valueIds) {
        QJsonObject value;
        value.insert(QLatin1String("valueId"), id);
        values.append(value);
    }
    item.insert(kValueKey, values);
    return item;
}

QDate MetadataValues::parseDate(const QString &text)
{
    const QString trimmed = text.trimmed();
    QDate date = QDate::fromString(trimmed, QStringLiteral("yyyy-MM-dd"));
    if (!date.isValid())
        date = QDate::fromString(trimmed, QStringLiteral("MM/dd/yyyy"));
    if (!date.isValid())
        date = QDate::fromString(trimmed, QStringLiteral("M/d/yyyy"));
    return date;
}

QString MetadataValues::formatDate(const QDate &date)
{
    return date.toString(QStringLiteral("MM/dd/yyyy"));
}

Result<QJsonObject> MetadataValues::itemFromText(const MetadataAttribute &attribute,
                                                 const QString &text,
                                                 const Vocabulary *vocabulary)
{
    switch (attribute.type) {
    case MetadataAttribute::Type::Text:
    case MetadataAttribute::Type::Other:
        return textItem(attribute.id, text);

    case MetadataAttribute::Type::Date: {
        const QDate date = parseDate(text);
        if (!date.isValid()) {
            return invalidValue(tr("\"%1\" is not a date for %2. Write it as YYYY-MM-DD or "
                                   "mm/dd/yyyy, for example 2024-03-31.")
                                    .arg(text, attribute.name));
        }
        return dateItem(attribute.id, date);
    }

    case MetadataAttribute::Type::ControlledVocabulary: {
        if (!vocabulary) {
            return invalidValue(tr("The values of %1 could not be loaded, so \"%2\" cannot be "
                                   "checked. Try again.")
                                    .arg(attribute.name, text));
        }
        QStringList ids;
        const QStringList names = text.split(QLatin1Char(';'), Qt::SkipEmptyParts);
        for (const QString &name : names) {
            const VocabularyValue *value = vocabulary->findValue(name.trimmed());
            if (!value) {
                QStringList known;
                for (const VocabularyValue &each : vocabulary->values)
                    known.append(each.name);
                return invalidValue(tr("\"%1\" is not a value of %2. Use one of: %3.")
                                        .arg(name.trimmed(), attribute.name,
                                             known.join(QLatin1String(", "))));
            }
            if (!ids.contains(value->id))
                ids.append(value->id);
        }
        if (ids.isEmpty())
            return invalidValue(tr("No value is given for %1.").arg(attribute.name));
        if (ids.size() > 1 && !attribute.multipleSelect) {
            return invalidValue(tr("%1 takes one value, but %2 are given (\"%3\"). Choose one.")
                                    .arg(attribute.name, QString::number(ids.size()), text));
        }
        return vocabularyItem(attribute.id, ids, attribute.multipleSelect);
    }
    }
    return textItem(attribute.id, text);
}

QList<MetadataAttribute> MetadataValues::missingRequired(const MetadataTemplate &metadataTemplate,
                                                         const QJsonArray &items)
{
    QSet<QString> filledIds;
    for (const QJsonValue &item : items)
        filledIds.insert(item.toObject().value(kIdKey).toString());

    QList<MetadataAttribute> missing;
    const QList<MetadataAttribute> attributes = metadataTemplate.attributes();
    for (const MetadataAttribute &attribute : attributes) {
        if (attribute.required && attribute.visible && !attribute.readOnly
            && !filledIds.contains(attribute.id))
            missing.append(attribute);
    }
    return missing;
}

} // namespace tenovos
