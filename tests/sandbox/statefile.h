#pragma once

#include <QJsonObject>
#include <QString>

#include <optional>

namespace tenovos::sandbox {

// The JSON file in a data folder that keeps a sandbox's sessions, assets and
// uploads between runs. Each write goes through QSaveFile (a temporary file
// renamed over the old one), so the file on disk always contains one
// complete state, even when the process is killed while writing.
class StateFile
{
public:
    // The value of the "format" field, and the one version this code reads.
    static constexpr const char *formatName = "tenovos-sandbox-state";
    static constexpr int formatVersion = 1;

    // sandbox-state.json inside dataDirectory.
    explicit StateFile(const QString &dataDirectory);

    QString path() const;
    bool exists() const;

    // Reads the file and checks its format and version. On failure returns
    // nothing and sets *error to a message naming the file and the problem.
    std::optional<QJsonObject> read(QString *error) const;
    // Replaces the file with state plus the format fields; the file is
    // readable by its owner only, because it contains session tokens.
    bool write(QJsonObject state, QString *error) const;

    // A message that names the file, the problem and what to do about it.
    QString invalidMessage(const QString &problem) const;

private:
    QString m_path;
};

} // namespace tenovos::sandbox
