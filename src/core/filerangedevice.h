#pragma once

#include <QFile>
#include <QIODevice>

namespace tenovos {

// A read-only, random-access QIODevice over bytes [offset, offset + length)
// of a file, used as the body of one part upload. Reads go straight from the
// file into the caller's buffer, whose size the caller chooses, so memory
// does not grow with the part size.
// size() is the length of the range; seek() and reset() work, which
// QNetworkAccessManager needs when it sends a body again.
class FileRangeDevice : public QIODevice
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FileRangeDevice)

public:
    FileRangeDevice(const QString &filePath, qint64 offset, qint64 length,
                    QObject *parent = nullptr);
    ~FileRangeDevice() override;

    // Opens the file; only QIODevice::ReadOnly is supported. Fails, with
    // errorString() set, when the file cannot be opened or is shorter than
    // offset + length.
    bool open(OpenMode mode) override;
    void close() override;

    bool isSequential() const override { return false; }
    qint64 size() const override { return m_length; }
    bool seek(qint64 position) override;
    bool atEnd() const override;

    qint64 offset() const { return m_offset; }
    QString filePath() const { return m_file.fileName(); }

protected:
    qint64 readData(char *data, qint64 maxSize) override;
    qint64 writeData(const char *data, qint64 maxSize) override;

private:
    QFile m_file;
    qint64 m_offset;
    qint64 m_length;
};

} // namespace tenovos
