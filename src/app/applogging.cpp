#include "applogging.h"

namespace tenovos {

Q_LOGGING_CATEGORY(lcUi, "tenovos.ui")

} // namespace tenovos
