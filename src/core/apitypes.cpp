#include "apitypes.h"

#include <QCoreApplication>
#include <QJsonValue>

#include <algorithm>

namespace tenovos {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("tenovos::ApiTypes", text);
}

ApiError missingField(const QString &operation, const QString &field)
{
    return ApiError::malformed(operation, tr("the response has no \"%1\"").arg(field));
}

// v1.5 wraps responses in {"status", "message", "data": {...}}, while v1
// responses are flat.
QJsonObject unwrapData(const QJsonObject &root)
{
    const QJsonValue data = root.value(QLatin1String("data"));
    return data.isObject() ? data.toObject() : root;
}

// A string field, also accepting numbers (some ids arrive as numbers).
QString stringField(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (value.isString())
        return value.toString();
    if (value.isDouble())
        return QString::number(value.toInteger());
    return QString();
}

QString firstStringField(const QJsonObject &object, std::initializer_list<const char *> keys)
{
    for (const char *key : keys) {
        const QString value = stringField(object, QLatin1String(key));
        if (!value.isEmpty())
            return value;
    }
    return QString();
}

bool boolField(const QJsonObject &object, const QString &key, bool defaultValue)
{
    const QJsonValue value = object.value(key);
    if (value.isBool())
        return value.toBool();
    if (value.isString())
        return value.toString().compare(QLatin1String("true"), Qt::CaseInsensitive) == 0;
    if (value.isDouble())
        return value.toInt() != 0;
    return defaultValue;
}

int intField(const QJsonObject &object, const QString &key)
{
    const QJsonValue value = object.value(key);
    if (value.isString())
        return value.toString().toInt();
    return value.toInt();
}

// Lists arrive as a bare array or inside an object ("data" and a few other
// names seen in Tenovos samples).
Result<QJsonArray> unwrapList(const QJsonValue &root, const QString &operation,
                              std::initializer_list<const char *> keys)
{
    if (root.isArray())
        return root.toArray();
    if (!root.isObject())
        return ApiError::malformed(operation, tr("the response is not a JSON list"));
    const QJsonObject object = root.toObject();
    const QJsonValue data = object.value(QLatin1String("data"));
    if (data.isArray())
        return data.toArray();
    const QJsonObject inner = data.isObject() ? data.toObject() : object;
    for (const char *key : keys) {
        const QJsonValue value = inner.value(QLatin1String(key));
        if (value.isArray())
            return value.toArray();
    }
    return ApiError::malformed(operation, tr("the response has no list of items"));
}

// List items carry templateId/templateName directly (Tenovos samples) or
// inside a "template" object (the OpenAPI schema).
QJsonObject unwrapTemplate(const QJsonObject &item)
{
    const QJsonValue inner = item.value(QLatin1String("template"));
    return inner.isObject() ? inner.toObject() : item;
}

MetadataAttribute::Type attributeType(const QString &name)
{
    if (name.compare(QLatin1String("text"), Qt::CaseInsensitive) == 0
        || name.compare(QLatin1String("string"), Qt::CaseInsensitive) == 0)
        return MetadataAttribute::Type::Text;
    if (name.compare(QLatin1String("date"), Qt::CaseInsensitive) == 0)
        return MetadataAttribute::Type::Date;
    if (name.compare(QLatin1String("controlledVocabulary"), Qt::CaseInsensitive) == 0)
        return MetadataAttribute::Type::ControlledVocabulary;
    return MetadataAttribute::Type::Other;
}

} // namespace

Result<SessionTokens> SessionTokens::fromJson(const QJsonObject &root, const QString &operation)
{
    const QJsonObject data = unwrapData(root);
    const QJsonValue sessionValue = data.value(QLatin1String("session"));
    if (!sessionValue.isObject())
        return missingField(operation, QStringLiteral("session"));
    const QJsonObject session = sessionValue.toObject();

    SessionTokens tokens;
    tokens.username = stringField(data, QStringLiteral("username"));
    tokens.authorization = stringField(session, QStringLiteral("authorization"));
    tokens.accessToken = stringField(session, QStringLiteral("accessToken"));
    tokens.refreshToken = stringField(session, QStringLiteral("refreshToken"));
    const QJsonValue expire = session.value(QLatin1String("expireEpoch"));
    tokens.expireEpoch = expire.isString() ? expire.toString().toLongLong() : expire.toInteger();

    if (tokens.authorization.isEmpty())
        return missingField(operation, QStringLiteral("session.authorization"));
    if (tokens.accessToken.isEmpty())
        return missingField(operation, QStringLiteral("session.accessToken"));
    if (tokens.expireEpoch <= 0)
        return missingField(operation, QStringLiteral("session.expireEpoch"));
    return tokens;
}

