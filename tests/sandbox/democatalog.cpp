#include "democatalog.h"

#include <QDate>
#include <QRegularExpression>
#include <QSet>

namespace tenovos::sandbox {

namespace {

// createdEpoch and lastUpdatedEpoch of every template, in milliseconds (2023-11-14).
constexpr qint64 catalogEpochMs = 1700000000000;

QString latin1(const char *text)
{
    return QString::fromLatin1(text);
}

QString typeName(DemoCatalog::AttributeType type)
{
    switch (type) {
    case DemoCatalog::AttributeType::Text:
        return QStringLiteral("text");
    case DemoCatalog::AttributeType::Date:
        return QStringLiteral("date");
    case DemoCatalog::AttributeType::ControlledVocabulary:
        return QStringLiteral("controlledVocabulary");
    }
    return QString();
}

QString searchField(const QString &name)
{
    return name.toLower().replace(QLatin1Char(' '), QLatin1Char('_'));
}

QString describe(const DemoCatalog::Attribute &attribute)
{
    return QStringLiteral("'%1' (%2)").arg(attribute.name, attribute.id);
}

} // namespace

const DemoCatalog &DemoCatalog::instance()
{
    static const DemoCatalog catalog;
    return catalog;
}

DemoCatalog::DemoCatalog()
{
    using Type = AttributeType;

    m_securityTemplates = {
        {latin1(marketingInternalTemplateId), QStringLiteral("Marketing – Internal")},
        {latin1(marketingPublicTemplateId), QStringLiteral("Marketing – Public")},
    };

    const QString regionVocabularyId = QStringLiteral("a4d75bbe-8fd9-46eb-81e7-5160dda24eff");
    const QString channelVocabularyId = QStringLiteral("76a2010e-082f-4b40-9905-ff8271887109");
    const QString usageVocabularyId = QStringLiteral("e1672551-eb39-4985-800f-6f79e35ab065");

    m_vocabularies = {
        {regionVocabularyId, QStringLiteral("Regions"),
         {{QStringLiteral("4eb680f3-0a68-4337-adfd-ae163403a9b9"), QStringLiteral("EMEA")},
          {QStringLiteral("d0d7af44-83ba-4be5-b8fc-61fc287def6e"), QStringLiteral("North America")},
          {QStringLiteral("f1cfb5f1-e5e4-4f39-98e0-abe3a7ddf186"), QStringLiteral("Latin America")},
          {QStringLiteral("52fe63fb-780f-43b5-aed2-6e755ff09dda"), QStringLiteral("Asia Pacific")}}},
        {channelVocabularyId, QStringLiteral("Channels"),
         {{QStringLiteral("f053df9c-b597-495d-9cf7-db3dae88280e"), QStringLiteral("Web")},
          {QStringLiteral("f6826f15-88fd-4270-bc87-408b4df2b1d2"), QStringLiteral("Social")},
          {QStringLiteral("f90b2402-ecca-4750-9723-201b49e792de"), QStringLiteral("Print")},
          {QStringLiteral("f87920f8-b5ea-4d21-b268-102b905bb1c7"), QStringLiteral("Email")},
          {QStringLiteral("d2485bdd-29b7-4fc6-9de4-dc3915c2d407"), QStringLiteral("Events")}}},
        {usageVocabularyId, QStringLiteral("Usage Rights"),
         {{QStringLiteral("8c2bf811-9234-4dd4-a392-a0df518c28e4"), QStringLiteral("Unlimited")},
          {QStringLiteral("bc68cc97-63c2-4567-8462-70ebc466fb36"), QStringLiteral("Editorial only")},
          {QStringLiteral("934a29a5-e0a9-4e0d-90f0-cc5afb77eb87"), QStringLiteral("Internal only")}}},
    };

    MetadataTemplate marketing;
    marketing.id = latin1(marketingAssetTemplateId);
    marketing.name = QStringLiteral("Marketing Asset");
    marketing.groups = {
        {QStringLiteral("General"), 1,
         {{QStringLiteral("ecab53e7-9621-4b7f-8700-e484e96bfb3d"), QStringLiteral("Title"), Type::Text,
           true, false, true, false, QString(), 1},
          {QStringLiteral("f30e18be-c77b-42ac-b4b8-23e7bea34060"), QStringLiteral("Description"), Type::Text,
           false, false, true, false, QString(), 2},
          {QStringLiteral("08eb2844-b7e8-44c1-ad8d-022608e5c9f9"), QStringLiteral("Embargo Date"), Type::Date,
           false, false, true, false, QString(), 3}}},
        {QStringLiteral("Classification"), 2,
         {{QStringLiteral("7452a4cd-3566-413c-8950-47b42b4d355f"), QStringLiteral("Region"),
           Type::ControlledVocabulary, true, false, true, false, regionVocabularyId, 1},
          {QStringLiteral("d18a47ec-83a1-4be8-9581-9c19a9588d7e"), QStringLiteral("Channels"),
           Type::ControlledVocabulary, false, false, true, true, channelVocabularyId, 2}}},
        {QStringLiteral("System"), 3,
         {{QStringLiteral("85864ca7-6d17-4517-96cc-f868acfb831a"), QStringLiteral("Asset Number"), Type::Text,
           false, true, true, false, QString(), 1},
          {QStringLiteral("03c1bedd-46b4-45ec-9784-fa7d3c26aa24"), QStringLiteral("Internal Reference"), Type::Text,
           false, false, false, false, QString(), 2}}},
    };

    MetadataTemplate productPhoto;
    productPhoto.id = latin1(productPhotoTemplateId);
    productPhoto.name = QStringLiteral("Product Photo");
    productPhoto.groups = {
        {QStringLiteral("Product"), 1,
         {{QStringLiteral("1aa093f4-e75f-48ec-b35a-6fd0f4cefd0e"), QStringLiteral("Product Name"), Type::Text,
           true, false, true, false, QString(), 1},
          {QStringLiteral("3cbf6a14-7347-4d2c-91e7-f63940a37b93"), QStringLiteral("Shoot Date"), Type::Date,
           false, false, true, false, QString(), 2},
          {QStringLiteral("6f644fc6-5a74-415a-961a-586fd9adb949"), QStringLiteral("Usage Rights"),
           Type::ControlledVocabulary, false, false, true, false, usageVocabularyId, 3}}},
    };

    m_metadataTemplates = {marketing, productPhoto};
}

bool DemoCatalog::hasSecurityTemplate(const QString &id) const
{
    for (const auto &securityTemplate : m_securityTemplates) {
        if (securityTemplate.id == id)
            return true;
    }
    return false;
}

const DemoCatalog::MetadataTemplate *DemoCatalog::metadataTemplate(const QString &id) const
{
    for (const auto &metadataTemplate : m_metadataTemplates) {
        if (metadataTemplate.id == id)
            return &metadataTemplate;
    }
    return nullptr;
}

const DemoCatalog::Vocabulary *DemoCatalog::vocabulary(const QString &id) const
{
    for (const auto &vocabulary : m_vocabularies) {
        if (vocabulary.id == id)
            return &vocabulary;
    }
    return nullptr;
}

QJsonArray DemoCatalog::securityTemplateListJson() const
{
    QJsonArray list;
    for (const auto &securityTemplate : m_securityTemplates) {
        list.append(QJsonObject{{QStringLiteral("templateId"), securityTemplate.id},
                                {QStringLiteral("templateName"), securityTemplate.name}});
    }
    return list;
}

QJsonArray DemoCatalog::metadataTemplateListJson() const
{
    QJsonArray list;
    for (const auto &metadataTemplate : m_metadataTemplates) {
        list.append(QJsonObject{{QStringLiteral("templateId"), metadataTemplate.id},
                                {QStringLiteral("templateName"), metadataTemplate.name},
                                {QStringLiteral("createdEpoch"), catalogEpochMs},
                                {QStringLiteral("lastUpdatedEpoch"), catalogEpochMs},
                                {QStringLiteral("templateType"), QJsonArray{QStringLiteral("default")}}});
    }
    return list;
}

QJsonObject DemoCatalog::metadataTemplateJson(const MetadataTemplate &metadataTemplate) const
{
    QJsonArray groups;
    for (const auto &group : metadataTemplate.groups) {
        QJsonArray attributes;
        for (const auto &attribute : group.attributes) {
            QJsonObject json{{QStringLiteral("id"), attribute.id},
                             {QStringLiteral("name"), attribute.name},
                             {QStringLiteral("type"), typeName(attribute.type)},
                             {QStringLiteral("required"), attribute.required},
                             {QStringLiteral("readonly"), attribute.readonly},
                             {QStringLiteral("visible"), attribute.visible},
                             {QStringLiteral("isMultipleSelect"), attribute.multipleSelect},
                             {QStringLiteral("fieldOrder"), attribute.fieldOrder},
                             {QStringLiteral("searchField"), searchField(attribute.name)},
                             {QStringLiteral("dateFormat"), attribute.type == AttributeType::Date
                                                                ? QStringLiteral("MM/dd/yyyy")
                                                                : QStringLiteral("N/A")}};
            if (attribute.type == AttributeType::ControlledVocabulary)
                json.insert(QStringLiteral("controlledVocabularyId"), attribute.vocabularyId);
            attributes.append(json);
        }
        groups.append(QJsonObject{{QStringLiteral("groupOrder"), group.order},
                                  {QStringLiteral("metadataGroupName"), group.name},
                                  {QStringLiteral("metadataGroupSearchField"), searchField(group.name)},
                                  {QStringLiteral("metadataAttributes"), attributes}});
    }

    const QJsonObject templateJson{{QStringLiteral("templateId"), metadataTemplate.id},
                                   {QStringLiteral("templateName"), metadataTemplate.name},
                                   {QStringLiteral("createdEpoch"), catalogEpochMs},
                                   {QStringLiteral("lastUpdatedEpoch"), catalogEpochMs},
                                   {QStringLiteral("templateType"), QJsonArray{QStringLiteral("default")}},
                                   {QStringLiteral("metadataGroups"), groups}};
    return QJsonObject{{QStringLiteral("template"), templateJson}};
}

QJsonObject DemoCatalog::vocabularyJson(const Vocabulary &vocabulary) const
{
    QJsonArray values;
    for (const auto &value : vocabulary.values) {
        values.append(QJsonObject{{QStringLiteral("valueId"), value.id}, {QStringLiteral("valueName"), value.name}});
    }
    return QJsonObject{{QStringLiteral("metadataDefinitionId"), vocabulary.id},
                       {QStringLiteral("metadataDefinitionName"), vocabulary.name},
                       {QStringLiteral("metadataDefinitionSearchField"), searchField(vocabulary.name)},
                       {QStringLiteral("metadataDefinitionType"), QStringLiteral("controlledVocabulary")},
                       {QStringLiteral("createdEpoch"), catalogEpochMs},
                       {QStringLiteral("lastUpdatedEpoch"), catalogEpochMs},
                       {QStringLiteral("metadataDocument"),
                        QJsonObject{{QStringLiteral("values"), values}, {QStringLiteral("searchable"), true}}}};
}

QString DemoCatalog::validateMetadata(const MetadataTemplate &metadataTemplate, const QJsonArray &metadata) const
{
    QHash<QString, const Attribute *> attributes;
    for (const auto &group : metadataTemplate.groups) {
        for (const auto &attribute : group.attributes)
            attributes.insert(attribute.id, &attribute);
    }

    QSet<QString> listed; // attribute ids seen in the array
    QSet<QString> given;  // attribute ids with a non-empty value
    for (qsizetype index = 0; index < metadata.size(); ++index) {
        const QJsonValue item = metadata.at(index);
        if (!item.isObject())
            return QStringLiteral("Invalid metadata: item %1 is not an object").arg(index);
        const QJsonObject object = item.toObject();
        const QString id = object.value(QStringLiteral("metadataDefinitionId")).toString();
        if (id.isEmpty())
            return QStringLiteral("Invalid metadata: item %1 has no metadataDefinitionId").arg(index);
        const Attribute *attribute = attributes.value(id);
        if (!attribute) {
            return QStringLiteral("Invalid metadata: attribute %1 is not part of metadata template '%2'")
                .arg(id, metadataTemplate.name);
        }
        if (listed.contains(id))
            return QStringLiteral("Invalid metadata: attribute %1 is given more than once").arg(describe(*attribute));
        listed.insert(id);

        bool hasValue = false;
        const QString error = validateValue(*attribute, object, &hasValue);
        if (!error.isEmpty())
            return error;
        if (hasValue)
            given.insert(id);
    }

    for (const auto &group : metadataTemplate.groups) {
        for (const auto &attribute : group.attributes) {
            if (attribute.required && !given.contains(attribute.id))
                return QStringLiteral("Invalid metadata: required attribute %1 is missing").arg(describe(attribute));
        }
    }
    return QString();
}

QString DemoCatalog::validateValue(const Attribute &attribute, const QJsonObject &item, bool *hasValue) const
{
    *hasValue = false;
    if (item.contains(QStringLiteral("metadataDefinitionTableValue")))
        return QStringLiteral("Invalid metadata: attribute %1 is not a table attribute").arg(describe(attribute));

    const QJsonValue value = item.value(QStringLiteral("metadataDefinitionValue"));
    if (value.isUndefined() || value.isNull())
        return QString();
    if (attribute.readonly)
        return QStringLiteral("Invalid metadata: attribute %1 is read-only").arg(describe(attribute));

    switch (attribute.type) {
    case AttributeType::Text: {
        if (!value.isString())
            return QStringLiteral("Invalid metadata: attribute %1 takes a text value").arg(describe(attribute));
        *hasValue = !value.toString().trimmed().isEmpty();
        return QString();
    }
    case AttributeType::Date: {
        if (!value.isString())
            return QStringLiteral("Invalid metadata: attribute %1 takes a date string mm/dd/yyyy").arg(describe(attribute));
        const QString text = value.toString();
        if (text.isEmpty())
            return QString();
        static const QRegularExpression datePattern(QStringLiteral("^\\d{2}/\\d{2}/\\d{4}$"));
        if (!datePattern.match(text).hasMatch() || !QDate::fromString(text, QStringLiteral("MM/dd/yyyy")).isValid()) {
            return QStringLiteral("Invalid metadata: attribute %1 has the date '%2'; expected a valid date as mm/dd/yyyy")
                .arg(describe(attribute), text);
        }
        *hasValue = true;
        return QString();
    }
    case AttributeType::ControlledVocabulary:
        break;
    }

    QJsonArray selected;
    if (value.isObject()) {
        selected.append(value);
    } else if (value.isArray()) {
        if (!attribute.multipleSelect)
            return QStringLiteral("Invalid metadata: attribute %1 takes one value, given as {\"valueId\": ...}")
                .arg(describe(attribute));
        selected = value.toArray();
    } else {
        return QStringLiteral("Invalid metadata: attribute %1 takes vocabulary values as {\"valueId\": ...}")
            .arg(describe(attribute));
    }

    const Vocabulary *vocabulary = this->vocabulary(attribute.vocabularyId);
    QSet<QString> seen;
    for (const QJsonValue &entry : std::as_const(selected)) {
        const QString valueId = entry.toObject().value(QStringLiteral("valueId")).toString();
        if (valueId.isEmpty())
            return QStringLiteral("Invalid metadata: attribute %1 has a value without valueId").arg(describe(attribute));
        bool known = false;
        for (const auto &vocabularyValue : vocabulary->values)
            known = known || vocabularyValue.id == valueId;
        if (!known) {
            return QStringLiteral("Invalid metadata: attribute %1 has the unknown vocabulary value %2")
                .arg(describe(attribute), valueId);
        }
        if (seen.contains(valueId))
            return QStringLiteral("Invalid metadata: attribute %1 lists value %2 twice").arg(describe(attribute), valueId);
        seen.insert(valueId);
    }
    *hasValue = !seen.isEmpty();
    return QString();
}

} // namespace tenovos::sandbox
