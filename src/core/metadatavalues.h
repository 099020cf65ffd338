#pragma once

#include "apitypes.h"
#include "result.h"

#include <QCoreApplication>
#include <QDate>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QString>
#include <QStringList>

namespace tenovos {

// Builds the metadata items of POST /assets/asset (the v1 shapes Tenovos'
// own samples use) and turns values typed by a user into them:
//   text        {"metadataDefinitionId": ID, "metadataDefinitionValue": "text"}
//   date        {"metadataDefinitionId": ID, "metadataDefinitionValue": "mm/dd/yyyy"}
//   vocabulary  {"metadataDefinitionId": ID, "metadataDefinitionValue": {"valueId": ID}}
//   several     {"metadataDefinitionId": ID, "metadataDefinitionValue": [{"valueId": ID}, ...]}
class MetadataValues
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::MetadataValues)

public:
    static QJsonObject textItem(const QString &attributeId, const QString &text);
    static QJsonObject dateItem(const QString &attributeId, const QDate &date);
    // One valueId as an object; several (or any for a multi-select
    // attribute) as an array.
    static QJsonObject vocabularyItem(const QString &attributeId, const QStringList &valueIds,
                                      bool multipleSelect);

    // Reads a date written as YYYY-MM-DD or mm/dd/yyyy; invalid otherwise.
    static QDate parseDate(const QString &text);
    // The date as Tenovos takes it: mm/dd/yyyy.
    static QString formatDate(const QDate &date);

    // Turns a user's text for one attribute into its metadata item: text as
    // it is, a date in either accepted form, vocabulary values by name or id
    // (several separated by ';' for a multi-select attribute). vocabulary
    // must be the attribute's vocabulary for controlledVocabulary attributes.
    // Fails with an InvalidRequest error naming the attribute and the value.
    static Result<QJsonObject> itemFromText(const MetadataAttribute &attribute,
                                            const QString &text,
                                            const Vocabulary *vocabulary);

    // Required attributes that the user can fill (visible, not read-only)
    // and for which items has no entry.
    static QList<MetadataAttribute> missingRequired(const MetadataTemplate &metadataTemplate,
                                                    const QJsonArray &items);
};

} // namespace tenovos
