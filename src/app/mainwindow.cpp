#include "mainwindow.h"

#include "accountmanager.h"
#include "applogging.h"
#include "credentialstore.h"
#include "diagnostics.h"
#include "displayformat.h"
#include "droparea.h"
#include "enginethread.h"
#include "entrydetails.h"
#include "logfile.h"
#include "partsmodel.h"
#include "progressdelegate.h"
#include "resumeoffer.h"
#include "signindialog.h"
#include "ui_mainwindow.h"
#include "uploadengine.h"
#include "uploadform.h"
#include "uploadtask.h"

#include <QAction>
#include <QClipboard>
#include <QCloseEvent>
#include <QDir>
#include <QFileDialog>
#include <QFileInfo>
#include <QGuiApplication>
#include <QHeaderView>
#include <QLabel>
#include <QMenu>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QStandardPaths>
#include <QStatusBar>

// Q_INIT_RESOURCE must be used outside any namespace. The icons are
// compiled into the static library, which the linker would otherwise drop.
static void initAppResources()
{
    Q_INIT_RESOURCE(tenovos_uploader);
}

namespace tenovos {

namespace {

// Files named one by one in the log when added; the rest are counted.
constexpr int kLoggedFilesPerBatch = 20;

const QLatin1String kLastFolderKey("dialogs/lastFolder");
const QLatin1String kGeometryKey("window/geometry");
const QLatin1String kMainSplitterKey("window/mainSplitter");
const QLatin1String kQueueSplitterKey("window/queueSplitter");
const QLatin1String kQueueHeaderKey("window/queueHeader");

} // namespace

MainWindow::MainWindow(const AppOptions &options, QWidget *parent)
    : QMainWindow(parent)
    , m_ui(std::make_unique<Ui::MainWindow>())
    , m_options(options)
    , m_engineThread(new EngineThread(this))
    , m_engine(m_engineThread->engine())
    , m_credentials(new CredentialStore(CredentialStore::defaultServiceName(), this))
    , m_account(new AccountManager(m_engine, m_credentials, &m_settings, this))
    , m_queue(new QueueModel(this))
    , m_parts(new PartsModel(m_queue, this))
    , m_form(new UploadForm(this))
    , m_expander(new PathExpander(this))
{
    initAppResources();
    m_ui->setupUi(this);

    EngineSettings engineSettings;
    engineSettings.maxParallelParts = options.parallelParts;
    engineSettings.maxParallelFiles = options.parallelFiles;
    engineSettings.partSize = options.partSize;
    m_account->setEngineSettings(engineSettings);
    m_autoStart = options.start;

    m_ui->formContainerLayout->addWidget(m_form);
    m_ui->mainSplitter->setStretchFactor(0, 0);
    m_ui->mainSplitter->setStretchFactor(1, 1);
    m_ui->mainSplitter->setSizes({360, 740});
    m_ui->queueSplitter->setStretchFactor(0, 3);
    m_ui->queueSplitter->setStretchFactor(1, 1);
    m_ui->emptyIconLabel->setPixmap(QIcon(QStringLiteral(":/icons/drop.svg")).pixmap(64, 64));
    QFont hintFont = m_ui->emptyHintLabel->font();
    hintFont.setPointSizeF(hintFont.pointSizeF() * 1.5);
    m_ui->emptyHintLabel->setFont(hintFont);

    m_form->setEngine(m_engine);
    if (!options.securityTemplateIds.isEmpty() || !options.metadataTemplateId.isEmpty()
        || !options.metadata.isEmpty()) {
        m_form->preselect(options.securityTemplateIds, options.metadataTemplateId, options.metadata);
    }

    setupActions();
    setupQueueView();
    setupStatusBar();
    connectEngine();
    connectAccount();

    connect(m_ui->dropArea, &DropArea::filesDropped, this, &MainWindow::onFilesCollected);
    connect(m_ui->dropArea, &DropArea::dropRejected, this,
            [this](const QString &message) { showWarning(tr("Some items were not added"), message); });
    connect(m_expander, &PathExpander::expanded, this, &MainWindow::onFilesCollected);
    connect(m_form, &UploadForm::validityChanged, this, [this] {
        updateActions();
        checkAutoStart();
    });
    connect(m_form, &UploadForm::readyChanged, this, &MainWindow::checkAutoStart);
    connect(m_form, &UploadForm::modeChanged, this, &MainWindow::updateActions);

    m_closeTimer.setSingleShot(true);
    m_closeTimer.setInterval(kCloseTimeoutMs);
    connect(&m_closeTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcUi) << "The engine did not finish cancelling within" << kCloseTimeoutMs << "ms; quitting";
        finishShutdown();
    });

    restoreWindowState();
    updateActions();
    updateStatusBar();
}

