// Result<T>: the value of an operation or the message saying why it failed.
// Errors are values at module boundaries; exceptions from libraries are caught at the edge.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace nodenet {

struct Error {
    std::string message;
};

template <class T>
class Result {
public:
    Result(T value) : state_(std::move(value)) {}          // NOLINT(google-explicit-constructor)
    Result(Error error) : state_(std::move(error)) {}      // NOLINT(google-explicit-constructor)

    bool ok() const { return std::holds_alternative<T>(state_); }
    explicit operator bool() const { return ok(); }

    T& value() & { return std::get<T>(state_); }
    const T& value() const& { return std::get<T>(state_); }
    T&& value() && { return std::get<T>(std::move(state_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }

    const std::string& error() const { return std::get<Error>(state_).message; }

private:
    std::variant<T, Error> state_;
};

// The result of an operation that returns nothing but may fail.
using Status = Result<std::monostate>;
inline Status success() { return std::monostate{}; }

}  // namespace nodenet
