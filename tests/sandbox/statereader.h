#pragma once

#include <QJsonArray>
#include <QJsonObject>
#include <QString>

namespace tenovos::sandbox {

// Reads the fields of the state file and keeps the first problem, named by
// its JSON path such as assets[2].versions[0].fileId. A restore reads
// everything and checks ok() once at the end. After a problem, the getters
// return empty values.
class StateReader
{
public:
    // A string; empty is allowed unless required is true.
    QString string(const QJsonObject &object, const QString &path, const char *key, bool required = false);
    // A whole number that a JSON double represents exactly (up to 2^53).
    qint64 integer(const QJsonObject &object, const QString &path, const char *key);
    bool boolean(const QJsonObject &object, const QString &path, const char *key);
    QJsonArray array(const QJsonObject &object, const QString &path, const char *key);
    QJsonObject object(const QJsonObject &object, const QString &path, const char *key);
    // An element of an array that must be an object.
    QJsonObject element(const QJsonArray &array, qsizetype index, const QString &path);

    void fail(const QString &path, const QString &problem);
    bool ok() const { return m_error.isEmpty(); }
    QString error() const { return m_error; }

private:
    // Returns the field when it exists and has the expected type, else records a problem.
    QJsonValue field(const QJsonObject &object, const QString &path, const char *key, QJsonValue::Type expected);

    QString m_error;
};

} // namespace tenovos::sandbox
