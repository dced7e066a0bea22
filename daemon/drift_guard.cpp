#include "daemon/drift_guard.h"

#include <algorithm>

namespace nodenet::daemon {

bool DriftGuard::allow(Clock::time_point now) {
    if (until_) {
        if (now < *until_) return false;
        // The back-off is over: count afresh, but keep its length, so that a fight that goes on
        // backs off longer each time.
        backoff_ended_ = *until_;
        until_.reset();
        times_.clear();
    }
    while (!times_.empty() && now - times_.front() >= limits_.window) times_.pop_front();
    // A whole window without a back-off: the fight is over, the next one starts short again.
    if (backoff_ended_ && now - *backoff_ended_ >= limits_.window && times_.size() < static_cast<size_t>(limits_.max_corrections))
        next_backoff_ = std::chrono::milliseconds(0);
    if (static_cast<int>(times_.size()) >= limits_.max_corrections) {
        next_backoff_ = next_backoff_.count() == 0 ? limits_.first_backoff : std::min(next_backoff_ * 2, limits_.max_backoff);
        until_ = now + next_backoff_;
        ++conflicts_;
        return false;
    }
    times_.push_back(now);
    return true;
}

std::optional<DriftGuard::Clock::time_point> DriftGuard::backing_off(Clock::time_point now) const {
    if (until_ && now < *until_) return until_;
    return std::nullopt;
}

}  // namespace nodenet::daemon
