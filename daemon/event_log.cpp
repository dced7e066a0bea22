#include "daemon/event_log.h"

#include <ctime>

namespace nodenet::daemon {

namespace {

std::string utc_text(std::chrono::system_clock::time_point t) {
    auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
    std::time_t secs = static_cast<std::time_t>(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[40];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
    char out[48];
    std::snprintf(out, sizeof out, "%s.%03dZ", buf, static_cast<int>(ms % 1000));
    return out;
}

}  // namespace

nlohmann::ordered_json event_json(const Event& e) {
    return {{"seq", e.seq}, {"time", utc_text(e.time)}, {"kind", e.kind}, {"object", e.object}, {"what", e.what}};
}

std::string event_text(const Event& e) {
    return utc_text(e.time) + " " + e.kind + " " + (e.object.empty() ? "" : e.object + ": ") + e.what;
}

const Event& EventLog::add(std::string kind, std::string object, std::string what,
                           std::chrono::system_clock::time_point now) {
    if (events_.size() == capacity_) events_.pop_front();
    events_.push_back(Event{next_seq_++, now, std::move(kind), std::move(object), std::move(what)});
    // A listener may unlisten itself (a follower whose connection broke): iterate over a copy.
    auto listeners = listeners_;
    for (auto& [id, listener] : listeners) listener(events_.back());
    return events_.back();
}

std::vector<Event> EventLog::tail(size_t n) const {
    size_t from = events_.size() > n ? events_.size() - n : 0;
    return {events_.begin() + static_cast<std::ptrdiff_t>(from), events_.end()};
}

uint64_t EventLog::listen(Listener listener) {
    listeners_.emplace_back(next_listener_, std::move(listener));
    return next_listener_++;
}

void EventLog::unlisten(uint64_t id) {
    std::erase_if(listeners_, [id](const auto& l) { return l.first == id; });
}

}  // namespace nodenet::daemon
