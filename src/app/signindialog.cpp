#include "signindialog.h"

#include "accountmanager.h"
#include "ui_signindialog.h"

#include <QPushButton>

namespace tenovos {

SignInDialog::SignInDialog(QWidget *parent)
    : QDialog(parent)
    , m_ui(std::make_unique<Ui::SignInDialog>())
{
    m_ui->setupUi(this);
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setText(tr("Sign in"));
    m_ui->busyBar->hide();
    m_ui->messageLabel->hide();
}

SignInDialog::~SignInDialog() = default;

void SignInDialog::setValues(const QUrl &apiUrl, const QString &apiKey, const QString &username, bool remember)
{
    if (!apiUrl.isEmpty())
        m_ui->apiUrlEdit->setText(apiUrl.toString(QUrl::RemoveUserInfo));
    if (!apiKey.isEmpty())
        m_ui->apiKeyEdit->setText(apiKey);
    if (!username.isEmpty())
        m_ui->usernameEdit->setText(username);
    m_ui->rememberCheck->setChecked(remember);
    focusFirstEmptyField();
}

SignInDialog::Request SignInDialog::request() const
{
    Request request;
    request.apiUrl = QUrl(m_ui->apiUrlEdit->text().trimmed(), QUrl::StrictMode);
    request.apiKey = m_ui->apiKeyEdit->text().trimmed();
    request.username = m_ui->usernameEdit->text().trimmed();
    request.password = m_ui->passwordEdit->text();
    request.remember = m_ui->rememberCheck->isChecked();
    return request;
}

bool SignInDialog::validate(QString *error) const
{
    const Request values = request();
    if (m_ui->apiUrlEdit->text().trimmed().isEmpty()) {
        *error = tr("Enter the API URL of your Tenovos tenant, such as https://api.tenovos.io/v1.");
        return false;
    }
    if (!AccountManager::validateApiUrl(values.apiUrl, error))
        return false;
    if (values.apiKey.isEmpty()) {
        *error = tr("Enter the API key of your Tenovos tenant. Your Tenovos administrator can give it to you.");
        return false;
    }
    if (values.username.isEmpty()) {
        *error = tr("Enter your Tenovos user name.");
        return false;
    }
    if (values.password.isEmpty()) {
        *error = tr("Enter your password.");
        return false;
    }
    return true;
}

void SignInDialog::accept()
{
    if (m_busy)
        return;
    QString error;
    if (!validate(&error)) {
        showError(error);
        focusFirstEmptyField();
        return;
    }
    m_ui->messageLabel->hide();
    setBusy(true);
    Q_EMIT signInRequested(request());
}

void SignInDialog::setBusy(bool busy)
{
    m_busy = busy;
    m_ui->busyBar->setVisible(busy);
    for (QWidget *field : {static_cast<QWidget *>(m_ui->apiUrlEdit), static_cast<QWidget *>(m_ui->apiKeyEdit),
                           static_cast<QWidget *>(m_ui->usernameEdit), static_cast<QWidget *>(m_ui->passwordEdit),
                           static_cast<QWidget *>(m_ui->rememberCheck)}) {
        field->setEnabled(!busy);
    }
    m_ui->buttonBox->button(QDialogButtonBox::Ok)->setEnabled(!busy);
}

void SignInDialog::showError(const QString &message, bool passwordRejected)
{
    setBusy(false);
    m_ui->messageLabel->setText(message);
    m_ui->messageLabel->show();
    if (passwordRejected) {
        m_ui->passwordEdit->clear();
        m_ui->passwordEdit->setFocus();
    }
}

void SignInDialog::finish()
{
    setBusy(false);
    m_ui->passwordEdit->clear();
    QDialog::done(QDialog::Accepted);
}

void SignInDialog::focusFirstEmptyField()
{
    for (QLineEdit *field : {m_ui->apiUrlEdit, m_ui->apiKeyEdit, m_ui->usernameEdit, m_ui->passwordEdit}) {
        if (field->text().trimmed().isEmpty()) {
            field->setFocus();
            return;
        }
    }
}

} // namespace tenovos