QJsonObject CreateAssetRequest::toJson() const
{
    QJsonObject body;
    body.insert(QLatin1String("filename"), filename);
    if (filesize >= 0)
        body.insert(QLatin1String("filesize"), filesize);
    body.insert(QLatin1String("metadataTemplateId"), metadataTemplateId);
    body.insert(QLatin1String("securityTemplateIds"), QJsonArray::fromStringList(securityTemplateIds));
    body.insert(QLatin1String("metadata"), metadata);
    if (!originalFileId.isEmpty())
        body.insert(QLatin1String("originalFileId"), originalFileId);
    return body;
}

Result<CreatedAsset> CreatedAsset::fromJson(const QJsonObject &root, const QString &operation)
{
    const QJsonObject data = unwrapData(root);

    CreatedAsset asset;
    asset.objectId = stringField(data, QStringLiteral("objectId"));
    asset.fileId = stringField(data, QStringLiteral("fileId"));
    asset.originalFileId = stringField(data, QStringLiteral("originalFileId"));
    asset.filename = stringField(data, QStringLiteral("filename"));
    asset.uploadId = stringField(data, QStringLiteral("uploadId"));
    if (asset.objectId.isEmpty())
        return missingField(operation, QStringLiteral("objectId"));

    const QJsonValue urls = data.value(QLatin1String("urls"));
    if (urls.isArray()) {
        const QJsonArray list = urls.toArray();
        for (const QJsonValue &entry : list) {
            const QJsonObject item = entry.toObject();
            PartUrl part;
            part.partNumber = intField(item, QStringLiteral("partNumber"));
            part.url = item.value(QLatin1String("url")).toString().toUtf8();
            if (part.url.isEmpty())
                return missingField(operation, QStringLiteral("urls[].url"));
            if (part.partNumber <= 0)
                return missingField(operation, QStringLiteral("urls[].partNumber"));
            asset.urls.append(part);
        }
        std::sort(asset.urls.begin(), asset.urls.end(),
                  [](const PartUrl &a, const PartUrl &b) { return a.partNumber < b.partNumber; });
    }
    asset.url = data.value(QLatin1String("url")).toString().toUtf8();

    // Some servers send a single upload's URL as a one-entry "urls" list.
    if (asset.url.isEmpty() && asset.uploadId.isEmpty() && asset.urls.size() == 1)
        asset.url = asset.urls.constFirst().url;
    if (asset.isMultipart() && asset.urls.isEmpty())
        return missingField(operation, QStringLiteral("urls"));
    if (asset.isMultipart() && asset.fileId.isEmpty())
        return missingField(operation, QStringLiteral("fileId"));
    return asset;
}

QJsonObject CompleteUploadRequest::toJson() const
{
    QJsonObject body;
    body.insert(QLatin1String("fileId"), fileId);
    body.insert(QLatin1String("filename"), filename);
    body.insert(QLatin1String("filesize"), filesize);
    body.insert(QLatin1String("uploadId"), uploadId);
    if (!originalFileId.isEmpty())
        body.insert(QLatin1String("originalFileId"), originalFileId);
    body.insert(QLatin1String("action"),
                action == Action::Complete ? QLatin1String("complete") : QLatin1String("cancel"));
    QJsonArray partList;
    for (const CompletedPart &part : parts) {
        QJsonObject item;
        item.insert(QLatin1String("partNumber"), part.partNumber);
        // The ETag goes back byte for byte; S3 ETags are ASCII.
        item.insert(QLatin1String("etag"), QString::fromLatin1(part.etag));
        partList.append(item);
    }
    body.insert(QLatin1String("parts"), partList);
    return body;
}

Result<CompletedUpload> CompletedUpload::fromJson(const QJsonObject &root, const QString &operation)
{
    const QJsonObject data = unwrapData(root);
    CompletedUpload upload;
    upload.fileId = stringField(data, QStringLiteral("fileId"));
    upload.filename = stringField(data, QStringLiteral("filename"));
    upload.action = stringField(data, QStringLiteral("action"));
    upload.uploadId = stringField(data, QStringLiteral("uploadId"));
    upload.s3Key = stringField(data, QStringLiteral("s3Key"));

    const QString status = stringField(root, QStringLiteral("status"));
    if (!status.isEmpty() && status.compare(QLatin1String("success"), Qt::CaseInsensitive) != 0)
        return ApiError::malformed(operation, tr("the response has status \"%1\"").arg(status));
    return upload;
}

