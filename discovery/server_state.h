// What a discovery service keeps (Talos's discovery-service v1.1.0, reference §4.6): clusters of
// affiliates, each an opaque encrypted blob with opaque endpoint blobs and expirations, and the
// watchers that follow a cluster. Pure: no sockets, no clock (`now` is passed in), no gRPC; the
// gRPC adapter (discovery/io/server.cpp) holds it under one mutex. The service never decrypts
// anything: it compares bytes and counts them.
//
// Every input is bounded by the limits below, so that memory is bounded by what clients are
// allowed to send, and every refusal is a value with a code the adapter maps to gRPC's.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace nodenet::discovery {

// Talos's pkg/limits.
inline constexpr size_t kMaxClusterIdBytes = 256;
inline constexpr size_t kMaxAffiliateIdBytes = 256;
inline constexpr size_t kMaxAffiliateDataBytes = 2048;
inline constexpr size_t kMaxEndpointBytes = 32;
inline constexpr std::chrono::minutes kMaxTtl{30};
inline constexpr size_t kMaxAffiliatesPerCluster = 1024;
inline constexpr size_t kMaxEndpointsPerAffiliate = 64;
// A watcher that falls this many messages behind is dropped ("lost update") and re-watches.
inline constexpr size_t kWatchQueueLength = 32;
// nodenet's own bound (Talos has none): every node watches once per service, and a stream that
// is being re-opened may briefly count twice; past this, Watch is RESOURCE_EXHAUSTED, so that one
// cluster ID holder cannot make every update walk an endless list.
inline constexpr size_t kMaxWatchersPerCluster = 2 * kMaxAffiliatesPerCluster;

using ServerClock = std::chrono::steady_clock;
using ServerTime = ServerClock::time_point;

// The subset of gRPC's status codes the state returns, with gRPC's numbers, so that the adapter
// converts with a cast and this header stays free of gRPC.
enum class RequestCode : int { Ok = 0, InvalidArgument = 3, ResourceExhausted = 8 };

struct RequestStatus {
    RequestCode code = RequestCode::Ok;
    std::string message;  // names the object and the reason: `cluster "abc": 1024 affiliates, the limit`

    bool ok() const { return code == RequestCode::Ok; }
};

struct StoredEndpoint {
    std::string data;  // encrypted, compared by bytes
    ServerTime expiration;
};

struct StoredAffiliate {
    std::string id;
    std::string data;  // encrypted; empty when only endpoints were ever sent (clients skip it)
    ServerTime expiration;
    std::vector<StoredEndpoint> endpoints;  // in the order they first arrived
};

// One Watch message: an affiliate as it is now, or only its ID with `deleted`.
struct WatchEvent {
    std::string id;
    bool deleted = false;
    std::string data;
    std::vector<std::string> endpoints;
};

using WatcherId = uint64_t;

struct StoredCluster {
    std::map<std::string, StoredAffiliate, std::less<>> affiliates;
    std::vector<WatcherId> watchers;
};

struct Subscription {
    WatcherId watcher = 0;
    std::vector<WatchEvent> snapshot;  // the first Watch message: every affiliate (possibly none)
};

// What a watcher has to send: the events queued since its last call, or `lost` when its queue
// overflowed (its stream must end with ABORTED "lost update"; the client re-watches).
struct WatchBatch {
    std::vector<WatchEvent> events;
    bool lost = false;
};

class ServerState {
public:
    // Checks the cluster ID; Hello stores nothing.
    RequestStatus hello(std::string_view cluster_id) const;

    // AffiliateUpdate. `data`, when given, replaces the data and notifies the watchers (even with
    // the same bytes, as Talos); each endpoint is extended when known (same bytes), appended when
    // new; the affiliate lives until the latest of its expirations. An unknown ID is created.
    // `notified` (optional) receives the watchers that got an event, for the adapter to wake.
    RequestStatus update(std::string_view cluster_id, std::string_view affiliate_id,
                         const std::optional<std::string_view>& data, std::span<const std::string> endpoints,
                         std::chrono::milliseconds ttl, ServerTime now, std::vector<WatcherId>* notified = nullptr);

    // AffiliateDelete; deleting an unknown affiliate is no error (Talos).
    RequestStatus remove(std::string_view cluster_id, std::string_view affiliate_id,
                         std::vector<WatcherId>* notified = nullptr);

    // List: every affiliate of the cluster, those without data included.
    RequestStatus list(std::string_view cluster_id, std::vector<WatchEvent>& out) const;

    // Watch: a new watcher of the cluster (created when unknown) and its snapshot; at most
    // kMaxWatchersPerCluster.
    RequestStatus subscribe(std::string_view cluster_id, Subscription& out);
    void unsubscribe(WatcherId watcher);
    // The events queued for a watcher, emptying its queue; an unknown watcher is `lost`.
    WatchBatch take_events(WatcherId watcher);

    // Expired affiliates removed (watchers told `deleted`), expired endpoints dropped (watchers told
    // the affiliate as it is now: Talos sends only the ID there, which its clients read as a deletion
    // until the next data update; nodenet sends the remaining affiliate instead), empty clusters
    // without watchers removed.
    void gc(ServerTime now, std::vector<WatcherId>* notified = nullptr);

    // Read-only view for the snapshot and the inspect page: every cluster with affiliates or watchers.
    const std::map<std::string, StoredCluster, std::less<>>& clusters() const { return clusters_; }
    size_t watcher_count() const { return watchers_.size(); }

private:
    struct Watcher {
        std::string cluster_id;
        std::deque<WatchEvent> queue;
        bool lost = false;
    };

    void notify(const StoredCluster& cluster, const WatchEvent& event, std::vector<WatcherId>* notified);

    std::map<std::string, StoredCluster, std::less<>> clusters_;
    std::map<WatcherId, Watcher> watchers_;
    WatcherId next_watcher_ = 1;
};

// A checked TTL from a request: refused when negative or above kMaxTtl (Talos answers
// InvalidArgument there rather than clamping).
RequestStatus check_ttl(std::chrono::milliseconds ttl);

// Per-client-IP token bucket (Talos: 15 requests/s, burst 60). Pure: `now` is passed in.
class RateLimiter {
public:
    static constexpr size_t kMaxClients = 65536;
    struct Limits {
        double per_second = 15;
        double burst = 60;
    };
    RateLimiter() = default;
    explicit RateLimiter(Limits limits) : limits_(limits) {}

    // True when the request may go ahead (one token taken).
    // A new IP beyond kMaxClients (after forgetting idle ones) is refused: memory stays bounded
    // even when a client cycles through IPv6 addresses.
    bool allow(std::string_view client_ip, ServerTime now);
    // Forgets buckets that have refilled: an idle client costs nothing.
    void gc(ServerTime now);
    size_t size() const { return buckets_.size(); }

private:
    struct Bucket {
        double tokens;
        ServerTime updated;
    };
    double refilled(const Bucket& bucket, ServerTime now) const;

    Limits limits_;
    std::map<std::string, Bucket, std::less<>> buckets_;
};

}  // namespace nodenet::discovery
