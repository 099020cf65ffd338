#pragma once

#include <QLoggingCategory>

// Logging categories of the upload engine. Enable one with, for example,
// QT_LOGGING_RULES="tenovos.upload.debug=true".
namespace tenovos {

Q_DECLARE_LOGGING_CATEGORY(lcApi)     // "tenovos.api": REST calls, retries, mapped errors
Q_DECLARE_LOGGING_CATEGORY(lcUpload)  // "tenovos.upload": files, parts, the scheduler
Q_DECLARE_LOGGING_CATEGORY(lcSession) // "tenovos.session": sign-in, token refresh, sign-out

} // namespace tenovos
