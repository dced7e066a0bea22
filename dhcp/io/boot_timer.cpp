#include "dhcp/io/boot_timer.h"

#include <sys/timerfd.h>
#include <time.h>

#include <algorithm>
#include <cstdint>

namespace nodenet::dhcp::io {

namespace {

using std::chrono::nanoseconds;

timespec to_timespec(TimePoint at) {
    // Zero would disarm the timer: a time at or before the clock's origin fires at its first tick.
    int64_t ns = std::max<int64_t>(std::chrono::duration_cast<nanoseconds>(at.time_since_epoch()).count(), 1);
    return timespec{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
}

}  // namespace

Result<BootTimer> BootTimer::open(const std::string& iface) {
    for (int clock : {CLOCK_BOOTTIME, CLOCK_MONOTONIC}) {
        UniqueFd fd(timerfd_create(clock, TFD_CLOEXEC | TFD_NONBLOCK));
        if (fd) return BootTimer(iface, clock, std::move(fd));
    }
    return errno_error(iface, "timerfd_create");
}

TimePoint BootTimer::now() const {
    timespec ts{};
    clock_gettime(clock_, &ts);
    return TimePoint(std::chrono::duration_cast<Clock::duration>(std::chrono::seconds(ts.tv_sec) +
                                                                 nanoseconds(ts.tv_nsec)));
}

Status BootTimer::arm(TimePoint at) {
    itimerspec spec{};
    spec.it_value = to_timespec(at);
    if (timerfd_settime(fd_.get(), TFD_TIMER_ABSTIME, &spec, nullptr) != 0) return errno_error(iface_, "arm the timer");
    return success();
}

Status BootTimer::disarm() {
    itimerspec spec{};
    if (timerfd_settime(fd_.get(), 0, &spec, nullptr) != 0) return errno_error(iface_, "disarm the timer");
    return success();
}

void BootTimer::acknowledge() const {
    uint64_t expirations = 0;
    (void)!read(fd_.get(), &expirations, sizeof expirations);
}

}  // namespace nodenet::dhcp::io
