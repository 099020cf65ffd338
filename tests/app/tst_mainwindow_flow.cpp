// The whole window against an in-process sandbox: sign in from the command
// line options, drop files, fill in the form through its API, press Upload
// and wait until every row is Done. The sandbox must then store the same
// bytes. Parts are 5 MiB on both sides, so a 12 MiB file takes three parts.

#include "accountmanager.h"
#include "appoptions.h"
#include "democatalog.h"
#include "droparea.h"
#include "mainwindow.h"
#include "queuemodel.h"
#include "sandboxconfig.h"
#include "sandboxserver.h"
#include "signindialog.h"
#include "uploadform.h"

#include <QApplication>
#include <QCryptographicHash>
#include <QDialogButtonBox>
#include <QDropEvent>
#include <QFile>
#include <QLineEdit>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QRandomGenerator>
#include <QSettings>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <memory>

using tenovos::AccountManager;
using tenovos::AppOptions;
using tenovos::MainWindow;
using tenovos::QueueModel;
using tenovos::sandbox::DemoCatalog;
using tenovos::sandbox::SandboxConfig;
using tenovos::sandbox::SandboxServer;

namespace {

constexpr qint64 kMiB = 1024 * 1024;
constexpr qint64 kPartSize = 5 * kMiB;
constexpr int kUploadTimeoutMs = 60000;

bool allFinished(const QueueModel *model)
{
    for (int row = 0; row < model->rowCount(); ++row) {
        if (!QueueModel::isFinal(model->entry(row)->status))
            return false;
    }
    return model->rowCount() > 0;
}

QString describe(const QueueModel::Entry *entry)
{
    return QStringLiteral("%1: %2 %3")
        .arg(entry->displayName, QueueModel::statusText(entry->status), entry->error.logMessage());
}

} // namespace

class tst_MainWindowFlow : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void init();
    void cleanup();

    void dropFormUploadDone();
    void startOptionUploadsAtOnce();
    void closeCancelsUploads();
    void expiredSessionAsksSignInAndContinues();

private:
    AppOptions connectionOptions() const;
    QString createFile(const QString &name, qint64 size);
    static QByteArray md5Hex(const QString &path);
    static void preselectDemoForm(tenovos::UploadForm *form);
    static void dropFiles(MainWindow *window, const QStringList &paths);

    QTemporaryDir m_settingsDir;
    std::unique_ptr<QTemporaryDir> m_files;
    std::unique_ptr<SandboxServer> m_server;
};

void tst_MainWindowFlow::initTestCase()
{
    QVERIFY(m_settingsDir.isValid());
    QCoreApplication::setOrganizationName(QStringLiteral("TenovosTests"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_mainwindow_flow"));
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
}

void tst_MainWindowFlow::init()
{
    m_files = std::make_unique<QTemporaryDir>();
    QVERIFY(m_files->isValid());
    QSettings().clear();

    SandboxConfig config = SandboxConfig::demo();
    config.partSize = kPartSize;
    config.minPartSize = kPartSize;
    m_server = std::make_unique<SandboxServer>(config);
    QVERIFY2(m_server->listen(0), qPrintable(m_server->errorString()));
}

void tst_MainWindowFlow::cleanup()
{
    m_server.reset();
    m_files.reset();
}

AppOptions tst_MainWindowFlow::connectionOptions() const
{
    const SandboxConfig config = m_server->config();
    AppOptions options;
    options.apiUrl = m_server->baseUrl();
    options.apiKey = config.apiKey;
    options.username = config.username;
    options.password = config.password;
    options.partSize = kPartSize;
    return options;
}

QString tst_MainWindowFlow::createFile(const QString &name, qint64 size)
{
    const QString path = m_files->filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly))
        return QString();
    QRandomGenerator generator(static_cast<quint32>(qHash(name)));
    QByteArray block(64 * 1024, Qt::Uninitialized);
    qint64 written = 0;
    while (written < size) {
        generator.fillRange(reinterpret_cast<quint32 *>(block.data()), block.size() / 4);
        const qint64 chunk = qMin<qint64>(block.size(), size - written);
        if (file.write(block.constData(), chunk) != chunk)
            return QString();
        written += chunk;
    }
    return path;
}

QByteArray tst_MainWindowFlow::md5Hex(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return QByteArray();
    QCryptographicHash hash(QCryptographicHash::Md5);
    hash.addData(&file);
    return hash.result().toHex();
}

