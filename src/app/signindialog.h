#pragma once

#include <QDialog>
#include <QUrl>

#include <memory>

namespace Ui {
class SignInDialog;
}

namespace tenovos {

// Asks for the API URL, API key, user name and password. Pressing "Sign in"
// checks the fields and emits signInRequested() without closing the dialog.
// The window signs in and then calls finish() or showError(), so a failed
// sign-in leaves the dialog open with the message.
class SignInDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignInDialog)

public:
    struct Request
    {
        QUrl apiUrl;
        QString apiKey;
        QString username;
        QString password;
        bool remember = false;
    };

    explicit SignInDialog(QWidget *parent = nullptr);
    ~SignInDialog() override;

    void setValues(const QUrl &apiUrl, const QString &apiKey, const QString &username, bool remember);
    Request request() const;

    // Disables the fields and shows a busy bar while the sign-in runs.
    void setBusy(bool busy);
    bool isBusy() const { return m_busy; }
    // Shows message under the fields and enables them again. The password
    // is cleared only when passwordRejected (the token request returned HTTP
    // 401), so a wrong API key or a network error does not make the user
    // type it again.
    void showError(const QString &message, bool passwordRejected = false);
    // Closes the dialog after a successful sign-in.
    void finish();

    // Checks the fields; on false, *error names the field and what to enter.
    bool validate(QString *error) const;

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    void signInRequested(const tenovos::SignInDialog::Request &request);

private:
    void focusFirstEmptyField();

    std::unique_ptr<Ui::SignInDialog> m_ui;
    bool m_busy = false;
};

} // namespace tenovos