MainWindow::~MainWindow()
{
    // The engine thread goes first, so no queued engine signal reaches the
    // models while they are destroyed.
    delete m_engineThread;
    m_engineThread = nullptr;
}

DropArea *MainWindow::dropArea() const
{
    return m_ui->dropArea;
}

QAction *MainWindow::uploadAction() const
{
    return m_ui->actionUpload;
}

void MainWindow::invokeEngine(const std::function<void(UploadEngine *)> &call)
{
    QMetaObject::invokeMethod(
        m_engine, [engine = m_engine, call] { call(engine); }, Qt::QueuedConnection);
}

// --- Set-up -----------------------------------------------------------------

void MainWindow::setupActions()
{
    connect(m_ui->actionAddFiles, &QAction::triggered, this, &MainWindow::chooseFiles);
    connect(m_ui->actionAddFolder, &QAction::triggered, this, &MainWindow::chooseFolder);
    connect(m_ui->addFilesButton, &QPushButton::clicked, this, &MainWindow::chooseFiles);
    connect(m_ui->addFolderButton, &QPushButton::clicked, this, &MainWindow::chooseFolder);
    connect(m_ui->actionSignIn, &QAction::triggered, this, [this] { showSignInDialog(); });
    connect(m_ui->actionSignOut, &QAction::triggered, this, &MainWindow::confirmSignOut);
    connect(m_ui->actionQuit, &QAction::triggered, this, &QWidget::close);
    connect(m_ui->actionUpload, &QAction::triggered, this, &MainWindow::startUpload);
    connect(m_ui->uploadButton, &QPushButton::clicked, this, &MainWindow::startUpload);
    connect(m_ui->actionPause, &QAction::triggered, this, &MainWindow::pauseSelected);
    connect(m_ui->actionResume, &QAction::triggered, this, &MainWindow::resumeSelected);
    m_pauseAllAction = new QAction(tr("Pause &All"), this);
    m_pauseAllAction->setToolTip(tr("Pause every upload; parts in flight are sent again on resume"));
    m_resumeAllAction = new QAction(tr("Resume A&ll"), this);
    m_resumeAllAction->setToolTip(tr("Resume every paused upload"));
    m_ui->queueMenu->insertActions(m_ui->actionCancel, {m_pauseAllAction, m_resumeAllAction});
    connect(m_pauseAllAction, &QAction::triggered, this,
            [this] { invokeEngine([](UploadEngine *engine) { engine->pauseAll(); }); });
    connect(m_resumeAllAction, &QAction::triggered, this,
            [this] { invokeEngine([](UploadEngine *engine) { engine->resumeAll(); }); });
    connect(m_ui->actionCancel, &QAction::triggered, this, &MainWindow::cancelSelected);
    connect(m_ui->actionRetry, &QAction::triggered, this, &MainWindow::retrySelected);
    connect(m_ui->actionRemove, &QAction::triggered, this, &MainWindow::removeSelected);
    connect(m_ui->actionClearFinished, &QAction::triggered, this, &MainWindow::clearFinished);
    connect(m_ui->actionAbout, &QAction::triggered, this, &MainWindow::showAbout);
    QAction *copyDiagnosticsAction = new QAction(tr("Copy &Diagnostics"), this);
    copyDiagnosticsAction->setObjectName(QStringLiteral("actionCopyDiagnostics"));
    copyDiagnosticsAction->setToolTip(tr("Copy versions, settings without passwords or keys, and the last log "
                                         "lines, for a support request"));
    connect(copyDiagnosticsAction, &QAction::triggered, this, &MainWindow::copyDiagnostics);
    m_ui->helpMenu->insertAction(m_ui->actionAbout, copyDiagnosticsAction);
    m_ui->uploadButton->setIcon(m_ui->actionUpload->icon());
    // Delete removes files only while the queue has the focus, not while a
    // form field is being edited.
    m_ui->queueView->addAction(m_ui->actionRemove);
}

