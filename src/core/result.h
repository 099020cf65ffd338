#pragma once

#include "apierror.h"

#include <utility>
#include <variant>

namespace tenovos {

// A value or the ApiError that prevented it, returned instead of
// out-parameters. A default-constructed Result contains a default value.
template <typename T>
class Result
{
public:
    Result() = default;
    Result(const T &value) : m_data(value) {}
    Result(T &&value) : m_data(std::move(value)) {}
    Result(const ApiError &error) : m_data(error) {}

    bool isOk() const { return m_data.index() == 0; }
    explicit operator bool() const { return isOk(); }

    // Only valid when isOk().
    const T &value() const { return std::get<0>(m_data); }
    T &value() { return std::get<0>(m_data); }
    T takeValue() { return std::move(std::get<0>(m_data)); }

    // An ApiError of kind None when isOk().
    ApiError error() const { return isOk() ? ApiError() : std::get<1>(m_data); }

private:
    std::variant<T, ApiError> m_data;
};

// Success without a value, or an ApiError.
template <>
class Result<void>
{
public:
    Result() = default;
    Result(const ApiError &error) : m_error(error) {}

    bool isOk() const { return !m_error.isError(); }
    explicit operator bool() const { return isOk(); }
    ApiError error() const { return m_error; }

private:
    ApiError m_error;
};

} // namespace tenovos
