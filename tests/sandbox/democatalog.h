#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace tenovos::sandbox {

// The fixed security templates, metadata templates and controlled
// vocabularies the sandbox serves. tests/sandbox/README.md lists the ids.
class DemoCatalog
{
public:
    enum class AttributeType { Text, Date, ControlledVocabulary };

    struct VocabularyValue
    {
        QString id;
        QString name;
    };

    struct Vocabulary
    {
        QString id;
        QString name;
        QList<VocabularyValue> values;
    };

    struct Attribute
    {
        QString id;
        QString name;
        AttributeType type = AttributeType::Text;
        bool required = false;
        bool readonly = false;
        bool visible = true;
        bool multipleSelect = false;
        QString vocabularyId;
        int fieldOrder = 0;
    };

    struct Group
    {
        QString name;
        int order = 0;
        QList<Attribute> attributes;
    };

    struct MetadataTemplate
    {
        QString id;
        QString name;
        QList<Group> groups;
    };

    struct SecurityTemplate
    {
        QString id;
        QString name;
    };

    // Ids of the demo data, for tests and the README.
    static constexpr char marketingInternalTemplateId[] = "969b726b-b60f-4996-af26-36c90b3af636";
    static constexpr char marketingPublicTemplateId[] = "1c2e2fe5-af8a-4eb6-83b4-7a7e16e6ee7b";
    static constexpr char marketingAssetTemplateId[] = "14b9034b-068f-47a4-bfbf-6d994dcd574f";
    static constexpr char productPhotoTemplateId[] = "9061a71e-d4cf-476d-a2c7-a52d006dcfe6";

    static const DemoCatalog &instance();

    const QList<SecurityTemplate> &securityTemplates() const { return m_securityTemplates; }
    const QList<MetadataTemplate> &metadataTemplates() const { return m_metadataTemplates; }
    const QList<Vocabulary> &vocabularies() const { return m_vocabularies; }

    bool hasSecurityTemplate(const QString &id) const;
    const MetadataTemplate *metadataTemplate(const QString &id) const;
    const Vocabulary *vocabulary(const QString &id) const;

    // JSON bodies of the look-up endpoints.
    QJsonArray securityTemplateListJson() const;
    QJsonArray metadataTemplateListJson() const;
    QJsonObject metadataTemplateJson(const MetadataTemplate &metadataTemplate) const;
    QJsonObject vocabularyJson(const Vocabulary &vocabulary) const;

    // Checks a create call's "metadata" array against a template: known
    // attribute ids, no value for read-only attributes, value shapes per type,
    // known vocabulary values, dates as mm/dd/yyyy and every required
    // attribute present. Returns an empty string when valid, else a message
    // naming the attribute.
    QString validateMetadata(const MetadataTemplate &metadataTemplate, const QJsonArray &metadata) const;

private:
    DemoCatalog();

    QString validateValue(const Attribute &attribute, const QJsonObject &item, bool *hasValue) const;

    QList<SecurityTemplate> m_securityTemplates;
    QList<MetadataTemplate> m_metadataTemplates;
    QList<Vocabulary> m_vocabularies;
};

} // namespace tenovos::sandbox
