#include "displayformat.h"

#include <QLocale>

#include <cmath>

namespace tenovos {

QString DisplayFormat::size(qint64 bytes)
{
    if (bytes < 0)
        return QString();
    return QLocale().formattedDataSize(bytes, 1, QLocale::DataSizeIecFormat);
}

QString DisplayFormat::speed(double bytesPerSecond)
{
    if (!(bytesPerSecond > 0.5))
        return QString();
    //: Transfer speed, such as "12.3 MiB/s"
    return tr("%1/s").arg(size(qRound64(bytesPerSecond)));
}

QString DisplayFormat::duration(qint64 seconds)
{
    if (seconds < 0)
        return QString();
    if (seconds < 60)
        return tr("%1 s").arg(seconds);
    if (seconds < 3600)
        return tr("%1 min %2 s").arg(seconds / 60).arg(seconds % 60);
    if (seconds < 100 * 3600)
        return tr("%1 h %2 min").arg(seconds / 3600).arg((seconds % 3600) / 60);
    return tr("more than 4 days");
}

int DisplayFormat::permille(qint64 sent, qint64 total)
{
    if (total <= 0 || sent <= 0)
        return 0;
    if (sent >= total)
        return 1000;
    return static_cast<int>(sent * 1000 / total);
}

qint64 DisplayFormat::secondsLeft(qint64 remainingBytes, double bytesPerSecond)
{
    if (remainingBytes < 0 || !(bytesPerSecond > 0.5))
        return -1;
    return static_cast<qint64>(std::ceil(static_cast<double>(remainingBytes) / bytesPerSecond));
}

} // namespace tenovos
