#include "filerangedevice.h"

namespace tenovos {

FileRangeDevice::FileRangeDevice(const QString &filePath, qint64 offset, qint64 length,
                                 QObject *parent)
    : QIODevice(parent)
    , m_file(filePath)
    , m_offset(qMax<qint64>(0, offset))
    , m_length(qMax<qint64>(0, length))
{
}

FileRangeDevice::~FileRangeDevice()
{
    FileRangeDevice::close();
}

bool FileRangeDevice::open(OpenMode mode)
{
    if ((mode & (WriteOnly | Append | Truncate)) != 0) {
        setErrorString(tr("%1 can only be read").arg(m_file.fileName()));
        return false;
    }
    // Both devices unbuffered: QIODevice's own buffer would copy every byte
    // once more, and QNetworkAccessManager reads in its own chunks anyway.
    if (!m_file.open(QIODevice::ReadOnly | QIODevice::Unbuffered)) {
        setErrorString(m_file.errorString());
        return false;
    }
    if (m_file.size() < m_offset + m_length) {
        setErrorString(tr("%1 is %2 bytes long, shorter than the %3 bytes expected; it changed "
                          "after the upload started")
                           .arg(m_file.fileName(), QString::number(m_file.size()),
                                QString::number(m_offset + m_length)));
        m_file.close();
        return false;
    }
    if (!m_file.seek(m_offset)) {
        setErrorString(m_file.errorString());
        m_file.close();
        return false;
    }
    return QIODevice::open(ReadOnly | Unbuffered);
}

void FileRangeDevice::close()
{
    if (isOpen())
        QIODevice::close();
    m_file.close();
}

bool FileRangeDevice::seek(qint64 position)
{
    if (position < 0 || position > m_length)
        return false;
    if (!QIODevice::seek(position))
        return false;
    return m_file.seek(m_offset + position);
}

bool FileRangeDevice::atEnd() const
{
    return !isOpen() || pos() >= m_length;
}

qint64 FileRangeDevice::readData(char *data, qint64 maxSize)
{
    const qint64 remaining = m_length - pos();
    if (remaining <= 0)
        return 0;
    const qint64 wanted = qMin(maxSize, remaining);
    // Keep the file position in step with pos(); QIODevice::seek() only
    // moves the latter when a subclass does not seek the file itself.
    if (m_file.pos() != m_offset + pos() && !m_file.seek(m_offset + pos())) {
        setErrorString(m_file.errorString());
        return -1;
    }
    const qint64 read = m_file.read(data, wanted);
    if (read < 0) {
        setErrorString(m_file.errorString());
        return -1;
    }
    if (read == 0 && wanted > 0) {
        setErrorString(tr("%1 ended early; it changed after the upload started")
                           .arg(m_file.fileName()));
        return -1;
    }
    return read;
}

qint64 FileRangeDevice::writeData(const char *, qint64)
{
    return -1;
}

} // namespace tenovos
