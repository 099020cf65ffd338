#include "uploadengine.h"

#include "apiclient.h"
#include "logging.h"
#include "networkpool.h"
#include "session.h"
#include "uploadtask.h"

#include <QTimer>

namespace tenovos {

namespace {

constexpr int kMaxParallel = 16;

// One network manager per two parallel parts, at most eight: enough
// connections and HTTP threads without idle managers.
int networkPoolSize(int maxParallelParts)
{
    return qBound(1, (maxParallelParts + 1) / 2, 8);
}

} // namespace

UploadEngine::UploadEngine(QObject *parent)
    : QObject(parent)
{
    registerMetaTypes();
}

UploadEngine::~UploadEngine()
{
    // Tasks first: their destructors abort calls that need the client.
    qDeleteAll(m_tasks);
    m_tasks.clear();
}

void UploadEngine::ensureInitialized()
{
    if (m_client)
        return;
    m_client = new ApiClient(this);
    m_session = new Session(m_client, this);
    m_pool = new NetworkPool(this);

    connect(m_session, &Session::signedIn, this, [this](const QString &username) {
        Q_EMIT signedIn(username);
        requestSchedule();
    });
    connect(m_session, &Session::sessionExpired, this, [this](const ApiError &reason) {
        qCWarning(lcUpload).noquote() << "The session expired; files wait for a new sign-in";
        Q_EMIT signInRequired(m_session->username(), reason);
    });
    connect(m_session, &Session::signInFailed, this, &UploadEngine::signInFailed);
    connect(m_session, &Session::signedOut, this, &UploadEngine::signedOut);
    connect(m_session, &Session::refreshTokenChanged, this, &UploadEngine::refreshTokenChanged);
    applySettings();
}

bool UploadEngine::isSignedIn() const
{
    return m_session && m_session->isSignedIn();
}

QList<UploadResult> UploadEngine::results() const
{
    QList<UploadResult> results;
    results.reserve(m_tasks.size());
    for (const UploadTask *task : m_tasks)
        results.append(task->result());
    return results;
}

// --- Settings ---------------------------------------------------------------

void UploadEngine::configure(const EngineSettings &settings)
{
    m_settings = settings;
    m_settings.maxParallelParts = qBound(1, settings.maxParallelParts, kMaxParallel);
    m_settings.maxParallelFiles = qBound(1, settings.maxParallelFiles, kMaxParallel);
    m_settings.partSize = qMax<qint64>(1, settings.partSize);
    m_settings.multipartThreshold = qMax<qint64>(1, settings.multipartThreshold);
    m_settings.maxRetries = qMax(0, settings.maxRetries);
    m_settings.retryDelayMs = qMax(0, settings.retryDelayMs);
    ensureInitialized();
    applySettings();
    requestSchedule();
}

void UploadEngine::applySettings()
{
    m_client->setBaseUrl(m_settings.baseUrl);
    m_client->setApiKey(m_settings.apiKey);
    m_client->setTimeout(m_settings.requestTimeoutMs);
    m_client->setRetryPolicy(m_settings.maxRetries, m_settings.retryDelayMs);
    m_client->setOutageTolerance(m_settings.outageToleranceMs);
    m_session->setRenewalMargin(m_settings.renewalMarginSeconds);
    m_pool->setSize(networkPoolSize(m_settings.maxParallelParts));
}

void UploadEngine::setMaxParallelParts(int count)
{
    ensureInitialized();
    m_settings.maxParallelParts = qBound(1, count, kMaxParallel);
    m_pool->setSize(networkPoolSize(m_settings.maxParallelParts));
    qCInfo(lcUpload) << "Parts in flight:" << m_settings.maxParallelParts;
    requestSchedule();
}

void UploadEngine::setMaxParallelFiles(int count)
{
    ensureInitialized();
    m_settings.maxParallelFiles = qBound(1, count, kMaxParallel);
    requestSchedule();
}

// --- Session ----------------------------------------------------------------

void UploadEngine::signIn(const QString &username, const QString &password)
{
    ensureInitialized();
    m_signOutWhenIdle = false;
    m_session->signIn(username, password);
}

void UploadEngine::signInWithRefreshToken(const QString &username, const QString &refreshToken)
{
    ensureInitialized();
    m_signOutWhenIdle = false;
    m_session->signInWithRefreshToken(username, refreshToken);
}

void UploadEngine::signOut()
{
    ensureInitialized();
    cancelAll();
    bool busy = false;
    for (const UploadTask *task : std::as_const(m_tasks))
        busy = busy || task->isActive();
    if (busy) {
        // Cancelling needs the session; revoke it once the queue is idle.
        m_signOutWhenIdle = true;
        return;
    }
    m_session->signOut();
}

// --- Queue ------------------------------------------------------------------

void UploadEngine::enqueue(const UploadItemList &items, const UploadBatch &batch)
{
    ensureInitialized();
    for (const UploadItem &item : items) {
        if (item.id.isEmpty() || m_tasksById.contains(item.id)) {
            qCWarning(lcUpload).noquote() << "Skipping queue item with"
                                          << (item.id.isEmpty() ? QStringLiteral("an empty id")
                                                                : QStringLiteral("duplicate id ")
                                                                      + item.id);
            continue;
        }
        auto *task = new UploadTask(item, batch, m_client, m_pool, this);
        m_tasks.append(task);
        m_tasksById.insert(item.id, task);
        connectTask(task);
        Q_EMIT taskStateChanged(item.id, TaskState::Queued, ApiError());
    }
    // Files that fail their checks at once must still end in queueFinished().
    m_queueBusy = true;
    requestSchedule();
}

void UploadEngine::connectTask(UploadTask *task)
{
    const QString id = task->id();
    task->setJournal(m_journal, m_session->username());
    connect(task, &UploadTask::stateChanged, this,
            [this, id](TaskState state, const ApiError &error) {
                Q_EMIT taskStateChanged(id, state, error);
            });
    connect(task, &UploadTask::progressChanged, this,
            [this, id](qint64 sent, qint64 total) { Q_EMIT taskProgress(id, sent, total); });
    connect(task, &UploadTask::partsPlanned, this, [this, id](int count, qint64 partSize) {
        Q_EMIT taskPartsPlanned(id, count, partSize);
    });
    connect(task, &UploadTask::partProgress, this,
            [this, id](int partNumber, qint64 sent, qint64 total) {
                Q_EMIT partProgress(id, partNumber, sent, total);
            });
    connect(task, &UploadTask::partStateChanged, this, [this, id](int partNumber, PartState state) {
        Q_EMIT partStateChanged(id, partNumber, state);
    });
    connect(task, &UploadTask::waitingForServer, this, [this, id](const QDateTime &nextAttempt) {
        Q_EMIT taskWaitingForServer(id, nextAttempt);
    });
    connect(task, &UploadTask::finished, this, [this, task](const UploadResult &result) {
        Q_EMIT taskFinished(result.id, result);
        handleTaskFinished(task);
    });
    connect(task, &UploadTask::schedulingNeeded, this, &UploadEngine::requestSchedule);
}

void UploadEngine::handleTaskFinished(UploadTask *task)
{
    if (m_removeWhenFinished.remove(task->id()))
        removeTask(task);
    requestSchedule();
}

void UploadEngine::cancel(const QString &id)
{
    ensureInitialized();
    if (UploadTask *found = task(id))
        found->cancel();
}

void UploadEngine::cancelAll()
{
    ensureInitialized();
    qCInfo(lcUpload) << "Cancelling all unfinished files";
    // Cancelling may finish tasks synchronously; iterate over a copy.
    const QList<UploadTask *> tasks = m_tasks;
    for (UploadTask *each : tasks)
        each->cancel();
    // Callers wait for queueFinished(), also when nothing was under way.
    m_queueBusy = true;
    requestSchedule();
}

void UploadEngine::retry(const QString &id)
{
    ensureInitialized();
    if (UploadTask *found = task(id)) {
        if (!found->resetForRetry())
            qCInfo(lcUpload).noquote() << "Not retrying" << id << "because it has not failed or been cancelled";
        else
            m_queueBusy = true;
    }
}

void UploadEngine::remove(const QString &id)
{
    ensureInitialized();
    UploadTask *found = task(id);
    if (!found)
        return;
    if (found->holdsUploadForRetry()) {
        // The failed file's upload is still open on the server.
        m_removeWhenFinished.insert(id);
        found->discardHeldUpload();
        return;
    }
    if (!isFinalState(found->state())) {
        // Cancel first, so an open multipart upload is cancelled on the
        // server; the task goes when it finished (at once when idle).
        m_removeWhenFinished.insert(id);
        found->cancel();
        return;
    }
    removeTask(found);
    requestSchedule();
}

void UploadEngine::removeTask(UploadTask *task)
{
    const QString id = task->id();
    m_tasks.removeOne(task);
    m_tasksById.remove(id);
    disconnect(task, nullptr, this, nullptr);
    task->deleteLater();
    Q_EMIT taskRemoved(id);
}

void UploadEngine::pause(const QString &id)
{
    ensureInitialized();
    if (UploadTask *found = task(id))
        found->pause();
}

void UploadEngine::resume(const QString &id)
{
    ensureInitialized();
    if (UploadTask *found = task(id))
        found->resume();
}

void UploadEngine::pauseAll()
{
    ensureInitialized();
    qCInfo(lcUpload) << "Pausing all files";
    const QList<UploadTask *> tasks = m_tasks;
    for (UploadTask *each : tasks)
        each->pause();
}

void UploadEngine::resumeAll()
{
    ensureInitialized();
    qCInfo(lcUpload) << "Resuming all paused files";
    const QList<UploadTask *> tasks = m_tasks;
    for (UploadTask *each : tasks)
        each->resume();
}

UploadTask *UploadEngine::task(const QString &id) const
{
    return m_tasksById.value(id);
}

// --- Scheduler --------------------------------------------------------------

void UploadEngine::requestSchedule()
{
    // Coalesce: task signals arrive in bursts, and scheduling from inside a
    // task's signal would re-enter it.
    if (m_schedulePending)
        return;
    m_schedulePending = true;
    QTimer::singleShot(0, this, &UploadEngine::schedule);
}

void UploadEngine::schedule()
{
    m_schedulePending = false;

    int partsInFlight = 0;
    int filesInFlight = 0;
    for (const UploadTask *each : std::as_const(m_tasks)) {
        partsInFlight += each->activePartCount();
        if (each->isActive())
            ++filesInFlight;
    }

    // Parts of files already under way come first, in queue order, so the
    // earliest files finish first.
    for (UploadTask *each : std::as_const(m_tasks)) {
        while (partsInFlight < m_settings.maxParallelParts && each->hasStartablePart()) {
            each->startNextPart();
            ++partsInFlight;
        }
        if (partsInFlight >= m_settings.maxParallelParts)
            break;
    }

    // Then new files, while file slots are free and a session exists. Parts
    // of files under way go on without one, because the part URLs carry
    // their own signature. start() may finish a task at once (a missing
    // file), which frees its slot again.
    const QList<UploadTask *> tasks = m_session->isSignedIn() ? m_tasks : QList<UploadTask *>();
    for (UploadTask *each : tasks) {
        if (filesInFlight >= m_settings.maxParallelFiles)
            break;
        if (each->state() != TaskState::Queued)
            continue;
        each->start(m_settings);
        if (each->isActive())
            ++filesInFlight;
    }

    checkQueueFinished();
}

void UploadEngine::checkQueueFinished()
{
    bool busy = false;
    for (const UploadTask *each : std::as_const(m_tasks)) {
        if (each->isActive() || each->state() == TaskState::Queued) {
            busy = true;
            break;
        }
    }
    const bool wasBusy = m_queueBusy;
    m_queueBusy = busy;
    if (busy || !wasBusy)
        return;

    qCInfo(lcUpload) << "Queue finished";
    Q_EMIT queueFinished();
    if (m_signOutWhenIdle) {
        m_signOutWhenIdle = false;
        m_session->signOut();
    }
}

// --- Look-ups ---------------------------------------------------------------

void UploadEngine::loadSecurityTemplates()
{
    ensureInitialized();
    m_client->securityTemplates(this, [this](const Result<SecurityTemplateList> &result) {
        if (!result && result.error().kind() == ApiError::Kind::Forbidden) {
            // Listing security templates is an administrator call.
            ApiError error = result.error();
            error.setUserMessage(tr("Your Tenovos account may not list security templates (%1). "
                                    "Enter the security template ids instead.")
                                     .arg(error.serverMessage()));
            Q_EMIT securityTemplatesLoaded(error);
            return;
        }
        Q_EMIT securityTemplatesLoaded(result);
    });
}

void UploadEngine::loadMetadataTemplates()
{
    ensureInitialized();
    m_client->metadataTemplates(this, [this](const Result<MetadataTemplateList> &result) {
        Q_EMIT metadataTemplatesLoaded(result);
    });
}

void UploadEngine::loadMetadataTemplate(const QString &templateId)
{
    ensureInitialized();
    m_client->metadataTemplate(templateId, this,
                               [this, templateId](const Result<MetadataTemplate> &result) {
                                   if (!result && result.error().kind() == ApiError::Kind::NotFound) {
                                       ApiError error = result.error();
                                       error.setUserMessage(
                                           tr("The metadata template %1 was not found. Check the "
                                              "template id.")
                                               .arg(templateId));
                                       Q_EMIT metadataTemplateLoaded(templateId, error);
                                       return;
                                   }
                                   Q_EMIT metadataTemplateLoaded(templateId, result);
                               });
}

void UploadEngine::loadVocabulary(const QString &vocabularyId)
{
    ensureInitialized();
    m_client->vocabulary(vocabularyId, this,
                         [this, vocabularyId](const Result<Vocabulary> &result) {
                             Q_EMIT vocabularyLoaded(vocabularyId, result);
                         });
}

void UploadEngine::loadAsset(const QString &id)
{
    ensureInitialized();
    m_client->getAsset(id, this, [this, id](const Result<AssetInfo> &result) {
        if (!result && result.error().kind() == ApiError::Kind::NotFound) {
            ApiError error = result.error();
            error.setUserMessage(tr("The asset %1 was not found. Check the object id.").arg(id));
            Q_EMIT assetLoaded(id, error);
            return;
        }
        Q_EMIT assetLoaded(id, result);
    });
}

} // namespace tenovos
