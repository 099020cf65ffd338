#include "logging.h"

namespace tenovos {

Q_LOGGING_CATEGORY(lcApi, "tenovos.api", QtInfoMsg)
Q_LOGGING_CATEGORY(lcUpload, "tenovos.upload", QtInfoMsg)
Q_LOGGING_CATEGORY(lcSession, "tenovos.session", QtInfoMsg)

} // namespace tenovos