void MainWindow::setupQueueView()
{
    QTableView *view = m_ui->queueView;
    view->setModel(m_queue);
    view->setItemDelegate(new ProgressDelegate(view));
    // Fixed row heights and column widths keep 10,000 rows cheap: the view
    // never measures rows it does not show.
    view->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    view->verticalHeader()->setDefaultSectionSize(view->fontMetrics().height() + 10);
    QHeaderView *header = view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(QueueModel::FileColumn, QHeaderView::Stretch);
    header->resizeSection(QueueModel::SizeColumn, 80);
    header->resizeSection(QueueModel::StateColumn, 240);
    header->resizeSection(QueueModel::ProgressColumn, 120);
    header->resizeSection(QueueModel::SpeedColumn, 90);
    header->resizeSection(QueueModel::TimeLeftColumn, 80);

    QTableView *partsView = m_ui->partsView;
    partsView->setModel(m_parts);
    partsView->setItemDelegate(new ProgressDelegate(partsView));
    partsView->verticalHeader()->setSectionResizeMode(QHeaderView::Fixed);
    partsView->verticalHeader()->setDefaultSectionSize(partsView->fontMetrics().height() + 8);
    partsView->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    partsView->horizontalHeader()->setSectionResizeMode(PartsModel::ProgressColumn, QHeaderView::Stretch);
    partsView->horizontalHeader()->resizeSection(PartsModel::StateColumn, 120);

    connect(view, &QWidget::customContextMenuRequested, this, &MainWindow::showContextMenu);
    connect(view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &MainWindow::updateActions);
    connect(view->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
            &MainWindow::onCurrentRowChanged);
    connect(view, &QAbstractItemView::doubleClicked, this, [this] {
        m_ui->detailsTabs->setCurrentWidget(m_ui->detailsTab);
    });
    connect(m_queue, &QueueModel::summaryChanged, this, &MainWindow::onQueueChanged);
}

void MainWindow::onQueueChanged()
{
    // One pass over the rows per change; the updates below share it.
    m_summary = m_queue->summary();
    // "Uploading n files." is stale as soon as nothing uploads any more.
    if (m_summary.active == 0 && !m_uploadingMessage.isEmpty()) {
        if (statusBar()->currentMessage() == m_uploadingMessage)
            statusBar()->clearMessage();
        m_uploadingMessage.clear();
    }
    m_ui->queueStack->setCurrentWidget(m_summary.rows > 0 ? m_ui->queuePage : m_ui->emptyPage);
    updateStatusBar();
    updateActions();
    updateDetails();
    if (m_closing && m_summary.active == 0 && m_summary.paused == 0)
        finishShutdown();
}

void MainWindow::setupStatusBar()
{
    m_summaryLabel = new QLabel(this);
    m_overallProgress = new QProgressBar(this);
    m_overallProgress->setRange(0, 1000);
    m_overallProgress->setMaximumWidth(200);
    m_overallProgress->setTextVisible(false);
    m_speedLabel = new QLabel(this);
    m_accountLabel = new QLabel(this);
    statusBar()->addPermanentWidget(m_summaryLabel);
    statusBar()->addPermanentWidget(m_overallProgress);
    statusBar()->addPermanentWidget(m_speedLabel);
    statusBar()->addPermanentWidget(m_accountLabel);
}

void MainWindow::connectEngine()
{
    // The engine lives in its own thread, so these connections are queued.
    connect(m_engine, &UploadEngine::taskStateChanged, m_queue, &QueueModel::onTaskStateChanged);
    connect(m_engine, &UploadEngine::taskProgress, m_queue, &QueueModel::onTaskProgress);
    connect(m_engine, &UploadEngine::taskPartsPlanned, m_queue, &QueueModel::onTaskPartsPlanned);
    connect(m_engine, &UploadEngine::partProgress, m_queue, &QueueModel::onPartProgress);
    connect(m_engine, &UploadEngine::partStateChanged, m_queue, &QueueModel::onPartStateChanged);
    connect(m_engine, &UploadEngine::taskWaitingForServer, m_queue,
            &QueueModel::onTaskWaitingForServer);
    connect(m_engine, &UploadEngine::taskFinished, m_queue, &QueueModel::onTaskFinished);
    connect(m_engine, &UploadEngine::taskRemoved, m_queue, &QueueModel::onTaskRemoved);
    connect(m_engine, &UploadEngine::taskFinished, this, [](const QString &, const UploadResult &result) {
        if (result.state == TaskState::Done) {
            qCInfo(lcUi).noquote() << "Uploaded" << result.filename << "as object" << result.objectId;
        } else if (result.state == TaskState::Failed) {
            qCWarning(lcUi).noquote() << "Upload of" << result.filename << "failed:" << result.error.logMessage();
        }
    });
    connect(m_engine, &UploadEngine::queueFinished, this, [this] {
        if (m_closing)
            finishShutdown();
    });
    // The sign-in dialog opens through AccountManager::signInFailed, which
    // follows. This status message shows that the uploads wait.
    connect(m_engine, &UploadEngine::signInRequired, this, [this](const QString &username) {
        statusBar()->showMessage(tr("The session of %1 expired. The uploads wait and continue "
                                    "where they stopped once you sign in again.")
                                     .arg(username));
    });
}

