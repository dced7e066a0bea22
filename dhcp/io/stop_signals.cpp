#include "dhcp/io/stop_signals.h"

#include <sys/signalfd.h>

#include <utility>

namespace nodenet::dhcp::io {

Result<StopSignals> StopSignals::open(const std::string& iface) {
    sigset_t stop, previous;
    sigemptyset(&stop);
    sigaddset(&stop, SIGTERM);
    sigaddset(&stop, SIGINT);
    // Blocked first: a signal arriving between the two calls waits in the queue instead of killing.
    if (sigprocmask(SIG_BLOCK, &stop, &previous) != 0) return errno_error(iface, "block SIGTERM and SIGINT");
    UniqueFd fd(signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
    if (!fd) {
        Error e = errno_error(iface, "signalfd");
        sigprocmask(SIG_SETMASK, &previous, nullptr);
        return e;
    }
    return StopSignals(previous, std::move(fd));
}

StopSignals::StopSignals(StopSignals&& other) noexcept
    : previous_(other.previous_), fd_(std::move(other.fd_)), restore_(std::exchange(other.restore_, false)) {}

StopSignals::~StopSignals() {
    if (restore_) sigprocmask(SIG_SETMASK, &previous_, nullptr);
}

int StopSignals::read() const {
    signalfd_siginfo info{};
    ssize_t n = ::read(fd_.get(), &info, sizeof info);
    return n == static_cast<ssize_t>(sizeof info) ? static_cast<int>(info.ssi_signo) : 0;
}

}  // namespace nodenet::dhcp::io
