// When the discovery service client connects and publishes (Talos's discovery-client loop,
// reference §4.5), apart from the gRPC calls that do it: pure, the time is passed in, so the tests
// drive it with a fake clock and the I/O (discovery/io/service_client.cpp) only asks `next()`.
//
//   * Connect (Hello, then Watch) at once, and after each failure when its backoff has passed:
//     backoff_min, doubling up to backoff_max, back to backoff_min after a success.
//   * Once connected, publish what set_local gave when it differs from what the service last
//     accepted, and again every `refresh`. A reconnect forgets what was accepted: the service may
//     have restarted empty, so the whole local data is published again.
//   * set_local with what is already asked changes nothing: the watch echo of the node's own update
//     never causes another update.
//   * A refused publish is retried after a backoff, on the same connection.
//   * After leave(), nothing is published any more.
#pragma once

#include <chrono>
#include <optional>
#include <vector>

#include "discovery/affiliate.h"
#include "discovery/service_client.h"

namespace nodenet::discovery {

// What the node publishes: its affiliate and the endpoints it harvested for others.
struct LocalData {
    Affiliate affiliate;
    std::vector<OtherEndpoints> others;

    bool operator==(const LocalData&) const = default;
};

struct ScheduleOptions {
    std::chrono::milliseconds refresh{15 * 60 * 1000};
    std::chrono::milliseconds backoff_min{1000};
    std::chrono::milliseconds backoff_max{60000};
    // Each backoff is multiplied by 1 ± jitter × (2 × random − 1), so that the nodes of a cluster
    // do not all return to a restarted service in the same second; 0 in tests.
    double jitter = 0;
};

class ClientSchedule {
public:
    using Clock = std::chrono::steady_clock;
    using TimePoint = Clock::time_point;

    enum class Step {
        Connect,  // Hello, then Watch; then connected() or disconnected()
        Publish,  // the AffiliateUpdates of local(); then published(), refused() or disconnected()
        Wait,     // until `at`, or until something happens (set_local, a watch that ends, ...)
    };
    struct Next {
        Step step;
        TimePoint at;  // Wait: when to ask again; TimePoint::max() = only when something happens
    };

    explicit ClientSchedule(ScheduleOptions options) : options_(options) {}

    Next next(TimePoint now) const;

    // What to publish. False when it is what was asked already (nothing new to do).
    bool set_local(LocalData data);
    const std::optional<LocalData>& local() const { return desired_; }
    void leave() { leaving_ = true; }
    bool leaving() const { return leaving_; }

    bool is_connected() const { return connected_; }
    void connected(TimePoint now);
    // The connection failed or broke; the delay before the next Connect. `random` in [0, 1).
    std::chrono::milliseconds disconnected(TimePoint now, double random = 0.5);
    // The service accepted `sent` (what local() was when the publish began).
    void published(const LocalData& sent, TimePoint now);
    // The service refused the publish; the delay before it is tried again.
    std::chrono::milliseconds refused(TimePoint now, double random = 0.5);

private:
    std::chrono::milliseconds take_backoff(double random);

    ScheduleOptions options_;
    std::optional<LocalData> desired_;
    std::optional<LocalData> accepted_;  // what the service has, on this connection
    bool leaving_ = false;
    bool connected_ = false;
    unsigned failures_ = 0;              // since the last success: how far the backoff has grown
    TimePoint reconnect_at_ = TimePoint::min();
    TimePoint retry_publish_at_ = TimePoint::min();
    TimePoint refresh_at_ = TimePoint::min();
};

}  // namespace nodenet::discovery
