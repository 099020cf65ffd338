#pragma once

#include "apitypes.h"
#include "uploadtypes.h"

#include <QHash>
#include <QList>
#include <QPair>
#include <QPointer>
#include <QSet>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <optional>

namespace Ui {
class UploadForm;
}

namespace tenovos {

class UploadEngine;

// The form filled in once for a batch of files: upload mode (new assets, a
// new version of an existing asset, a metadata-only asset), security
// templates, metadata template and its fields. It loads what it offers
// through the engine's look-ups and turns the user's entries into an
// UploadBatch.
//
// The engine lives in another thread: the form calls its look-up slots with
// queued QMetaObject::invokeMethod() calls and takes only the results of
// its own requests from the *Loaded signals. While look-ups run the form
// shows a busy bar; a failed look-up shows the API's message and a Retry
// button. When listing security templates is forbidden (HTTP 403, an
// administrator call), the form takes template ids typed by the user and
// offers the ids of the last accepted batch (QSettings key
// form/lastSecurityTemplateIds, stored by rememberBatch()).
class UploadForm : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(UploadForm)

public:
    explicit UploadForm(QWidget *parent = nullptr);
    ~UploadForm() override;

    // Connects to the engine's look-up signals; does not load anything yet
    // (see reload()). The form does not own the engine. nullptr disconnects.
    void setEngine(tenovos::UploadEngine *engine);

    // Loads security and metadata templates again, for example after
    // signing in, and looks up the asset of the new-version mode again. The
    // user's choices and field values are kept where they still apply.
    void reload();

    // Validates the form and returns the batch settings for
    // UploadEngine::enqueue(). On failure returns nothing and sets *error
    // (when given) to a message naming the field and what to do.
    std::optional<tenovos::UploadBatch> batchSettings(QString *error) const;

    // Chooses security templates, a metadata template and field values, for
    // example from the command line or a saved batch. Each part is applied
    // once what it needs has loaded. The ids wait for the security
    // templates, the template for the template list. meta waits for the
    // fields of the next metadata template built: the preselected one, or
    // the current one when metadataTemplateId is empty.
    // meta pairs an attribute name or id with a value as text: dates as
    // yyyy-MM-dd or mm/dd/yyyy, vocabulary values by name or id, several
    // separated by ';'. Values that do not fit are shown as notes in the
    // status line.
    void preselect(const QStringList &securityTemplateIds, const QString &metadataTemplateId,
                   const QList<QPair<QString, QString>> &meta);

    // Whether the template look-ups were started and none is still running.
    // Failed look-ups count as finished, and the status line shows their
    // errors.
    bool isReady() const;
    // Whether batchSettings() would succeed now.
    bool isValid() const { return m_valid; }

    tenovos::UploadMode mode() const;
    void setMode(tenovos::UploadMode mode);

    // Stores the batch's security template ids (and metadata template) as
    // the ones to offer next time. Call it when the batch was accepted, that
    // is, after UploadEngine::enqueue().
    void rememberBatch(const tenovos::UploadBatch &batch);

    // QSettings keys of the values rememberBatch() stores.
    static QString lastSecurityTemplateIdsKey();
    static QString lastMetadataTemplateIdKey();

Q_SIGNALS:
    void validityChanged(bool valid);
    void readyChanged(bool ready);
    void modeChanged(tenovos::UploadMode mode);

private:
    // A look-up whose result the form waits for or that failed.
    struct LookUp
    {
        enum class Kind { SecurityTemplates, MetadataTemplates, MetadataTemplate, Vocabulary };
        Kind kind;
        QString id; // template or vocabulary id; empty for the lists
        bool operator==(const LookUp &other) const { return kind == other.kind && id == other.id; }
    };
    struct Failure
    {
        LookUp lookUp;
        QString message;
    };
    enum class SecurityInput { NotLoaded, List, Ids };

    // Engine calls and their results.
    void startLookUp(const LookUp &lookUp);
    void lookUpAsset();
    void onSecurityTemplatesLoaded(const tenovos::Result<tenovos::SecurityTemplateList> &result);
    void onMetadataTemplatesLoaded(const tenovos::Result<tenovos::MetadataTemplateList> &result);
    void onMetadataTemplateLoaded(const QString &templateId,
                                  const tenovos::Result<tenovos::MetadataTemplate> &result);
    void onVocabularyLoaded(const QString &vocabularyId, const tenovos::Result<tenovos::Vocabulary> &result);
    void onAssetLoaded(const QString &id, const tenovos::Result<tenovos::AssetInfo> &result);
    bool finishLookUp(const LookUp &lookUp);
    void addFailure(const LookUp &lookUp, const QString &message);
    void retryFailed();

    // Security templates.
    void showSecurityList(const tenovos::SecurityTemplateList &templates);
    void showSecurityIdEntry(const QString &reason);
    void applyPreselectedSecurityIds();
    QStringList checkedSecurityIds() const;
    std::optional<QStringList> securityTemplateIds(QString *error) const;
    QStringList lastSecurityTemplateIds() const;

    // Metadata template and fields.
    void selectMetadataTemplate(const QString &templateId);
    void showMetadataTemplate(const tenovos::MetadataTemplate &metadataTemplate);
    QString currentMetadataTemplateId() const;

    // Modes and the asset of the new-version mode.
    void updateModeWidgets();
    void resetAsset();
    void showAsset();
    std::optional<QString> versionObjectId(QString *error) const;

    // State shown around the fields.
    void addNote(const QString &note);
    void updateStatus();
    void updateReady();
    void updateValidity();
    bool hasPendingLookUps() const;

    std::unique_ptr<Ui::UploadForm> m_ui;
    QPointer<UploadEngine> m_engine;

    bool m_started = false; // reload() has run with an engine
    bool m_ready = false;
    bool m_valid = false;
    QList<LookUp> m_pending;
    QList<Failure> m_failures;
    QStringList m_notes;

    SecurityInput m_securityInput = SecurityInput::NotLoaded;
    QHash<QString, tenovos::MetadataTemplate> m_templates; // loaded templates by id
    QHash<QString, tenovos::Vocabulary> m_vocabularies;    // loaded vocabularies by id

    // The asset of the new-version mode: the id looked up, and the result.
    QString m_assetId;
    bool m_assetPending = false;
    std::optional<tenovos::AssetInfo> m_asset;
    QString m_assetError;

    // Choices from preselect() that are not applied yet.
    std::optional<QStringList> m_preselectedSecurityIds;
    QString m_preselectedTemplateId;
    std::optional<QList<QPair<QString, QString>>> m_preselectedMeta;
};

} // namespace tenovos
