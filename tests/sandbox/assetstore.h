#pragma once

#include <QByteArray>
#include <QDateTime>
#include <QHash>
#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QMutex>
#include <QStringList>

#include <functional>
#include <optional>
#include <variant>

namespace tenovos::sandbox {

class StateReader;

// Assets, their versions and the uploaded bytes. Part and content files live
// under <root>/objects/<objectId>/<fileId>/, one file per received PUT, so a
// second PUT of a part never overwrites a file the state refers to. The rest
// is in memory; toState() and restoreState() carry it across a restart.
// Thread-safe: API handlers and PUT connections on worker threads share one
// store.
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
    // The "data" object of GET /assets/asset/{id}: the current version for
    // an object id, that version for a file id. An open multipart upload
    // adds its "uploadId".
    std::optional<QJsonObject> assetJson(const QString &objectOrFileId) const;
    // The body of POST /search/keyword: {hitCount, result}, the assets whose
    // newest version's file name contains one of terms (ignoring case),
    // newest first, skipping from hits and returning at most limit.
    QJsonObject search(const QStringList &terms, int from, int limit) const;
    // The body of GET /sandbox/assets.
    QJsonArray toJson() const;
    // The stored bytes of an asset's current version, if it has any.
    std::optional<Content> content(const QString &objectId) const;
    // Hex MD5 of the current version's bytes, read from disk once and then
    // cached; empty when there are none.
    QByteArray contentMd5(const QString &objectId) const;
    // Multipart uploads neither completed nor cancelled.
    int openUploadCount() const;

    // Counts a PUT of a part (1 for a single upload) of the version that the
    // object id, key and upload id name. Does nothing when they name none.
    void countPut(const QString &objectId, const QString &key, const QString &uploadId, int partNumber);
    // PUTs received per part number of the version with this file id.
    QMap<int, int> putCounts(const QString &fileId) const;

    // Called after each change, with the store unlocked. Set before use.
    void setChangeHandler(std::function<void()> handler);
    // Every asset for the state file. Also moves the files that the state no
    // longer refers to into *obsoleteFiles: the caller removes them once this
    // state is saved, so a saved state never names a removed file.
    QJsonArray toState(QStringList *obsoleteFiles);
    // Returns the files no longer referenced and clears their list. A store
    // without a state file removes them at once.
    QStringList takeObsoleteFiles();
    // Replaces the assets with those of toState(). Parts whose file is gone
    // or has another size are dropped with a warning, because the client
    // must send them again. On a problem in the JSON, reader records it and
    // the store keeps what it had.
    void restoreState(const QJsonArray &state, StateReader *reader);
    // Removes files under <root>/objects that no state refers to: bodies of
    // PUTs cut off by a kill (*.partial) and part or content files of known
    // versions that were replaced just before a kill.
    void removeUnreferencedFiles() const;
    int assetCount() const;

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
        QMap<int, int> putCounts; // part number -> PUTs received
    };

    struct Asset
    {
        QString objectId;
        QDateTime created;
        QList<Version> versions; // oldest first
    };

    Version *findVersion(const QString &objectId, const QString &fileId);
    // The version a PUT to /contentstore/masters/<objectId>/<key> targets:
    // the multipart upload with uploadId, or the newest single-upload version
    // of that key when uploadId is empty. Null when there is none.
    Version *findPutVersion(const QString &objectId, const QString &key, const QString &uploadId);
    const Version *currentVersion(const Asset &asset) const;
    QJsonObject versionJson(const Asset &asset, const Version &version) const; // m_mutex held
    FinishResult finishFailure(const QString &code, const QString &message) const;
    // Finds the open multipart upload a complete or cancel call names, or sets *failure.
    Version *findOpenUpload(const FinishRequest &request, QString *objectId, FinishResult *failure);
    FinishResult finishSuccess(const QString &objectId, const Version &version) const;
    static QString stateName(const Version &version);
    QString versionDirectory(const QString &objectId, const QString &fileId) const;
    static QJsonObject versionState(const Version &version);
    static QJsonArray partsJson(const QMap<int, StoredPart> &parts);
    // Reads one version of toState(); on a problem reader records it.
    Version restoreVersion(const QJsonObject &item, const QString &objectId, const QString &path,
                           StateReader *reader) const;
    // Drops the parts of a restored version whose files are gone or changed.
    static void checkPartFiles(Version *version, const QString &objectId);

    QString m_root;
    mutable QMutex m_mutex;
    QHash<QString, Asset> m_assets;        // by object id
    QStringList m_objectOrder;             // object ids, oldest first
    QHash<QString, QString> m_objectByFileId;
    QHash<QString, QPair<QString, QString>> m_uploads; // upload id -> (object id, file id)
    mutable QHash<QString, QByteArray> m_contentMd5ByFileId;
    QStringList m_obsoleteFiles; // no longer referenced; removed after the next save
    std::function<void()> m_changeHandler;
};

} // namespace tenovos::sandbox
