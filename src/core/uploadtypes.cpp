#include "uploadtypes.h"

#include "apitypes.h"
#include "result.h"

namespace tenovos {

bool isFinalState(TaskState state)
{
    return state == TaskState::Done || state == TaskState::Failed || state == TaskState::Cancelled;
}

QString taskStateName(TaskState state)
{
    switch (state) {
    case TaskState::Queued:
        return QStringLiteral("queued");
    case TaskState::Creating:
        return QStringLiteral("creating");
    case TaskState::Uploading:
        return QStringLiteral("uploading");
    case TaskState::Completing:
        return QStringLiteral("completing");
    case TaskState::Done:
        return QStringLiteral("done");
    case TaskState::Failed:
        return QStringLiteral("failed");
    case TaskState::Cancelled:
        return QStringLiteral("cancelled");
    case TaskState::Paused:
        return QStringLiteral("paused");
    }
    return QString();
}

QString partStateName(PartState state)
{
    switch (state) {
    case PartState::Pending:
        return QStringLiteral("pending");
    case PartState::Uploading:
        return QStringLiteral("uploading");
    case PartState::Retrying:
        return QStringLiteral("retrying");
    case PartState::Done:
        return QStringLiteral("done");
    case PartState::Failed:
        return QStringLiteral("failed");
    }
    return QString();
}

void registerMetaTypes()
{
    qRegisterMetaType<tenovos::ApiError>();
    qRegisterMetaType<tenovos::TaskState>();
    qRegisterMetaType<tenovos::PartState>();
    qRegisterMetaType<tenovos::UploadMode>();
    qRegisterMetaType<tenovos::EngineSettings>();
    qRegisterMetaType<tenovos::UploadBatch>();
    qRegisterMetaType<tenovos::UploadItem>();
    qRegisterMetaType<tenovos::UploadItemList>();
    // The alias lets string-based QMetaObject::invokeMethod() calls name the
    // typedef, as in Q_ARG(tenovos::UploadItemList, items).
    qRegisterMetaType<tenovos::UploadItemList>("tenovos::UploadItemList");
    qRegisterMetaType<tenovos::UploadResult>();
    qRegisterMetaType<tenovos::SessionTokens>();
    qRegisterMetaType<tenovos::AssetInfo>();
    qRegisterMetaType<tenovos::SecurityTemplate>();
    qRegisterMetaType<tenovos::MetadataTemplateSummary>();
    qRegisterMetaType<tenovos::MetadataTemplate>();
    qRegisterMetaType<tenovos::Vocabulary>();
    qRegisterMetaType<tenovos::Result<tenovos::AssetInfo>>();
    qRegisterMetaType<tenovos::Result<tenovos::SecurityTemplateList>>();
    qRegisterMetaType<tenovos::Result<tenovos::MetadataTemplateList>>();
    qRegisterMetaType<tenovos::Result<tenovos::MetadataTemplate>>();
    qRegisterMetaType<tenovos::Result<tenovos::Vocabulary>>();
}

} // namespace tenovos
