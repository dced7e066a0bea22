// The DHCP client's clock and its one timer. CLOCK_BOOTTIME keeps counting while the machine is
// suspended, so a lease runs out during a long sleep as it does on the server; CLOCK_MONOTONIC is
// the fallback for kernels without BOOTTIME timers. Readings are dhcp::TimePoint values (time since
// boot): the client only compares and subtracts them, and the lease file stores wall-clock times.
#pragma once

#include "common/result.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

class BootTimer {
public:
    static Result<BootTimer> open(const std::string& iface);

    int fd() const { return fd_.get(); }
    TimePoint now() const;
    Status arm(TimePoint at);  // replaces an earlier time; a time already past fires at once
    Status disarm();
    void acknowledge() const;  // after poll reported the fd readable

private:
    BootTimer(std::string iface, int clock, UniqueFd fd) : iface_(std::move(iface)), clock_(clock), fd_(std::move(fd)) {}

    std::string iface_;
    int clock_;
    UniqueFd fd_;
};

}  // namespace nodenet::dhcp::io
