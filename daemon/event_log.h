// What the daemon did and why, as `nodenet events` shows it: applied, drift corrected, lease
// bound/renewed/expired, config reloaded or refused, link appeared or gone. The last events are kept
// in memory (a bounded ring: a daemon that runs for a year does not grow), each with a sequence
// number so that a follower that was cut off can tell what it missed.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace nodenet::daemon {

struct Event {
    uint64_t seq = 0;
    std::chrono::system_clock::time_point time;
    std::string kind;    // "applied", "drift", "lease", "config", "link", "refused", "error", "ready"
    std::string object;  // "eth0", "eth0 address 10.0.0.2/24", "config", ...
    std::string what;    // one sentence: what happened, what follows
};

nlohmann::ordered_json event_json(const Event& e);
// "2026-12-03T13:02:40.123Z drift eth0 address 10.0.0.2/24: deleted by someone else; restored"
std::string event_text(const Event& e);

class EventLog {
public:
    using Listener = std::function<void(const Event&)>;
    explicit EventLog(size_t capacity = 1000) : capacity_(capacity) {}

    const Event& add(std::string kind, std::string object, std::string what,
                     std::chrono::system_clock::time_point now = std::chrono::system_clock::now());
    // The last `n` events, oldest first.
    std::vector<Event> tail(size_t n) const;
    // Called with every event added from now on; returns an id for unlisten().
    uint64_t listen(Listener listener);
    void unlisten(uint64_t id);

private:
    size_t capacity_;
    std::deque<Event> events_;
    uint64_t next_seq_ = 1;
    std::vector<std::pair<uint64_t, Listener>> listeners_;
    uint64_t next_listener_ = 1;
};

}  // namespace nodenet::daemon