void MainWindow::connectAccount()
{
    connect(m_account, &AccountManager::stateChanged, this, [this] {
        updateStatusBar();
        updateActions();
    });
    connect(m_account, &AccountManager::signedIn, this, [this](const QString &username) {
        if (m_signInDialog)
            m_signInDialog->finish();
        statusBar()->showMessage(tr("Signed in as %1.").arg(username), 5000);
        m_form->reload();
        checkAutoStart();
    });
    connect(m_account, &AccountManager::signInFailed, this, [this](const QString &message, const ApiError &error) {
        if (m_closing)
            return;
        showSignInDialog(message, error.httpStatus() == 401);
    });
    connect(m_account, &AccountManager::signedOut, this, [this] {
        if (m_closing)
            finishShutdown();
    });
    connect(m_account, &AccountManager::keychainProblem, this,
            [this](const QString &message) { showWarning(tr("Sign-in not saved"), message); });
}

// --- Starting ---------------------------------------------------------------

void MainWindow::start()
{
    // Uploads a crash or kill left unfinished are offered for resuming.
    (new ResumeOffer(m_engine, m_queue, this))->openJournal();

    if (!m_options.paths.isEmpty())
        addPaths(m_options.paths);

    if (m_options.hasCredentials()) {
        m_account->signIn(m_options.apiUrl, m_options.apiKey, m_options.username, m_options.password, false);
        return;
    }
    const bool optionsGiven = !m_options.apiUrl.isEmpty() || !m_options.apiKey.isEmpty()
        || !m_options.username.isEmpty();
    if (optionsGiven || !m_account->restoreSession())
        showSignInDialog();
}

void MainWindow::addPaths(const QStringList &paths)
{
    QStringList absolute;
    absolute.reserve(paths.size());
    for (const QString &path : paths) {
        // "Open with" may pass file:// URLs instead of paths.
        const QUrl url(path, QUrl::StrictMode);
        if (url.isLocalFile())
            absolute.append(url.toLocalFile());
        else
            absolute.append(QFileInfo(path).absoluteFilePath());
    }
    if (!absolute.isEmpty())
        m_expander->expand(absolute);
}

void MainWindow::checkAutoStart()
{
    if (!m_autoStart || !m_account->isSignedIn() || m_expander->pendingCount() > 0 || !m_form->isReady()
        || !m_form->isValid()) {
        return;
    }
    if (m_queue->idsWithStatus({QueueModel::Status::Ready}).isEmpty() && m_form->mode() != UploadMode::MetadataOnly)
        return;
    m_autoStart = false;
    qCInfo(lcUi) << "Starting the upload as --start asked";
    startUpload();
}

// --- Adding files -----------------------------------------------------------

void MainWindow::chooseFiles()
{
    const QString folder = m_settings.value(kLastFolderKey,
                                            QStandardPaths::writableLocation(QStandardPaths::HomeLocation))
                               .toString();
    const QStringList files = QFileDialog::getOpenFileNames(this, tr("Add Files to Upload"), folder);
    if (files.isEmpty())
        return;
    m_settings.setValue(kLastFolderKey, QFileInfo(files.constFirst()).absolutePath());
    addPaths(files);
}

void MainWindow::chooseFolder()
{
    const QString start = m_settings.value(kLastFolderKey,
                                           QStandardPaths::writableLocation(QStandardPaths::HomeLocation))
                              .toString();
    const QString folder = QFileDialog::getExistingDirectory(this, tr("Add Folder to Upload"), start);
    if (folder.isEmpty())
        return;
    m_settings.setValue(kLastFolderKey, folder);
    addPaths({folder});
}

void MainWindow::onFilesCollected(const CollectedFileList &files, const QStringList &warnings)
{
    int duplicates = 0;
    const QStringList ids = m_queue->addFiles(files, &duplicates);

    for (qsizetype index = 0; index < ids.size() && index < kLoggedFilesPerBatch; ++index)
        qCInfo(lcUi).noquote() << "Queued" << m_queue->entryById(ids.at(index))->filePath;
    if (ids.size() > kLoggedFilesPerBatch)
        qCInfo(lcUi) << "Queued more files; not listed:" << ids.size() - kLoggedFilesPerBatch;

    int notUploadable = 0;
    for (const CollectedFile &file : files)
        notUploadable += file.problem == FileProblem::None ? 0 : 1;
    QString message = tr("Added %n file(s) to the queue.", nullptr, int(ids.size()));
    if (notUploadable > 0) {
        message += QLatin1Char(' ')
            + tr("%n file(s) cannot be uploaded. The State column says why and what to do.", nullptr,
                 notUploadable);
    }
    if (duplicates > 0)
        message += QLatin1Char(' ') + tr("%n file(s) already in the queue were skipped.", nullptr, duplicates);
    statusBar()->showMessage(message, 8000);

    if (!warnings.isEmpty()) {
        showWarning(tr("Some folders could not be read"),
                    tr("Files in these folders were not added. Check that you may read them, then add them "
                       "again."),
                    warnings.join(QLatin1Char('\n')));
    }
    if (!ids.isEmpty() && m_ui->queueView->selectionModel()->selectedRows().isEmpty())
        m_ui->queueView->selectRow(m_queue->rowOf(ids.constFirst()));
    Q_EMIT filesQueued(ids);
    checkAutoStart();
}

