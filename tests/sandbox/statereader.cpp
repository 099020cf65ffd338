#include "statereader.h"

#include <cmath>

namespace tenovos::sandbox {

namespace {

// The largest integer a JSON number (an IEEE double) represents exactly.
constexpr double maxExactInteger = 9007199254740992.0;

QString join(const QString &path, const char *key)
{
    return path.isEmpty() ? QLatin1String(key) : path + QLatin1Char('.') + QLatin1String(key);
}

QString typeName(QJsonValue::Type type)
{
    switch (type) {
    case QJsonValue::String: return QStringLiteral("a string");
    case QJsonValue::Double: return QStringLiteral("a number");
    case QJsonValue::Bool: return QStringLiteral("true or false");
    case QJsonValue::Array: return QStringLiteral("an array");
    case QJsonValue::Object: return QStringLiteral("an object");
    case QJsonValue::Null:
    case QJsonValue::Undefined: break;
    }
    return QStringLiteral("a value");
}

} // namespace

void StateReader::fail(const QString &path, const QString &problem)
{
    if (m_error.isEmpty())
        m_error = QStringLiteral("%1 %2").arg(path, problem);
}

QJsonValue StateReader::field(const QJsonObject &object, const QString &path, const char *key,
                              QJsonValue::Type expected)
{
    if (!ok())
        return QJsonValue();
    const QJsonValue value = object.value(QLatin1String(key));
    if (value.isUndefined()) {
        fail(join(path, key), QStringLiteral("is missing"));
        return QJsonValue();
    }
    if (value.type() != expected) {
        fail(join(path, key), QStringLiteral("is not %1").arg(typeName(expected)));
        return QJsonValue();
    }
    return value;
}

QString StateReader::string(const QJsonObject &object, const QString &path, const char *key, bool required)
{
    const QString value = field(object, path, key, QJsonValue::String).toString();
    if (ok() && required && value.isEmpty())
        fail(join(path, key), QStringLiteral("is empty"));
    return value;
}

qint64 StateReader::integer(const QJsonObject &object, const QString &path, const char *key)
{
    const double value = field(object, path, key, QJsonValue::Double).toDouble();
    if (ok() && (std::floor(value) != value || std::fabs(value) > maxExactInteger))
        fail(join(path, key), QStringLiteral("is not a whole number"));
    return ok() ? static_cast<qint64>(value) : 0;
}

bool StateReader::boolean(const QJsonObject &object, const QString &path, const char *key)
{
    return field(object, path, key, QJsonValue::Bool).toBool();
}

QJsonArray StateReader::array(const QJsonObject &object, const QString &path, const char *key)
{
    return field(object, path, key, QJsonValue::Array).toArray();
}

QJsonObject StateReader::object(const QJsonObject &object, const QString &path, const char *key)
{
    return field(object, path, key, QJsonValue::Object).toObject();
}

QJsonObject StateReader::element(const QJsonArray &array, qsizetype index, const QString &path)
{
    const QJsonValue value = array.at(index);
    if (!value.isObject()) {
        fail(QStringLiteral("%1[%2]").arg(path).arg(index), QStringLiteral("is not an object"));
        return QJsonObject();
    }
    return value.toObject();
}

} // namespace tenovos::sandbox
