#include "discovery/server_state.h"

#include <algorithm>

#include "common/printable.h"

namespace nodenet::discovery {

namespace {

RequestStatus invalid(std::string message) { return {RequestCode::InvalidArgument, std::move(message)}; }
RequestStatus exhausted(std::string message) { return {RequestCode::ResourceExhausted, std::move(message)}; }

// Talos declares the IDs `string`, and Go's protobuf refuses a request whose string is not UTF-8;
// nodenet reads them as bytes (cluster.proto) and refuses the same requests here.
bool is_utf8(std::string_view text) {
    size_t i = 0;
    while (i < text.size()) {
        auto c = static_cast<unsigned char>(text[i]);
        size_t extra = c < 0x80 ? 0 : (c >> 5) == 0x6 ? 1 : (c >> 4) == 0xE ? 2 : (c >> 3) == 0x1E ? 3 : 4;
        if (extra == 4 || i + extra >= text.size()) return false;  // a bad lead byte, or cut short
        uint32_t code = extra == 0 ? c : c & (0x3F >> extra);
        for (size_t k = 1; k <= extra; ++k) {
            auto next = static_cast<unsigned char>(text[i + k]);
            if ((next & 0xC0) != 0x80) return false;
            code = (code << 6) | (next & 0x3F);
        }
        // Overlong forms, surrogates and code points beyond U+10FFFF are not UTF-8.
        static constexpr uint32_t kMinOfLength[] = {0, 0x80, 0x800, 0x10000};
        if (code < kMinOfLength[extra] || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) return false;
        i += extra + 1;
    }
    return true;
}

RequestStatus check_id(std::string_view what, std::string_view id, size_t limit) {
    if (id.empty()) return invalid(std::string(what) + " is empty");
    if (id.size() > limit)
        return invalid(std::string(what) + " \"" + printable_ascii(id, 32) + "\" is " + std::to_string(id.size()) +
                       " bytes, longer than " + std::to_string(limit));
    if (!is_utf8(id)) return invalid(std::string(what) + " \"" + printable_ascii(id, 32) + "\" is not UTF-8");
    return {};
}

RequestStatus check_cluster_id(std::string_view id) { return check_id("cluster ID", id, kMaxClusterIdBytes); }

std::string cluster_name(std::string_view id) { return "cluster \"" + printable_ascii(id, 64) + "\""; }

WatchEvent event_of(const StoredAffiliate& affiliate) {
    WatchEvent event{affiliate.id, false, affiliate.data, {}};
    for (const auto& endpoint : affiliate.endpoints) event.endpoints.push_back(endpoint.data);
    return event;
}

}  // namespace

RequestStatus check_ttl(std::chrono::milliseconds ttl) {
    if (ttl.count() < 0) return invalid("TTL is negative");
    if (ttl > kMaxTtl)
        return invalid("TTL " + std::to_string(ttl.count() / 1000) + " s is longer than " +
                       std::to_string(kMaxTtl.count()) + " min");
    return {};
}

RequestStatus ServerState::hello(std::string_view cluster_id) const { return check_cluster_id(cluster_id); }

RequestStatus ServerState::update(std::string_view cluster_id, std::string_view affiliate_id,
                                  const std::optional<std::string_view>& data, std::span<const std::string> endpoints,
                                  std::chrono::milliseconds ttl, ServerTime now, std::vector<WatcherId>* notified) {
    // Everything is checked before anything changes: a refused update leaves no trace.
    if (auto s = check_cluster_id(cluster_id); !s.ok()) return s;
    if (auto s = check_id("affiliate ID", affiliate_id, kMaxAffiliateIdBytes); !s.ok()) return s;
    if (data && data->size() > kMaxAffiliateDataBytes)
        return invalid("affiliate data is " + std::to_string(data->size()) + " bytes, more than " +
                       std::to_string(kMaxAffiliateDataBytes));
    for (size_t i = 0; i < endpoints.size(); ++i)
        if (endpoints[i].size() > kMaxEndpointBytes)
            return invalid("affiliate endpoint " + std::to_string(i) + " is " + std::to_string(endpoints[i].size()) +
                           " bytes, more than " + std::to_string(kMaxEndpointBytes));
    if (auto s = check_ttl(ttl); !s.ok()) return s;

    auto cluster_it = clusters_.find(cluster_id);
    const StoredAffiliate* known = nullptr;
    if (cluster_it != clusters_.end()) {
        auto a = cluster_it->second.affiliates.find(affiliate_id);
        if (a != cluster_it->second.affiliates.end()) known = &a->second;
        else if (cluster_it->second.affiliates.size() >= kMaxAffiliatesPerCluster)
            return exhausted(cluster_name(cluster_id) + " has " + std::to_string(kMaxAffiliatesPerCluster) +
                             " affiliates, the limit");
    }
    // Count the endpoints the affiliate would have (duplicates within the request count once).
    size_t endpoint_count = known ? known->endpoints.size() : 0;
    std::vector<std::string_view> fresh;
    for (const auto& e : endpoints) {
        bool is_known = known && std::any_of(known->endpoints.begin(), known->endpoints.end(),
                                             [&](const StoredEndpoint& k) { return k.data == e; });
        if (!is_known && std::find(fresh.begin(), fresh.end(), e) == fresh.end()) fresh.push_back(e);
    }
    if (endpoint_count + fresh.size() > kMaxEndpointsPerAffiliate)
        return exhausted("affiliate \"" + printable_ascii(affiliate_id, 64) + "\" would have " +
                         std::to_string(endpoint_count + fresh.size()) + " endpoints, more than " +
                         std::to_string(kMaxEndpointsPerAffiliate));

    if (cluster_it == clusters_.end()) cluster_it = clusters_.emplace(std::string(cluster_id), StoredCluster{}).first;
    auto [it, created] = cluster_it->second.affiliates.try_emplace(std::string(affiliate_id));
    StoredAffiliate& affiliate = it->second;
    ServerTime expiration = now + ttl;
    bool changed = created;
    if (created) {
        affiliate.id = std::string(affiliate_id);
        affiliate.expiration = expiration;
    }
    if (data) {
        affiliate.data = std::string(*data);
        changed = true;
    }
    for (const auto& e : endpoints) {
        auto k = std::find_if(affiliate.endpoints.begin(), affiliate.endpoints.end(),
                              [&](const StoredEndpoint& s) { return s.data == e; });
        if (k != affiliate.endpoints.end()) {
            k->expiration = std::max(k->expiration, expiration);
        } else {
            affiliate.endpoints.push_back({e, expiration});
            changed = true;
        }
    }
    affiliate.expiration = std::max(affiliate.expiration, expiration);
    if (changed) notify(cluster_it->second, event_of(affiliate), notified);
    return {};
}

RequestStatus ServerState::remove(std::string_view cluster_id, std::string_view affiliate_id,
                                  std::vector<WatcherId>* notified) {
    if (auto s = check_cluster_id(cluster_id); !s.ok()) return s;
    if (auto s = check_id("affiliate ID", affiliate_id, kMaxAffiliateIdBytes); !s.ok()) return s;
    auto cluster = clusters_.find(cluster_id);
    if (cluster == clusters_.end()) return {};
    auto affiliate = cluster->second.affiliates.find(affiliate_id);
    if (affiliate == cluster->second.affiliates.end()) return {};
    cluster->second.affiliates.erase(affiliate);
    notify(cluster->second, WatchEvent{std::string(affiliate_id), true, {}, {}}, notified);
    return {};
}

RequestStatus ServerState::list(std::string_view cluster_id, std::vector<WatchEvent>& out) const {
    if (auto s = check_cluster_id(cluster_id); !s.ok()) return s;
    out.clear();
    auto cluster = clusters_.find(cluster_id);
    if (cluster == clusters_.end()) return {};
    for (const auto& [id, affiliate] : cluster->second.affiliates) out.push_back(event_of(affiliate));
    return {};
}

RequestStatus ServerState::subscribe(std::string_view cluster_id, Subscription& out) {
    if (auto s = check_cluster_id(cluster_id); !s.ok()) return s;
    auto cluster = clusters_.try_emplace(std::string(cluster_id)).first;
    if (cluster->second.watchers.size() >= kMaxWatchersPerCluster)
        return exhausted(cluster_name(cluster_id) + " has " + std::to_string(kMaxWatchersPerCluster) +
                         " watchers, the limit");
    out.watcher = next_watcher_++;
    out.snapshot.clear();
    for (const auto& [id, affiliate] : cluster->second.affiliates) out.snapshot.push_back(event_of(affiliate));
    cluster->second.watchers.push_back(out.watcher);
    watchers_.emplace(out.watcher, Watcher{std::string(cluster_id), {}, false});
    return {};
}

void ServerState::unsubscribe(WatcherId watcher) {
    auto w = watchers_.find(watcher);
    if (w == watchers_.end()) return;
    auto cluster = clusters_.find(w->second.cluster_id);
    if (cluster != clusters_.end()) std::erase(cluster->second.watchers, watcher);
    // An empty cluster is left for gc(), which removes it: one place decides when clusters go.
    watchers_.erase(w);
}

WatchBatch ServerState::take_events(WatcherId watcher) {
    auto w = watchers_.find(watcher);
    if (w == watchers_.end() || w->second.lost) return {{}, true};
    WatchBatch batch;
    batch.events.assign(std::make_move_iterator(w->second.queue.begin()), std::make_move_iterator(w->second.queue.end()));
    w->second.queue.clear();
    return batch;
}

void ServerState::notify(const StoredCluster& cluster, const WatchEvent& event, std::vector<WatcherId>* notified) {
    for (WatcherId id : cluster.watchers) {
        Watcher& watcher = watchers_.at(id);
        if (watcher.lost) continue;
        if (watcher.queue.size() >= kWatchQueueLength) {
            // Its stream ends; the client re-watches and gets a fresh snapshot (Talos's "lost update").
            watcher.lost = true;
            watcher.queue.clear();
        } else {
            watcher.queue.push_back(event);
        }
        if (notified) notified->push_back(id);
    }
}

void ServerState::gc(ServerTime now, std::vector<WatcherId>* notified) {
    for (auto cluster = clusters_.begin(); cluster != clusters_.end();) {
        auto& affiliates = cluster->second.affiliates;
        for (auto a = affiliates.begin(); a != affiliates.end();) {
            StoredAffiliate& affiliate = a->second;
            if (affiliate.expiration <= now) {
                WatchEvent gone{affiliate.id, true, {}, {}};
                a = affiliates.erase(a);
                notify(cluster->second, gone, notified);
                continue;
            }
            size_t before = affiliate.endpoints.size();
            std::erase_if(affiliate.endpoints, [&](const StoredEndpoint& e) { return e.expiration <= now; });
            if (affiliate.endpoints.size() != before) notify(cluster->second, event_of(affiliate), notified);
            ++a;
        }
        if (affiliates.empty() && cluster->second.watchers.empty()) cluster = clusters_.erase(cluster);
        else ++cluster;
    }
}

double RateLimiter::refilled(const Bucket& bucket, ServerTime now) const {
    double seconds = std::chrono::duration<double>(now - bucket.updated).count();
    return std::min(limits_.burst, bucket.tokens + std::max(0.0, seconds) * limits_.per_second);
}

bool RateLimiter::allow(std::string_view client_ip, ServerTime now) {
    auto it = buckets_.find(client_ip);
    if (it == buckets_.end()) {
        if (buckets_.size() >= kMaxClients) gc(now);
        if (buckets_.size() >= kMaxClients) return false;
        it = buckets_.emplace(std::string(client_ip), Bucket{limits_.burst, now}).first;
    }
    Bucket& bucket = it->second;
    bucket.tokens = refilled(bucket, now);
    bucket.updated = std::max(bucket.updated, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
}

void RateLimiter::gc(ServerTime now) {
    std::erase_if(buckets_, [&](const auto& entry) { return refilled(entry.second, now) >= limits_.burst; });
}

}  // namespace nodenet::discovery
