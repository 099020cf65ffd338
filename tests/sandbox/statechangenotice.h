#pragma once

#include <functional>

namespace tenovos::sandbox {

// Calls a store's change handler when it goes out of scope, if markChanged()
// was called. A store declares it before its QMutexLocker, so it is
// destroyed after the locker and the handler runs with the store unlocked:
// saving the state takes every store's lock again.
class StateChangeNotice
{
public:
    explicit StateChangeNotice(const std::function<void()> &handler)
        : m_handler(handler)
    {
    }
    ~StateChangeNotice()
    {
        if (m_changed && m_handler)
            m_handler();
    }
    StateChangeNotice(const StateChangeNotice &) = delete;
    StateChangeNotice &operator=(const StateChangeNotice &) = delete;

    void markChanged() { m_changed = true; }

private:
    const std::function<void()> &m_handler;
    bool m_changed = false;
};

} // namespace tenovos::sandbox