Result<AssetInfo> AssetInfo::fromJson(const QJsonObject &root, const QString &operation)
{
    const QJsonObject data = unwrapData(root);
    AssetInfo asset;
    asset.raw = data;
    asset.objectId = stringField(data, QStringLiteral("objectId"));
    asset.fileId = stringField(data, QStringLiteral("fileId"));
    asset.originalFileId = stringField(data, QStringLiteral("originalFileId"));
    asset.filename = stringField(data, QStringLiteral("filename"));
    asset.createdDate = stringField(data, QStringLiteral("createdDate"));
    const QJsonValue size = data.value(QLatin1String("fileSizeInBytes"));
    if (size.isDouble())
        asset.fileSizeInBytes = size.toInteger();
    else if (size.isString())
        asset.fileSizeInBytes = size.toString().toLongLong();
    asset.uploadId = stringField(data, QStringLiteral("uploadId"));
    if (asset.fileId.isEmpty())
        return missingField(operation, QStringLiteral("fileId"));
    return asset;
}

QDateTime AssetInfo::created() const
{
    QDateTime when = QDateTime::fromString(createdDate, Qt::ISODateWithMs);
    if (!when.isValid())
        when = QDateTime::fromString(createdDate, Qt::ISODate);
    if (!when.isValid()) {
        const QJsonValue epoch = raw.value(QLatin1String("createdEpoch"));
        if (epoch.isDouble())
            when = QDateTime::fromMSecsSinceEpoch(epoch.toInteger(), Qt::UTC);
    }
    return when.toUTC();
}

Result<QList<AssetInfo>> AssetInfo::listFromSearch(const QJsonValue &root, const QString &operation)
{
    const QJsonObject data = unwrapData(root.toObject());
    const QJsonValue result = data.value(QLatin1String("result"));
    if (!result.isArray())
        return missingField(operation, QStringLiteral("result"));
    QList<AssetInfo> assets;
    for (const QJsonValue &item : result.toArray()) {
        if (!item.isObject()) {
            return ApiError::malformed(operation,
                                       tr("an item of \"result\" is not an object"));
        }
        const Result<AssetInfo> asset = fromJson(item.toObject(), operation);
        if (!asset)
            return asset.error();
        assets.append(asset.value());
    }
    return assets;
}

Result<QList<SecurityTemplate>> SecurityTemplate::listFromJson(const QJsonValue &root,
                                                               const QString &operation)
{
    const Result<QJsonArray> list = unwrapList(root, operation, {"templates", "securityTemplates"});
    if (!list)
        return list.error();
    QList<SecurityTemplate> templates;
    for (const QJsonValue &entry : list.value()) {
        const QJsonObject item = unwrapTemplate(entry.toObject());
        SecurityTemplate securityTemplate;
        securityTemplate.id = firstStringField(item, {"templateId", "securityTemplateId", "id"});
        securityTemplate.name = firstStringField(item, {"templateName", "name"});
        if (securityTemplate.id.isEmpty())
            return missingField(operation, QStringLiteral("templateId"));
        templates.append(securityTemplate);
    }
    return templates;
}

Result<QList<MetadataTemplateSummary>> MetadataTemplateSummary::listFromJson(
    const QJsonValue &root, const QString &operation)
{
    const Result<QJsonArray> list = unwrapList(root, operation, {"templates", "metadataTemplates"});
    if (!list)
        return list.error();
    QList<MetadataTemplateSummary> templates;
    for (const QJsonValue &entry : list.value()) {
        const QJsonObject item = unwrapTemplate(entry.toObject());
        MetadataTemplateSummary summary;
        summary.id = firstStringField(item, {"templateId", "metadataTemplateId", "id"});
        summary.name = firstStringField(item, {"templateName", "name"});
        if (summary.id.isEmpty())
            return missingField(operation, QStringLiteral("templateId"));
        templates.append(summary);
    }
    return templates;
}

QList<MetadataAttribute> MetadataTemplate::attributes() const
{
    QList<MetadataAttribute> all;
    for (const MetadataGroup &group : groups)
        all.append(group.attributes);
    return all;
}

const MetadataAttribute *MetadataTemplate::findAttribute(const QString &key) const
{
    for (const MetadataGroup &group : groups) {
        for (const MetadataAttribute &attribute : group.attributes) {
            if (attribute.id == key)
                return &attribute;
        }
    }
    for (const MetadataGroup &group : groups) {
        for (const MetadataAttribute &attribute : group.attributes) {
            if (attribute.name.compare(key, Qt::CaseInsensitive) == 0)
                return &attribute;
        }
    }
    return nullptr;
}

