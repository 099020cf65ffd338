#include "statefile.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QSaveFile>

namespace tenovos::sandbox {

StateFile::StateFile(const QString &dataDirectory)
    : m_path(QDir(dataDirectory).filePath(QStringLiteral("sandbox-state.json")))
{
}

QString StateFile::path() const
{
    return m_path;
}

bool StateFile::exists() const
{
    return QFile::exists(m_path);
}

QString StateFile::invalidMessage(const QString &problem) const
{
    return QStringLiteral("The sandbox state file %1 is invalid: %2. Restore a good copy, or delete the file (and "
                          "the data folder's objects folder) to start with an empty sandbox.")
        .arg(QDir::toNativeSeparators(m_path), problem);
}

std::optional<QJsonObject> StateFile::read(QString *error) const
{
    QFile file(m_path);
    if (!file.open(QIODevice::ReadOnly)) {
        *error = QStringLiteral("Could not read the sandbox state file %1: %2. Check its permissions.")
                     .arg(QDir::toNativeSeparators(m_path), file.errorString());
        return std::nullopt;
    }
    QJsonParseError parseError;
    const QJsonDocument document = QJsonDocument::fromJson(file.readAll(), &parseError);
    if (parseError.error != QJsonParseError::NoError) {
        *error = invalidMessage(QStringLiteral("%1 at byte %2").arg(parseError.errorString()).arg(parseError.offset));
        return std::nullopt;
    }
    if (!document.isObject()) {
        *error = invalidMessage(QStringLiteral("the top level is not a JSON object"));
        return std::nullopt;
    }

    const QJsonObject state = document.object();
    if (state.value(QStringLiteral("format")).toString() != QLatin1String(formatName)) {
        *error = invalidMessage(QStringLiteral("\"format\" is not \"%1\"").arg(QLatin1String(formatName)));
        return std::nullopt;
    }
    const QJsonValue version = state.value(QStringLiteral("version"));
    if (!version.isDouble() || version.toDouble() != formatVersion) {
        *error = invalidMessage(QStringLiteral("it has format version %1, and this sandbox reads version %2 only")
                                    .arg(version.toVariant().toString())
                                    .arg(formatVersion));
        return std::nullopt;
    }
    return state;
}

bool StateFile::write(QJsonObject state, QString *error) const
{
    state.insert(QStringLiteral("format"), QLatin1String(formatName));
    state.insert(QStringLiteral("version"), formatVersion);

    QSaveFile file(m_path);
    if (!file.open(QIODevice::WriteOnly)) {
        *error = file.errorString();
        return false;
    }
    file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner);
    const QByteArray json = QJsonDocument(state).toJson(QJsonDocument::Indented);
    if (file.write(json) != json.size() || !file.commit()) {
        *error = file.errorString();
        return false;
    }
    return true;
}

} // namespace tenovos::sandbox
