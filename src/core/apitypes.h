#pragma once

#include "result.h"

#include <QByteArray>
#include <QDateTime>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMetaType>
#include <QString>
#include <QStringList>

// Value types of the Tenovos REST API: request bodies the client builds and
// responses it parses. Each fromJson() accepts the shapes the contract
// allows (v1.5 responses wrapped in "data", flat v1 responses) and returns a
// MalformedResponse error naming the missing or wrong field otherwise.
namespace tenovos {

// The tokens of a signed-in session (POST /auth/token).
struct SessionTokens
{
    QString username;
    QString authorization; // sent as the Authorization header, as it is
    QString accessToken;   // sent as the AccessToken header
    QString refreshToken;  // renews the session; lives up to 30 days
    qint64 expireEpoch = 0; // when the access token expires, seconds since the epoch

    bool isValid() const { return !authorization.isEmpty() && !accessToken.isEmpty(); }

    static Result<SessionTokens> fromJson(const QJsonObject &root, const QString &operation);
};

// Body of POST /assets/asset.
struct CreateAssetRequest
{
    QString filename;
    qint64 filesize = -1; // bytes; negative: omitted, so the server returns a single upload URL
    QString metadataTemplateId;
    QStringList securityTemplateIds;
    QJsonArray metadata;
    QString originalFileId; // non-empty: the new asset is a new version of that file's asset

    QJsonObject toJson() const;
};

// One presigned part URL of a multipart upload, kept in the encoded form it
// arrived in.
struct PartUrl
{
    int partNumber = 0;
    QByteArray url;
};

// Response of POST /assets/asset.
struct CreatedAsset
{
    QString objectId;
    QString fileId;
    QString originalFileId;
    QString filename;
    QString uploadId;     // multipart uploads only
    QList<PartUrl> urls;  // multipart uploads; sorted by partNumber
    QByteArray url;       // single upload; also set from a one-entry "urls" without uploadId

    bool isMultipart() const { return !uploadId.isEmpty(); }

    static Result<CreatedAsset> fromJson(const QJsonObject &root, const QString &operation);
};

// One uploaded part as POST /asset/complete lists it.
struct CompletedPart
{
    int partNumber = 0;
    QByteArray etag; // exactly as S3 sent it, quotes included
};

// Body of POST /asset/complete.
struct CompleteUploadRequest
{
    enum class Action { Complete, Cancel };

    QString fileId;
    QString filename;
    qint64 filesize = 0;
    QString uploadId;
    QString originalFileId;
    Action action = Action::Complete;
    QList<CompletedPart> parts; // ascending partNumber

    QJsonObject toJson() const;
};

// Response of POST /asset/complete.
struct CompletedUpload
{
    QString fileId;
    QString filename;
    QString action;
    QString uploadId;
    QString s3Key;

    static Result<CompletedUpload> fromJson(const QJsonObject &root, const QString &operation);
};

// Response of GET /assets/asset/{id}: the asset's current version.
struct AssetInfo
{
    QString objectId;
    QString fileId;
    QString originalFileId;
    QString filename;
    qint64 fileSizeInBytes = -1; // -1 when the response has no size (no content yet)
    QString createdDate;
    // The multipart upload still open for this file, when the service reports one.
    QString uploadId;
    QJsonObject raw; // the whole "data" object, for fields not modelled here

    // createdDate (ISO 8601) or createdEpoch (milliseconds) as UTC; invalid
    // when neither is present or parses.
    QDateTime created() const;

    static Result<AssetInfo> fromJson(const QJsonObject &root, const QString &operation);
    // The assets of a POST /search/keyword response: {hitCount, result: [...]},
    // also inside "data".
    static Result<QList<AssetInfo>> listFromSearch(const QJsonValue &root, const QString &operation);
};

// An item of GET /security/template.
struct SecurityTemplate
{
    QString id;
    QString name;

    static Result<QList<SecurityTemplate>> listFromJson(const QJsonValue &root,
                                                        const QString &operation);
};

// An item of GET /metadata/template.
struct MetadataTemplateSummary
{
    QString id;
    QString name;

    static Result<QList<MetadataTemplateSummary>> listFromJson(const QJsonValue &root,
                                                               const QString &operation);
};

// One attribute (field) of a metadata template.
struct MetadataAttribute
{
    enum class Type { Text, Date, ControlledVocabulary, Other };

    QString id;
    QString name;
    Type type = Type::Text;
    QString typeName; // as the server sent it
    bool required = false;
    bool readOnly = false;
    bool visible = true;
    bool multipleSelect = false;
    QString vocabularyId; // controlledVocabularyId
    int fieldOrder = 0;
};

struct MetadataGroup
{
    QString name;
    int fieldOrder = 0;
    QList<MetadataAttribute> attributes; // sorted by fieldOrder
};

// Response of GET /metadata/template/{id}.
struct MetadataTemplate
{
    QString id;
    QString name;
    QList<MetadataGroup> groups; // sorted by fieldOrder

    // Every attribute of every group, in display order.
    QList<MetadataAttribute> attributes() const;

    // The attribute whose id equals key, else the one whose name equals key
    // (case-insensitive); nullptr when none matches.
    const MetadataAttribute *findAttribute(const QString &key) const;

    static Result<MetadataTemplate> fromJson(const QJsonValue &root, const QString &operation);
};

struct VocabularyValue
{
    QString id;
    QString name;
};

// Response of GET /metadata/vocabulary/{id}.
struct Vocabulary
{
    QString id;
    QList<VocabularyValue> values;

    // The value whose id equals key, else the one whose name equals key
    // (case-insensitive); nullptr when none matches.
    const VocabularyValue *findValue(const QString &key) const;

    static Result<Vocabulary> fromJson(const QString &id, const QJsonValue &root,
                                       const QString &operation);
};

using SecurityTemplateList = QList<SecurityTemplate>;
using MetadataTemplateList = QList<MetadataTemplateSummary>;

} // namespace tenovos

Q_DECLARE_METATYPE(tenovos::SessionTokens)
Q_DECLARE_METATYPE(tenovos::AssetInfo)
Q_DECLARE_METATYPE(tenovos::SecurityTemplate)
Q_DECLARE_METATYPE(tenovos::MetadataTemplateSummary)
Q_DECLARE_METATYPE(tenovos::MetadataTemplate)
Q_DECLARE_METATYPE(tenovos::Vocabulary)
Q_DECLARE_METATYPE(tenovos::Result<tenovos::AssetInfo>)
Q_DECLARE_METATYPE(tenovos::Result<tenovos::SecurityTemplateList>)
Q_DECLARE_METATYPE(tenovos::Result<tenovos::MetadataTemplateList>)
Q_DECLARE_METATYPE(tenovos::Result<tenovos::MetadataTemplate>)
Q_DECLARE_METATYPE(tenovos::Result<tenovos::Vocabulary>)