Result<MetadataTemplate> MetadataTemplate::fromJson(const QJsonValue &root, const QString &operation)
{
    if (!root.isObject())
        return ApiError::malformed(operation, tr("the response is not a JSON object"));
    const QJsonObject data = unwrapData(root.toObject());
    // The schema wraps id and name in "template"; the groups may sit beside
    // it or inside it.
    const QJsonObject header = unwrapTemplate(data);

    MetadataTemplate result;
    result.id = firstStringField(header, {"templateId", "metadataTemplateId", "id"});
    result.name = firstStringField(header, {"templateName", "name"});
    QJsonValue groupsValue = data.value(QLatin1String("metadataGroups"));
    if (!groupsValue.isArray())
        groupsValue = header.value(QLatin1String("metadataGroups"));
    if (!groupsValue.isArray())
        return missingField(operation, QStringLiteral("metadataGroups"));

    const QJsonArray groupList = groupsValue.toArray();
    for (const QJsonValue &groupValue : groupList) {
        const QJsonObject groupObject = groupValue.toObject();
        MetadataGroup group;
        group.name = firstStringField(groupObject, {"metadataGroupName", "groupName", "name"});
        group.fieldOrder = groupObject.contains(QLatin1String("groupOrder"))
            ? intField(groupObject, QStringLiteral("groupOrder"))
            : intField(groupObject, QStringLiteral("fieldOrder"));
        const QJsonArray attributeList =
            groupObject.value(QLatin1String("metadataAttributes")).toArray();
        for (const QJsonValue &attributeValue : attributeList) {
            const QJsonObject object = attributeValue.toObject();
            MetadataAttribute attribute;
            attribute.id = firstStringField(object, {"id", "metadataDefinitionId", "attributeId"});
            attribute.name = firstStringField(object, {"name", "displayName", "label"});
            attribute.typeName = stringField(object, QStringLiteral("type"));
            attribute.type = attributeType(attribute.typeName);
            attribute.required = boolField(object, QStringLiteral("required"), false);
            attribute.readOnly = boolField(object, QStringLiteral("readonly"), false);
            attribute.visible = boolField(object, QStringLiteral("visible"), true);
            attribute.multipleSelect = boolField(object, QStringLiteral("isMultipleSelect"), false);
            attribute.vocabularyId = stringField(object, QStringLiteral("controlledVocabularyId"));
            attribute.fieldOrder = intField(object, QStringLiteral("fieldOrder"));
            if (attribute.id.isEmpty())
                return missingField(operation, QStringLiteral("metadataAttributes[].id"));
            group.attributes.append(attribute);
        }
        std::stable_sort(group.attributes.begin(), group.attributes.end(),
                         [](const MetadataAttribute &a, const MetadataAttribute &b) {
                             return a.fieldOrder < b.fieldOrder;
                         });
        result.groups.append(group);
    }
    std::stable_sort(result.groups.begin(), result.groups.end(),
                     [](const MetadataGroup &a, const MetadataGroup &b) {
                         return a.fieldOrder < b.fieldOrder;
                     });
    return result;
}

const VocabularyValue *Vocabulary::findValue(const QString &key) const
{
    for (const VocabularyValue &value : values) {
        if (value.id == key)
            return &value;
    }
    for (const VocabularyValue &value : values) {
        if (value.name.compare(key, Qt::CaseInsensitive) == 0)
            return &value;
    }
    return nullptr;
}

Result<Vocabulary> Vocabulary::fromJson(const QString &id, const QJsonValue &root,
                                        const QString &operation)
{
    // The values sit in a bare list, in "values", or in the vocabulary's
    // "metadataDocument" (as GET /metadata/vocabulary/{id} sends them).
    QJsonValue listRoot = root;
    if (root.isObject()) {
        const QJsonObject object = unwrapData(root.toObject());
        const QJsonValue document = object.value(QLatin1String("metadataDocument"));
        listRoot = document.isObject() ? document : QJsonValue(object);
    }
    const Result<QJsonArray> list = unwrapList(listRoot, operation, {"values", "vocabularyValues"});
    if (!list)
        return list.error();
    Vocabulary vocabulary;
    vocabulary.id = id;
    for (const QJsonValue &entry : list.value()) {
        const QJsonObject item = entry.toObject();
        VocabularyValue value;
        value.id = firstStringField(item, {"valueId", "id"});
        value.name = firstStringField(item, {"valueName", "name"});
        if (value.id.isEmpty())
            return missingField(operation, QStringLiteral("valueId"));
        vocabulary.values.append(value);
    }
    return vocabulary;
}

} // namespace tenovos
