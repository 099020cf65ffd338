#pragma once

#include <QString>

namespace tenovos::cli {

// Whether standard input is a terminal a password can be typed on.
bool stdinIsTerminal();
// Whether standard error is a terminal, where progress can be drawn.
bool stderrIsTerminal();

// Asks for a password on the terminal without echoing it: prints prompt on
// standard error and reads one line from standard input. Returns a null
// string when standard input is not a terminal or reading failed.
QString readPasswordFromTerminal(const QString &prompt);

} // namespace tenovos::cli
