// SIGTERM and SIGINT as readable events of the client's event loop (signalfd), so that stopping
// runs the client's own Stop path — DHCPRELEASE, removing the lease — instead of a handler that
// could interrupt it halfway. The signals are blocked while this object lives.
#pragma once

#include <signal.h>

#include <string>

#include "common/result.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

class StopSignals {
public:
    static Result<StopSignals> open(const std::string& iface);
    ~StopSignals();
    StopSignals(StopSignals&& other) noexcept;
    StopSignals& operator=(StopSignals&&) = delete;

    int fd() const { return fd_.get(); }
    // The signal that arrived, 0 when none is queued.
    int read() const;

private:
    StopSignals(sigset_t previous, UniqueFd fd) : previous_(previous), fd_(std::move(fd)) {}

    sigset_t previous_;
    UniqueFd fd_;
    bool restore_ = true;
};

}  // namespace nodenet::dhcp::io
