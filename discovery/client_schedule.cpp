#include "discovery/client_schedule.h"

#include <algorithm>

namespace nodenet::discovery {

ClientSchedule::Next ClientSchedule::next(TimePoint now) const {
    if (!connected_) return {now >= reconnect_at_ ? Step::Connect : Step::Wait, reconnect_at_};
    if (leaving_ || !desired_) return {Step::Wait, TimePoint::max()};
    TimePoint due = accepted_ != desired_ ? TimePoint::min() : refresh_at_;
    due = std::max(due, retry_publish_at_);
    return {now >= due ? Step::Publish : Step::Wait, due};
}

bool ClientSchedule::set_local(LocalData data) {
    if (desired_ == data) return false;
    desired_ = std::move(data);
    return true;
}

void ClientSchedule::connected(TimePoint) {
    connected_ = true;
    accepted_.reset();
    retry_publish_at_ = TimePoint::min();
    // With nothing to publish, a working connection is the success that ends the backoff.
    if (leaving_ || !desired_) failures_ = 0;
}

std::chrono::milliseconds ClientSchedule::disconnected(TimePoint now, double random) {
    connected_ = false;
    accepted_.reset();
    auto delay = take_backoff(random);
    reconnect_at_ = now + delay;
    return delay;
}

void ClientSchedule::published(const LocalData& sent, TimePoint now) {
    accepted_ = sent;
    refresh_at_ = now + options_.refresh;
    retry_publish_at_ = TimePoint::min();
    failures_ = 0;
}

std::chrono::milliseconds ClientSchedule::refused(TimePoint now, double random) {
    auto delay = take_backoff(random);
    retry_publish_at_ = now + delay;
    return delay;
}

std::chrono::milliseconds ClientSchedule::take_backoff(double random) {
    auto delay = std::max(options_.backoff_min, std::chrono::milliseconds(1));
    for (unsigned i = 0; i < failures_ && delay < options_.backoff_max; ++i) delay *= 2;
    delay = std::min(delay, std::max(options_.backoff_max, options_.backoff_min));
    ++failures_;
    if (options_.jitter > 0) {
        double factor = 1 + options_.jitter * (2 * std::clamp(random, 0.0, 1.0) - 1);
        delay = std::chrono::milliseconds(static_cast<int64_t>(static_cast<double>(delay.count()) * factor));
    }
    return delay;
}

}  // namespace nodenet::discovery
