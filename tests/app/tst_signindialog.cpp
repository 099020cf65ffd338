// SignInDialog after a failed sign-in: the fields stay filled in, and the
// password is cleared only when the server rejected it.

#include "signindialog.h"

#include <QLineEdit>
#include <QTest>
#include <QUrl>

using tenovos::SignInDialog;

class tst_SignInDialog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passwordAfterFailure_data();
    void passwordAfterFailure();
};

void tst_SignInDialog::passwordAfterFailure_data()
{
    QTest::addColumn<bool>("passwordRejected");
    QTest::addColumn<QString>("expectedPassword");

    QTest::addRow("connection refused") << false << QStringLiteral("secret");
    QTest::addRow("API key rejected") << false << QStringLiteral("secret");
    QTest::addRow("password rejected") << true << QString();
}

void tst_SignInDialog::passwordAfterFailure()
{
    QFETCH(bool, passwordRejected);
    QFETCH(QString, expectedPassword);

    SignInDialog dialog;
    dialog.setValues(QUrl(QStringLiteral("http://127.0.0.1:9/v1")), QStringLiteral("key"), QStringLiteral("ana"),
                     false);
    auto *password = dialog.findChild<QLineEdit *>(QStringLiteral("passwordEdit"));
    QVERIFY(password);
    password->setText(QStringLiteral("secret"));
    dialog.accept();
    QVERIFY(dialog.isBusy());

    dialog.showError(QStringLiteral("Sign-in failed."), passwordRejected);

    QVERIFY(!dialog.isBusy());
    QCOMPARE(dialog.request().password, expectedPassword);
    QCOMPARE(dialog.request().username, QStringLiteral("ana"));
    QCOMPARE(dialog.request().apiKey, QStringLiteral("key"));
}

QTEST_MAIN(tst_SignInDialog)

#include "tst_signindialog.moc"