void MainWindow::showWarning(const QString &title, const QString &text, const QString &details)
{
    // Not exec(): the window keeps running while the message is shown.
    auto *box = new QMessageBox(QMessageBox::Warning, title, text, QMessageBox::Ok, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    if (!details.isEmpty())
        box->setDetailedText(details);
    box->open();
}

// --- Uploading --------------------------------------------------------------

void MainWindow::startUpload()
{
    if (m_closing)
        return;
    if (!m_account->isSignedIn()) {
        showSignInDialog(tr("Sign in to upload."));
        return;
    }
    QString error;
    const std::optional<UploadBatch> batch = m_form->batchSettings(&error);
    if (!batch) {
        showWarning(tr("The form is not complete"), error);
        return;
    }

    UploadItemList items;
    QStringList ids;
    if (batch->mode == UploadMode::MetadataOnly) {
        const QString id = m_queue->addMetadataOnly(batch->metadataOnlyName);
        ids.append(id);
        items.append({id, QString()});
    } else {
        ids = m_queue->idsWithStatus({QueueModel::Status::Ready});
        if (ids.isEmpty()) {
            showWarning(tr("Nothing to upload"),
                        tr("The queue holds no file that is ready to upload. Drop files or folders on the "
                           "window, or use Add Files."));
            return;
        }
        if (batch->mode == UploadMode::NewVersion && ids.size() != 1) {
            showWarning(tr("One file for a new version"),
                        tr("A new version takes exactly one file, but %1 files are ready. Remove all but "
                           "one, or choose new assets in the form.")
                            .arg(ids.size()));
            return;
        }
        items.reserve(ids.size());
        for (const QString &id : std::as_const(ids))
            items.append({id, m_queue->entryById(id)->filePath});
    }

    m_queue->markSubmitted(ids);
    const UploadBatch settings = *batch;
    invokeEngine([items, settings](UploadEngine *engine) { engine->enqueue(items, settings); });
    m_form->rememberBatch(settings);
    qCInfo(lcUi) << "Started uploading; files:" << items.size();
    m_uploadingMessage = tr("Uploading %n file(s).", nullptr, int(items.size()));
    statusBar()->showMessage(m_uploadingMessage, 5000);
}

QStringList MainWindow::selectedIds() const
{
    QStringList ids;
    const QModelIndexList rows = m_ui->queueView->selectionModel()->selectedRows();
    ids.reserve(rows.size());
    for (const QModelIndex &row : rows)
        ids.append(row.data(QueueModel::TaskIdRole).toString());
    return ids;
}

void MainWindow::cancelSelected()
{
    QStringList ready;
    for (const QString &id : selectedIds()) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (!entry)
            continue;
        if (entry->status == QueueModel::Status::Ready || entry->status == QueueModel::Status::NotUploadable)
            ready.append(id);
        else if (QueueModel::isActive(entry->status) || entry->status == QueueModel::Status::Paused)
            invokeEngine([id](UploadEngine *engine) { engine->cancel(id); });
    }
    // Files the engine has not seen are just taken off the list.
    m_queue->removeIds(ready);
}

void MainWindow::retrySelected()
{
    for (const QString &id : selectedIds()) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (entry && canRetry(*entry)) {
            invokeEngine([id](UploadEngine *engine) { engine->retry(id); });
        }
    }
}

bool MainWindow::canRetry(const QueueModel::Entry &entry)
{
    if (entry.status != QueueModel::Status::Failed && entry.status != QueueModel::Status::Cancelled)
        return false;
    // The server rejects such a file however often it is sent.
    return entry.size <= UploadTask::kMaxFileSize;
}

void MainWindow::pauseSelected()
{
    for (const QString &id : selectedIds()) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (entry && QueueModel::isActive(entry->status))
            invokeEngine([id](UploadEngine *engine) { engine->pause(id); });
    }
}

void MainWindow::resumeSelected()
{
    for (const QString &id : selectedIds()) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (entry && entry->status == QueueModel::Status::Paused)
            invokeEngine([id](UploadEngine *engine) { engine->resume(id); });
    }
}

