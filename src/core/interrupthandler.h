#pragma once

#include <QObject>

QT_BEGIN_NAMESPACE
class QSocketNotifier;
QT_END_NAMESPACE

namespace tenovos {

// Turns Ctrl+C (SIGINT and SIGTERM on POSIX, the console control handler on
// Windows) into the interrupted() signal in the thread that created the
// handler.
// Only one instance may exist at a time.
class InterruptHandler : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InterruptHandler)

public:
    explicit InterruptHandler(QObject *parent = nullptr);
    ~InterruptHandler() override;

Q_SIGNALS:
    // count is 1 for the first Ctrl+C, 2 for the second, and so on.
    void interrupted(int count);

private:
    Q_INVOKABLE void notify();

    int m_count = 0;
    QSocketNotifier *m_notifier = nullptr;
};

} // namespace tenovos
