#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QStringList>

#include <optional>
#include <variant>

namespace tenovos::sandbox {

// Assets, their versions and the uploaded bytes. Part and content files live
// under <root>/objects/<objectId>/<fileId>/; everything else is in memory and
// gone when the server stops. Thread-safe: API handlers and PUT connections
// on worker threads share one store.
class AssetStore
{
public:
    enum class State { Pending, Uploading, Complete, Cancelled };

    struct CreateRequest
    {
        QString filename;
        qint64 filesize = -1; // -1: not sent
        QString metadataTemplateId;
        QStringList securityTemplateIds;
        QJsonArray metadata;
        QString originalFileId; // empty: a new asset
        qint64 partSize = 0;
        qint64 multipartThreshold = 0;
    };

    struct Created
    {
        QString objectId;
        QString fileId;
        QString originalFileId;
        QString filename;
        QString uploadId; // empty for a single upload
        int partCount = 0;
        qint64 partSize = 0;
    };

    // An S3 error for a PUT: HTTP status, S3 code and message.
    struct PutError
    {
        int status = 0;
        QByteArray code;
        QString message;
    };

    // Where one PUT's body goes: written to temporaryPath, moved to finalPath when complete.
    struct PutTarget
    {
        QString objectId;
        QString fileId;
        QString uploadId;
        int partNumber = 1;
        QString temporaryPath;
        QString finalPath;
    };

    struct PartEntry
    {
        int partNumber = 0;
        QString etag;
    };

    struct FinishRequest
    {
        QString fileId;
        QString uploadId;
        qint64 filesize = -1; // -1: not sent
        QList<PartEntry> parts;
        qint64 minPartSize = 0;
    };

    struct FinishResult
    {
        int status = 200;
        QString code;    // S3-like code on failure
        QString message;
        QString objectId;
        QString fileId;
        QString originalFileId;
        QString filename;
        QString uploadId;
        QString s3Key;
    };

    struct Content
    {
        QStringList files; // read in this order
        qint64 size = 0;
    };

    struct StoredMetadata
    {
        QString metadataTemplateId;
        QJsonArray metadata;
    };

    explicit AssetStore(const QString &rootDirectory);

    // Creates an asset, or a new version of the asset owning originalFileId.
    // Returns nothing when originalFileId is not a known file id.
    std::optional<Created> create(const CreateRequest &request);

    // Reserves the target of a PUT to /contentstore/masters/<objectId>/<key>:
    // the multipart upload with uploadId, or the newest single-upload version
    // of that object and key when uploadId is empty.
    std::variant<PutTarget, PutError> beginPut(const QString &objectId, const QString &key,
                                               const QString &uploadId, int partNumber);
    // Moves a fully received body into place and records its size and MD5.
    // Fails with NoSuchUpload when the upload finished while the body arrived.
    std::optional<PutError> finishPut(const PutTarget &target, qint64 size, const QByteArray &md5Hex);
    // Forgets a PUT whose body did not arrive completely, removing its temporary file.
    void abortPut(const PutTarget &target);

    // POST /asset/complete with action "complete": checks the part list the
    // way S3 does and assembles the content from the listed parts.
    FinishResult complete(const FinishRequest &request);
    // POST /asset/complete with action "cancel": discards the parts.
    FinishResult cancel(const FinishRequest &request);

    // The metadata of the current version of the asset that owns fileId;
    // nothing when fileId is unknown.
    std::optional<StoredMetadata> metadataOfFile(const QString &fileId) const;
    // The "data" object of GET /assets/asset/{id}, found by object id or any file id.
    std::optional<QJsonObject> assetJson(const QString &objectOrFileId) const;
    // The body of GET /sandbox/assets.
    QJsonArray toJson() const;
    // The stored bytes of an asset's current version, if it has any.
    std::optional<Content> content(const QString &objectId) const;
    // Hex MD5 of the current version's bytes, read from disk once and then
    // cached; empty when there are none.
    QByteArray contentMd5(const QString &objectId) const;
    // Multipart uploads neither completed nor cancelled.
    int openUploadCount() const;

private:
    struct StoredPart
    {
        qint64 size = 0;
        QString etag; // quoted hex MD5, as S3 sends it
        QString path;
    };

    struct Version
    {
        QString fileId;
        QString originalFileId;
        QString filename;
        qint64 declaredSize = -1;
        bool multipart = false;
        QString uploadId;
        int partCount = 0;
        qint64 partSize = 0;
        State state = State::Pending;
        int putsInFlight = 0;
        QMap<int, StoredPart> parts;
        Content content;
        QDateTime created;
        QString metadataTemplateId;
        QStringList securityTemplateIds;
        QJsonArray metadata;
        QString directory;
    };

    struct Asset
    {
        QString objectId;
        QDateTime created;
        QList<Version> versions; // oldest first
    };

    Version *findVersion(const QString &objectId, const QString &fileId);
    const Version *currentVersion(const Asset &asset) const;
    FinishResult finishFailure(const QString &code, const QString &message) const;
    // Finds the open multipart upload a complete or cancel call names, or sets *failure.
    Version *findOpenUpload(const FinishRequest &request, QString *objectId, FinishResult *failure);
    FinishResult finishSuccess(const QString &objectId, const Version &version) const;
    static QString stateName(const Version &version);

    QString m_root;
    mutable QMutex m_mutex;
    QHash<QString, Asset> m_assets;        // by object id
    QStringList m_objectOrder;             // object ids, oldest first
    QHash<QString, QString> m_objectByFileId;
    QHash<QString, QPair<QString, QString>> m_uploads; // upload id -> (object id, file id)
    mutable QHash<QString, QByteArray> m_contentMd5ByFileId;
};

} // namespace tenovos::sandbox