void MainWindow::removeSelected()
{
    QStringList gone;
    for (const QString &id : selectedIds()) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (!entry)
            continue;
        if (entry->status != QueueModel::Status::Ready && entry->status != QueueModel::Status::NotUploadable)
            invokeEngine([id](UploadEngine *engine) { engine->remove(id); });
        // Rows under way stay until the engine reports them cancelled and
        // removed; the others go at once.
        if (!QueueModel::isActive(entry->status) && entry->status != QueueModel::Status::Paused)
            gone.append(id);
    }
    m_queue->removeIds(gone);
}

void MainWindow::clearFinished()
{
    const QStringList ids = m_queue->idsWithStatus({QueueModel::Status::Done, QueueModel::Status::Cancelled});
    if (ids.isEmpty())
        return;
    // One removal for the whole list; the engine's taskRemoved() for these
    // ids then finds nothing left to remove.
    m_queue->removeIds(ids);
    invokeEngine([ids](UploadEngine *engine) {
        for (const QString &id : ids)
            engine->remove(id);
    });
}

void MainWindow::showContextMenu(const QPoint &position)
{
    auto *menu = new QMenu(this);
    menu->setAttribute(Qt::WA_DeleteOnClose);
    menu->addAction(m_ui->actionPause);
    menu->addAction(m_ui->actionResume);
    menu->addAction(m_ui->actionCancel);
    menu->addAction(m_ui->actionRetry);
    menu->addAction(m_ui->actionRemove);
    menu->addSeparator();
    menu->addAction(m_ui->actionClearFinished);
    QAction *details = menu->addAction(tr("Show &Details"));
    connect(details, &QAction::triggered, this, [this] { m_ui->detailsTabs->setCurrentWidget(m_ui->detailsTab); });
    menu->popup(m_ui->queueView->viewport()->mapToGlobal(position));
}

// --- State shown ------------------------------------------------------------

void MainWindow::updateActions()
{
    bool canPause = false;
    bool canResume = false;
    bool canCancel = false;
    bool canRetry = false;
    const QStringList ids = selectedIds();
    for (const QString &id : ids) {
        const QueueModel::Entry *entry = m_queue->entryById(id);
        if (!entry)
            continue;
        const QueueModel::Status status = entry->status;
        canPause = canPause || QueueModel::isActive(status);
        canResume = canResume || status == QueueModel::Status::Paused;
        canCancel = canCancel || QueueModel::isActive(status) || status == QueueModel::Status::Paused
            || status == QueueModel::Status::Ready || status == QueueModel::Status::NotUploadable;
        canRetry = canRetry || MainWindow::canRetry(*entry);
    }
    const QueueModel::Summary &summary = m_summary;
    const bool working = !m_closing;
    m_ui->actionPause->setEnabled(working && canPause);
    m_ui->actionResume->setEnabled(working && canResume);
    m_pauseAllAction->setEnabled(working && summary.active > 0);
    m_resumeAllAction->setEnabled(working && summary.paused > 0);
    m_ui->actionCancel->setEnabled(working && canCancel);
    m_ui->actionRetry->setEnabled(working && canRetry);
    m_ui->actionRemove->setEnabled(working && !ids.isEmpty());
    m_ui->actionClearFinished->setEnabled(working && (summary.done > 0 || summary.cancelled > 0));

    const bool haveWork = summary.ready > 0 || m_form->mode() == UploadMode::MetadataOnly;
    const bool canUpload = working && m_account->isSignedIn() && m_form->isValid() && haveWork;
    m_ui->actionUpload->setEnabled(canUpload);
    m_ui->uploadButton->setEnabled(canUpload);
    if (!m_account->isSignedIn())
        m_ui->uploadButton->setToolTip(tr("Sign in to upload."));
    else if (!m_form->isValid())
        m_ui->uploadButton->setToolTip(tr("Complete the form first."));
    else if (!haveWork)
        m_ui->uploadButton->setToolTip(tr("Add files to the queue first."));
    else
        m_ui->uploadButton->setToolTip(m_ui->actionUpload->toolTip());

    const AccountManager::State state = m_account->state();
    m_ui->actionSignIn->setEnabled(working && state == AccountManager::State::SignedOut);
    m_ui->actionSignOut->setEnabled(working && state == AccountManager::State::SignedIn);
    m_ui->actionAddFiles->setEnabled(working);
    m_ui->actionAddFolder->setEnabled(working);
}

