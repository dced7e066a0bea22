// A file descriptor owned by one object and closed with it, and the error value of a failed system
// call, worded "IFACE: what: reason" as every message of the DHCP client's I/O is.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/result.h"

namespace nodenet::dhcp::io {

class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    ~UniqueFd() { reset(); }
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept {
        if (this != &other) {
            reset();
            fd_ = std::exchange(other.fd_, -1);
        }
        return *this;
    }
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() {
        if (fd_ >= 0) close(fd_);
        fd_ = -1;
    }

private:
    int fd_ = -1;
};

// "eth0: bind packet socket: No such device", from errno as the failed call left it.
inline Error errno_error(const std::string& iface, const std::string& what) {
    return Error{iface + ": " + what + ": " + std::strerror(errno)};
}

}  // namespace nodenet::dhcp::io
