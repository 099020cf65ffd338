#pragma once

#include <QCoreApplication>
#include <QString>

namespace tenovos {

// Human-readable sizes, speeds and durations for the queue and status bar.
class DisplayFormat
{
    Q_DECLARE_TR_FUNCTIONS(tenovos::DisplayFormat)

public:
    // "1.5 MiB"; an empty string for a negative (unknown) size.
    static QString size(qint64 bytes);
    // "12.3 MiB/s"; an empty string when the speed is zero or unknown.
    static QString speed(double bytesPerSecond);
    // "45 s", "3 min 20 s", "2 h 5 min"; an empty string for negative seconds.
    static QString duration(qint64 seconds);
    // sent / total in thousandths, clamped to 0..1000; 0 when total is not positive.
    static int permille(qint64 sent, qint64 total);
    // Seconds left at the given speed, or -1 when it cannot be estimated.
    static qint64 secondsLeft(qint64 remainingBytes, double bytesPerSecond);
};

} // namespace tenovos
