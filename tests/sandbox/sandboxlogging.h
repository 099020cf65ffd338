#pragma once

#include <QLoggingCategory>

namespace tenovos::sandbox {

// "tenovos.sandbox": one line per request (method, path without query,
// status, bytes, milliseconds) plus starts, stops and errors. Never a key,
// password, token or query string.
Q_DECLARE_LOGGING_CATEGORY(lcSandbox)

} // namespace tenovos::sandbox
