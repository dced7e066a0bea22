// How often the daemon may undo what somebody else did to its objects. Restoring an address that
// was deleted by hand is the point of the daemon; restoring it a hundred times a second against a
// second DHCP client or NetworkManager that deletes it again is a fight that only burns CPU. After
// `max_corrections` within `window`, corrections stop for a back-off that doubles with each
// conflict in a row (up to `max_backoff`), and the conflict is reported in `status`. Pure: the
// caller passes the time.
#pragma once

#include <chrono>
#include <deque>
#include <optional>

namespace nodenet::daemon {

class DriftGuard {
public:
    using Clock = std::chrono::steady_clock;
    struct Limits {
        int max_corrections = 10;
        std::chrono::milliseconds window{std::chrono::seconds(60)};
        std::chrono::milliseconds first_backoff{std::chrono::seconds(30)};
        std::chrono::milliseconds max_backoff{std::chrono::minutes(10)};
    };

    DriftGuard() : DriftGuard(Limits{}) {}
    explicit DriftGuard(Limits limits) : limits_(limits) {}

    // Whether a correction may run now; when it may, it is counted. When it may not, backing_off()
    // says until when.
    bool allow(Clock::time_point now);
    std::optional<Clock::time_point> backing_off(Clock::time_point now) const;
    // Corrections counted in the current window, and conflicts (back-offs) since start.
    size_t recent() const { return times_.size(); }
    int conflicts() const { return conflicts_; }

private:
    Limits limits_;
    std::deque<Clock::time_point> times_;
    std::optional<Clock::time_point> until_;
    std::optional<Clock::time_point> backoff_ended_;
    std::chrono::milliseconds next_backoff_{0};
    int conflicts_ = 0;
};

}  // namespace nodenet::daemon
