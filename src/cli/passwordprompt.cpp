#include "passwordprompt.h"

#include <cstdio>
#include <iostream>
#include <string>

#ifdef Q_OS_WIN
#include <io.h>
#include <windows.h>
#else
#include <termios.h>
#include <unistd.h>
#endif

namespace tenovos::cli {

// The Windows C runtime names isatty() and fileno() _isatty() and _fileno().
bool stdinIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stdin)) != 0;
#else
    return isatty(STDIN_FILENO) != 0;
#endif
}

bool stderrIsTerminal()
{
#ifdef Q_OS_WIN
    return _isatty(_fileno(stderr)) != 0;
#else
    return isatty(STDERR_FILENO) != 0;
#endif
}

QString readPasswordFromTerminal(const QString &prompt)
{
    if (!stdinIsTerminal())
        return QString();

    std::fputs(prompt.toLocal8Bit().constData(), stderr);
    std::fflush(stderr);

    // Echo is a property of the terminal: termios on POSIX systems, the
    // console mode on Windows, where there is no termios.
#ifdef Q_OS_WIN
    HANDLE input = GetStdHandle(STD_INPUT_HANDLE);
    DWORD oldMode = 0;
    const bool haveMode = GetConsoleMode(input, &oldMode) != 0;
    if (haveMode)
        SetConsoleMode(input, oldMode & ~DWORD(ENABLE_ECHO_INPUT));
#else
    termios oldSettings {};
    const bool haveSettings = tcgetattr(STDIN_FILENO, &oldSettings) == 0;
    if (haveSettings) {
        termios silent = oldSettings;
        silent.c_lflag &= ~tcflag_t(ECHO);
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &silent);
    }
#endif

    std::string line;
    const bool ok = static_cast<bool>(std::getline(std::cin, line));

#ifdef Q_OS_WIN
    if (haveMode)
        SetConsoleMode(input, oldMode);
#else
    if (haveSettings)
        tcsetattr(STDIN_FILENO, TCSAFLUSH, &oldSettings);
#endif
    std::fputs("\n", stderr);

    if (!ok)
        return QString();
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return QString::fromLocal8Bit(line.data(), qsizetype(line.size()));
}

} // namespace tenovos::cli
