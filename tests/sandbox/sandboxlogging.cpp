#include "sandboxlogging.h"

namespace tenovos::sandbox {

Q_LOGGING_CATEGORY(lcSandbox, "tenovos.sandbox")

} // namespace tenovos::sandbox
