#pragma once

#include <QLoggingCategory>

namespace tenovos {

// "tenovos.ui": the window's own actions (files added, sign-in, uploads
// started, closing). Never logs passwords, API keys or tokens.
Q_DECLARE_LOGGING_CATEGORY(lcUi)

} // namespace tenovos