void MainWindow::updateStatusBar()
{
    const QueueModel::Summary &summary = m_summary;
    const int submitted = summary.rows - summary.ready - summary.cancelled;
    QStringList parts;
    if (summary.rows == 0) {
        parts.append(tr("Queue empty"));
    } else {
        if (submitted > 0)
            parts.append(tr("%1 of %n file(s) uploaded", nullptr, submitted).arg(summary.done));
        if (summary.ready > 0)
            parts.append(tr("%n ready", nullptr, summary.ready));
        if (summary.failed > 0)
            parts.append(tr("%n failed", nullptr, summary.failed));
        if (summary.paused > 0)
            parts.append(tr("%n paused", nullptr, summary.paused));
        if (summary.notUploadable > 0)
            parts.append(tr("%n not uploadable", nullptr, summary.notUploadable));
    }
    m_summaryLabel->setText(parts.join(QStringLiteral(" · ")));

    m_overallProgress->setValue(DisplayFormat::permille(summary.bytesSent, summary.bytesTotal));
    m_overallProgress->setVisible(submitted > 0);

    if (summary.active > 0 && summary.speed > 0) {
        const qint64 secondsLeft = DisplayFormat::secondsLeft(summary.bytesTotal - summary.bytesSent, summary.speed);
        //: Status bar: overall speed and time left, such as "12 MiB/s · 3 min 5 s left"
        m_speedLabel->setText(
            tr("%1 · %2 left").arg(DisplayFormat::speed(summary.speed), DisplayFormat::duration(secondsLeft)));
    } else {
        m_speedLabel->clear();
    }

    switch (m_account->state()) {
    case AccountManager::State::SignedOut:
        m_accountLabel->setText(tr("Not signed in"));
        break;
    case AccountManager::State::SigningIn:
        m_accountLabel->setText(tr("Signing in…"));
        break;
    case AccountManager::State::SignedIn:
        m_accountLabel->setText(tr("Signed in as %1").arg(m_account->username()));
        break;
    case AccountManager::State::SigningOut:
        m_accountLabel->setText(tr("Signing out…"));
        break;
    }
}

void MainWindow::onCurrentRowChanged()
{
    const QModelIndex current = m_ui->queueView->selectionModel()->currentIndex();
    m_parts->setTaskId(current.isValid() ? current.data(QueueModel::TaskIdRole).toString() : QString());
    updateDetails();
}

void MainWindow::updateDetails()
{
    const QueueModel::Entry *entry = m_queue->entryById(m_parts->taskId());
    const QString html = entry ? EntryDetails::html(*entry) : QString();
    // Setting the same text again would reset the user's text selection.
    if (m_ui->detailsBrowser->property("shownHtml").toString() != html) {
        m_ui->detailsBrowser->setProperty("shownHtml", html);
        m_ui->detailsBrowser->setHtml(html);
    }
}

// --- Account ----------------------------------------------------------------

void MainWindow::showSignInDialog(const QString &message, bool passwordRejected)
{
    if (!m_signInDialog) {
        m_signInDialog = new SignInDialog(this);
        m_signInDialog->setAttribute(Qt::WA_DeleteOnClose);
        const QUrl apiUrl = !m_options.apiUrl.isEmpty() ? m_options.apiUrl : m_account->lastApiUrl();
        const QString username = !m_options.username.isEmpty() ? m_options.username : m_account->lastUsername();
        const QString apiKey = !m_options.apiKey.isEmpty() ? m_options.apiKey : m_account->apiKey();
        m_signInDialog->setValues(apiUrl, apiKey, username, m_account->isRemembered());
        connect(m_signInDialog, &SignInDialog::signInRequested, this, [this](const SignInDialog::Request &request) {
            m_account->signIn(request.apiUrl, request.apiKey, request.username, request.password, request.remember);
        });
    }
    if (!message.isEmpty())
        m_signInDialog->showError(message, passwordRejected);
    m_signInDialog->open();
}

void MainWindow::confirmSignOut()
{
    const QueueModel::Summary summary = m_queue->summary();
    const int unfinished = summary.active + summary.paused;
    if (unfinished == 0) {
        m_account->signOut();
        return;
    }
    auto *box = new QMessageBox(QMessageBox::Question, tr("Sign out"),
                                tr("%n file(s) are still uploading. Signing out cancels them.", nullptr, unfinished),
                                QMessageBox::NoButton, this);
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *signOut = box->addButton(tr("Cancel Uploads and Sign Out"), QMessageBox::AcceptRole);
    box->addButton(tr("Keep Uploading"), QMessageBox::RejectRole);
    connect(signOut, &QPushButton::clicked, m_account, &AccountManager::signOut);
    box->open();
}

void MainWindow::showAbout()
{
    QMessageBox::about(this, tr("About Tenovos Uploader"),
                       tr("<h3>Tenovos Uploader %1</h3>"
                          "<p>Uploads files and folders to the Tenovos digital asset management platform.</p>"
                          "<p>Built with Qt %2, running on Qt %3.</p>")
                           .arg(QStringLiteral(TENOVOS_VERSION_STRING), QStringLiteral(QT_VERSION_STR),
                                QString::fromLatin1(qVersion())));
}

