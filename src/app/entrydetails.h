#pragma once

#include "queuemodel.h"

#include <QCoreApplication>
#include <QString>

namespace tenovos {

// The Details tab's text for one queue row: file, state, ids and, for a
// failure, the plain-words message with the server's own message, status
// and error code.
class EntryDetails
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::EntryDetails)

public:
    static QString html(const QueueModel::Entry &entry);
};

} // namespace tenovos
