// The error value of a failed system call, worded "IFACE: what: reason" as every message of the
// DHCP client's I/O is; UniqueFd (common/unique_fd.h) under the name this folder has used.
#pragma once

#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>

#include "common/result.h"
#include "common/unique_fd.h"

namespace nodenet::dhcp::io {

using nodenet::UniqueFd;

// "eth0: bind packet socket: No such device", from errno as the failed call left it.
inline Error errno_error(const std::string& iface, const std::string& what) {
    return Error{iface + ": " + what + ": " + std::strerror(errno)};
}

}  // namespace nodenet::dhcp::io