void MainWindow::copyDiagnostics()
{
    Diagnostics::Settings settings;
    settings.apiUrl = m_account->isSignedIn() ? m_account->apiUrl() : m_account->lastApiUrl();
    settings.username = m_account->isSignedIn() ? m_account->username() : m_account->lastUsername();
    settings.signedIn = m_account->isSignedIn();
    const EngineSettings engineSettings = m_account->engineSettings();
    settings.maxParallelParts = engineSettings.maxParallelParts;
    settings.maxParallelFiles = engineSettings.maxParallelFiles;
    settings.partSize = engineSettings.partSize;
    settings.maxRetries = engineSettings.maxRetries;
    if (const std::optional<UploadBatch> batch = m_form->batchSettings(nullptr)) {
        settings.securityTemplateIds = batch->securityTemplateIds;
        settings.metadataTemplateId = batch->metadataTemplateId;
    }
    settings.logFilePath = LogFile::filePath();

    QGuiApplication::clipboard()->setText(Diagnostics::report(settings, LogFile::lastLines()));
    statusBar()->showMessage(tr("Diagnostics copied to the clipboard."), 5000);
    qCInfo(lcUi) << "Diagnostics copied to the clipboard";
}

// --- Closing ----------------------------------------------------------------

void MainWindow::restoreWindowState()
{
    restoreGeometry(m_settings.value(kGeometryKey).toByteArray());
    m_ui->mainSplitter->restoreState(m_settings.value(kMainSplitterKey).toByteArray());
    m_ui->queueSplitter->restoreState(m_settings.value(kQueueSplitterKey).toByteArray());
    m_ui->queueView->horizontalHeader()->restoreState(m_settings.value(kQueueHeaderKey).toByteArray());
}

void MainWindow::saveWindowState()
{
    m_settings.setValue(kGeometryKey, saveGeometry());
    m_settings.setValue(kMainSplitterKey, m_ui->mainSplitter->saveState());
    m_settings.setValue(kQueueSplitterKey, m_ui->queueSplitter->saveState());
    m_settings.setValue(kQueueHeaderKey, m_ui->queueView->horizontalHeader()->saveState());
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_closeApproved) {
        saveWindowState();
        event->accept();
        return;
    }
    event->ignore();
    if (m_closing)
        return;

    const QueueModel::Summary summary = m_queue->summary();
    const int unfinished = summary.active + summary.paused;
    if (unfinished == 0) {
        m_closeApproved = true;
        saveWindowState();
        event->accept();
        return;
    }
    if (m_closeQuestion)
        return;

    auto *box = new QMessageBox(QMessageBox::Question, tr("Quit Tenovos Uploader"),
                                tr("%n file(s) are not uploaded yet. Cancel them and quit?", nullptr, unfinished),
                                QMessageBox::NoButton, this);
    box->setInformativeText(tr("Cancelled files can be uploaded again later from the start."));
    box->setAttribute(Qt::WA_DeleteOnClose);
    QPushButton *quit = box->addButton(tr("Cancel Uploads and Quit"), QMessageBox::AcceptRole);
    QPushButton *keep = box->addButton(tr("Keep Uploading"), QMessageBox::RejectRole);
    box->setDefaultButton(keep);
    connect(quit, &QPushButton::clicked, this, &MainWindow::beginShutdown);
    m_closeQuestion = box;
    box->open();
}

void MainWindow::cancelUploadsAndQuit()
{
    qCInfo(lcUi) << "Quitting on request (SIGINT or SIGTERM)";
    const QueueModel::Summary summary = m_queue->summary();
    if (summary.active + summary.paused == 0) {
        m_closeApproved = true;
        close();
        return;
    }
    beginShutdown();
}

void MainWindow::beginShutdown()
{
    if (m_closing)
        return;
    m_closing = true;
    qCInfo(lcUi) << "Cancelling unfinished uploads before quitting";
    statusBar()->showMessage(tr("Cancelling uploads…"));
    updateActions();
    m_closeTimer.start();
    // The engine sends /asset/complete with action "cancel" for each open
    // multipart upload; queueFinished() follows when all have ended.
    invokeEngine([](UploadEngine *engine) { engine->cancelAll(); });
}

void MainWindow::finishShutdown()
{
    if (m_closeApproved)
        return;
    m_closeTimer.stop();
    m_closeApproved = true;
    qCInfo(lcUi) << "Closing the window";
    close();
}

} // namespace tenovos