void tst_MainWindowFlow::preselectDemoForm(tenovos::UploadForm *form)
{
    form->preselect({QString::fromLatin1(DemoCatalog::marketingInternalTemplateId)},
                    QString::fromLatin1(DemoCatalog::marketingAssetTemplateId),
                    {{QStringLiteral("Title"), QStringLiteral("Window flow test")},
                     {QStringLiteral("Region"), QStringLiteral("EMEA")}});
}

void tst_MainWindowFlow::dropFiles(MainWindow *window, const QStringList &paths)
{
    QMimeData mime;
    QList<QUrl> urls;
    for (const QString &path : paths)
        urls.append(QUrl::fromLocalFile(path));
    mime.setUrls(urls);
    tenovos::DropArea *area = window->dropArea();
    const QPointF centre(area->width() / 2.0, area->height() / 2.0);
    // Widgets take a drop only after they accepted the drag entering them.
    QDragEnterEvent enter(centre.toPoint(), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(area, &enter);
    QVERIFY(enter.isAccepted());
    QDropEvent drop(centre, Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    QApplication::sendEvent(area, &drop);
    QVERIFY(drop.isAccepted());
}

void tst_MainWindowFlow::dropFormUploadDone()
{
    const QStringList files{createFile(QStringLiteral("poster.jpg"), 64 * 1024),
                            createFile(QStringLiteral("brief.pdf"), kMiB),
                            createFile(QStringLiteral("video.mov"), 12 * kMiB)};
    for (const QString &file : files)
        QVERIFY(!file.isEmpty());

    MainWindow window(connectionOptions());
    window.show();
    QSignalSpy signedIn(window.accountManager(), &AccountManager::signedIn);
    QSignalSpy queued(&window, &MainWindow::filesQueued);
    preselectDemoForm(window.uploadForm());
    window.start();
    QVERIFY(signedIn.wait(10000));

    dropFiles(&window, files);
    QVERIFY(queued.wait(10000));
    QueueModel *model = window.queueModel();
    QCOMPARE(model->rowCount(), 3);
    QCOMPARE(model->summary().ready, 3);

    QTRY_VERIFY_WITH_TIMEOUT(window.uploadForm()->isValid(), 10000);
    auto *upload = window.findChild<QPushButton *>(QStringLiteral("uploadButton"));
    QVERIFY(upload);
    QTRY_VERIFY_WITH_TIMEOUT(upload->isEnabled(), 5000);
    QTest::mouseClick(upload, Qt::LeftButton);

    QTRY_VERIFY_WITH_TIMEOUT(allFinished(model), kUploadTimeoutMs);
    for (int row = 0; row < model->rowCount(); ++row) {
        const QueueModel::Entry *entry = model->entry(row);
        QVERIFY2(entry->status == QueueModel::Status::Done, qPrintable(describe(entry)));
        QVERIFY2(!entry->objectId.isEmpty(), qPrintable(describe(entry)));
        QCOMPARE(m_server->contentMd5(entry->objectId), md5Hex(entry->filePath));
    }

    const QueueModel::Entry *video = model->entryById(model->entry(2)->id);
    QCOMPARE(video->displayName, QStringLiteral("video.mov"));
    QCOMPARE(video->parts.size(), 3);
    for (const QueueModel::Part &part : video->parts)
        QCOMPARE(part.state, tenovos::PartState::Done);
    QCOMPARE(m_server->openUploadCount(), 0);

    QVERIFY(window.close());
}

void tst_MainWindowFlow::startOptionUploadsAtOnce()
{
    const QString file = createFile(QStringLiteral("scripted.png"), 200 * 1024);
    QVERIFY(!file.isEmpty());
    AppOptions options = connectionOptions();
    options.paths = {file};
    options.start = true;
    options.securityTemplateIds = {QString::fromLatin1(DemoCatalog::marketingPublicTemplateId)};
    options.metadataTemplateId = QString::fromLatin1(DemoCatalog::marketingAssetTemplateId);
    options.metadata = {{QStringLiteral("Title"), QStringLiteral("Scripted")},
                        {QStringLiteral("Region"), QStringLiteral("North America")}};

    MainWindow window(options);
    window.show();
    window.start();

    QueueModel *model = window.queueModel();
    QTRY_VERIFY_WITH_TIMEOUT(allFinished(model), kUploadTimeoutMs);
    QCOMPARE(model->rowCount(), 1);
    const QueueModel::Entry *entry = model->entry(0);
    QVERIFY2(entry->status == QueueModel::Status::Done, qPrintable(describe(entry)));
    QCOMPARE(m_server->contentMd5(entry->objectId), md5Hex(file));
}

void tst_MainWindowFlow::closeCancelsUploads()
{
    // Part 2 stalls, so the upload is still under way when the window closes.
    QString error;
    QVERIFY2(m_server->addFault(QStringLiteral("put@2:stall=60"), &error), qPrintable(error));
    const QString file = createFile(QStringLiteral("large.mov"), 12 * kMiB);
    QVERIFY(!file.isEmpty());

    MainWindow window(connectionOptions());
    window.show();
    QSignalSpy signedIn(window.accountManager(), &AccountManager::signedIn);
    preselectDemoForm(window.uploadForm());
    window.start();
    QVERIFY(signedIn.wait(10000));
    window.addPaths({file});
    QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window.uploadAction()->isEnabled(), 10000);
    window.uploadAction()->trigger();
    QTRY_COMPARE_WITH_TIMEOUT(m_server->openUploadCount(), 1, 10000);

    QVERIFY(!window.close());
    QMessageBox *question = nullptr;
    QTRY_VERIFY((question = window.findChild<QMessageBox *>()) && question->isVisible());
    QAbstractButton *cancelAndQuit = nullptr;
    for (QAbstractButton *button : question->buttons()) {
        if (question->buttonRole(button) == QMessageBox::AcceptRole)
            cancelAndQuit = button;
    }
    QVERIFY(cancelAndQuit);
    cancelAndQuit->click();

    QTRY_VERIFY_WITH_TIMEOUT(!window.isVisible(), MainWindow::kCloseTimeoutMs + 5000);
    QCOMPARE(window.queueModel()->entry(0)->status, QueueModel::Status::Cancelled);
    QCOMPARE(m_server->openUploadCount(), 0);
}

void tst_MainWindowFlow::expiredSessionAsksSignInAndContinues()
{
    const QString file = createFile(QStringLiteral("long session.mov"), 12 * kMiB);
    QVERIFY(!file.isEmpty());
    MainWindow window(connectionOptions());
    window.show();
    QSignalSpy signedIn(window.accountManager(), &AccountManager::signedIn);
    preselectDemoForm(window.uploadForm());
    window.start();
    QVERIFY(signedIn.wait(10000));

    // Complete meets an expired token and the renewal is refused, so the
    // session is over. Rules count from here, so token#1 is the renewal.
    QString error;
    QVERIFY2(m_server->addFault(QStringLiteral("complete#1:expired"), &error), qPrintable(error));
    QVERIFY2(m_server->addFault(QStringLiteral("token#1:status=401"), &error), qPrintable(error));
    window.addPaths({file});
    QTRY_COMPARE_WITH_TIMEOUT(window.queueModel()->rowCount(), 1, 10000);
    QTRY_VERIFY_WITH_TIMEOUT(window.uploadAction()->isEnabled(), 10000);
    window.uploadAction()->trigger();

    // The window shows the sign-in dialog again, and the file waits.
    tenovos::SignInDialog *dialog = nullptr;
    QTRY_VERIFY_WITH_TIMEOUT((dialog = window.findChild<tenovos::SignInDialog *>()) && dialog->isVisible(),
                             kUploadTimeoutMs);
    QVERIFY(!QueueModel::isFinal(window.queueModel()->entry(0)->status));
    auto *password = dialog->findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QVERIFY(password);
    password->setText(m_server->config().password);
    auto *buttons = dialog->findChild<QDialogButtonBox *>(QStringLiteral("buttonBox"));
    QVERIFY(buttons);
    QAbstractButton *signIn = nullptr;
    for (QAbstractButton *button : buttons->buttons()) {
        if (buttons->buttonRole(button) == QDialogButtonBox::AcceptRole)
            signIn = button;
    }
    QVERIFY(signIn);
    signIn->click();

    QueueModel *model = window.queueModel();
    QTRY_VERIFY_WITH_TIMEOUT(allFinished(model), kUploadTimeoutMs);
    const QueueModel::Entry *entry = model->entry(0);
    QVERIFY2(entry->status == QueueModel::Status::Done, qPrintable(describe(entry)));
    QCOMPARE(m_server->contentMd5(entry->objectId), md5Hex(file));
    QCOMPARE(m_server->assets().size(), 1);
    QCOMPARE(m_server->openUploadCount(), 0);
    // The parts confirmed before the session ended were not sent again.
    const QMap<int, int> counts = m_server->putCounts(entry->fileId);
    QCOMPARE(counts.size(), 3);
    for (auto count = counts.cbegin(); count != counts.cend(); ++count)
        QCOMPARE(count.value(), 1);
    QVERIFY(window.close());
}

QTEST_MAIN(tst_MainWindowFlow)

#include "tst_mainwindow_flow.moc"
