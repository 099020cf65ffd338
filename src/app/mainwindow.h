#pragma once

#include "appoptions.h"
#include "pathexpander.h"
#include "queuemodel.h"

#include <QMainWindow>
#include <QPointer>
#include <QSettings>
#include <QTimer>

#include <functional>
#include <memory>

class QLabel;
class QMessageBox;
class QProgressBar;

namespace Ui {
class MainWindow;
}

namespace tenovos {

class AccountManager;
class CredentialStore;
class DropArea;
class EngineThread;
class PartsModel;
class SignInDialog;
class UploadEngine;
class UploadForm;

// The uploader's window: the batch form on the left, the drop area with the
// queue on the right, the parts and details of the selected file below.
//
// The upload engine runs in its own thread (EngineThread). The window calls
// it only through queued QMetaObject::invokeMethod() calls and shows what
// its queued signals report; nothing here reads files or waits.
class MainWindow : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    explicit MainWindow(const AppOptions &options, QWidget *parent = nullptr);
    ~MainWindow() override;

    // Queues the files of the command line and signs in, with the command
    // line's credentials, the saved sign-in or the sign-in dialog. Call it
    // once the window is shown.
    void start();

    // Expands and queues files and folders, as a drop does.
    void addPaths(const QStringList &paths);

    QueueModel *queueModel() const { return m_queue; }
    UploadForm *uploadForm() const { return m_form; }
    DropArea *dropArea() const;
    AccountManager *accountManager() const { return m_account; }
    QAction *uploadAction() const;

    // Whether Retry can succeed for the row: failed or cancelled, and not
    // larger than the largest file Tenovos accepts.
    static bool canRetry(const QueueModel::Entry &entry);

    // Milliseconds the window waits, when closing, for the engine to cancel
    // unfinished uploads on the server before it quits anyway.
    static constexpr int kCloseTimeoutMs = 15000;

public Q_SLOTS:
    // Hands the Ready files to the engine with the form's batch settings.
    void startUpload();
    // Closes the window without asking, after the engine cancelled the
    // unfinished uploads on the server (at most kCloseTimeoutMs), as for
    // SIGTERM or Ctrl+C in the terminal.
    void cancelUploadsAndQuit();

Q_SIGNALS:
    // New rows were added to the queue (after folders were expanded).
    void filesQueued(const QStringList &ids);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void setupActions();
    void setupQueueView();
    void setupStatusBar();
    void connectEngine();
    void connectAccount();

    void chooseFiles();
    void chooseFolder();
    void onFilesCollected(const CollectedFileList &files, const QStringList &warnings);
    void showWarning(const QString &title, const QString &text, const QString &details = QString());

    QStringList selectedIds() const;
    void cancelSelected();
    void retrySelected();
    void removeSelected();
    void pauseSelected();
    void resumeSelected();
    void clearFinished();
    void showContextMenu(const QPoint &position);
    void updateActions();
    void updateStatusBar();
    void updateDetails();
    void onCurrentRowChanged();
    void onQueueChanged();
    void restoreWindowState();
    void saveWindowState();

    // passwordRejected: the token request returned HTTP 401.
    void showSignInDialog(const QString &message = QString(), bool passwordRejected = false);
    void confirmSignOut();
    void showAbout();
    // Puts the Diagnostics report (no secrets) on the clipboard.
    void copyDiagnostics();
    void checkAutoStart();
    void beginShutdown();
    void finishShutdown();
    void invokeEngine(const std::function<void(UploadEngine *)> &call);

    std::unique_ptr<Ui::MainWindow> m_ui;
    AppOptions m_options;
    QSettings m_settings;
    EngineThread *m_engineThread;
    UploadEngine *m_engine;
    CredentialStore *m_credentials;
    AccountManager *m_account;
    QueueModel *m_queue;
    PartsModel *m_parts;
    UploadForm *m_form;
    PathExpander *m_expander; // files from dialogs and the command line
    QPointer<SignInDialog> m_signInDialog;

    QueueModel::Summary m_summary; // as of the queue model's last change
    QAction *m_pauseAllAction = nullptr;
    QAction *m_resumeAllAction = nullptr;
    QString m_uploadingMessage; // shown in the status bar while files upload
    QLabel *m_summaryLabel = nullptr;
    QProgressBar *m_overallProgress = nullptr;
    QLabel *m_speedLabel = nullptr;
    QLabel *m_accountLabel = nullptr;

    bool m_autoStart = false;
    bool m_closing = false;       // cancelling uploads before quitting
    bool m_closeApproved = false; // the next closeEvent() closes
    QPointer<QMessageBox> m_closeQuestion;
    QTimer m_closeTimer;
};

} // namespace tenovos
