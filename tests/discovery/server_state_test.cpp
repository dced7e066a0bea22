// The discovery server's state (Talos's discovery-service semantics, reference §4.6), its limits,
// expiry on a fake clock, watchers, the rate limiter and the snapshot codec.
#include "discovery/server_state.h"

#include <gtest/gtest.h>

#include "discovery/server_snapshot.h"
#include "discovery/proto/server_snapshot.pb.h"

namespace nodenet::discovery {
namespace {

using namespace std::chrono_literals;

const ServerTime t0{};  // the fake clock: every test counts from here
const std::string kCluster = "cluster-1";
const std::vector<std::string> kNone;

std::vector<WatchEvent> list_of(const ServerState& state, const std::string& cluster = kCluster) {
    std::vector<WatchEvent> out;
    EXPECT_TRUE(state.list(cluster, out).ok());
    return out;
}

RequestStatus put(ServerState& state, const std::string& id, std::optional<std::string> data,
                  std::vector<std::string> endpoints = {}, std::chrono::milliseconds ttl = 30min, ServerTime now = t0) {
    std::optional<std::string_view> view;
    if (data) view = *data;
    return state.update(kCluster, id, view, endpoints, ttl, now);
}

TEST(DiscoveryServerState, UpdateThenList) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "data-a", {"ep1"}).ok());
    ASSERT_TRUE(put(state, "b", "data-b").ok());
    auto all = list_of(state);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].id, "a");
    EXPECT_EQ(all[0].data, "data-a");
    EXPECT_EQ(all[0].endpoints, std::vector<std::string>{"ep1"});
    EXPECT_TRUE(list_of(state, "other").empty());
}

// Endpoints compared by bytes: known ones extended, new ones appended; data left alone when absent.
TEST(DiscoveryServerState, EndpointsMergeAndDataStays) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "data", {"e1", "e2"}).ok());
    ASSERT_TRUE(put(state, "a", std::nullopt, {"e2", "e3", "e3"}).ok());
    auto all = list_of(state);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_EQ(all[0].data, "data");
    EXPECT_EQ(all[0].endpoints, (std::vector<std::string>{"e1", "e2", "e3"}));
}

// An endpoint-only update for an unknown ID creates it without data; List still returns it.
TEST(DiscoveryServerState, EndpointsOnlyCreatesAffiliateWithoutData) {
    ServerState state;
    ASSERT_TRUE(put(state, "other", std::nullopt, {"e1"}).ok());
    auto all = list_of(state);
    ASSERT_EQ(all.size(), 1u);
    EXPECT_TRUE(all[0].data.empty());
}

TEST(DiscoveryServerState, RemoveAndRemoveUnknown) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "data").ok());
    EXPECT_TRUE(state.remove(kCluster, "a").ok());
    EXPECT_TRUE(state.remove(kCluster, "a").ok());
    EXPECT_TRUE(state.remove("nowhere", "a").ok());
    EXPECT_TRUE(list_of(state).empty());
}

TEST(DiscoveryServerState, IdLimits) {
    ServerState state;
    EXPECT_EQ(state.hello("").code, RequestCode::InvalidArgument);
    EXPECT_EQ(state.hello(std::string(257, 'c')).code, RequestCode::InvalidArgument);
    EXPECT_TRUE(state.hello(std::string(256, 'c')).ok());
    EXPECT_EQ(state.hello("\xff\xfe").code, RequestCode::InvalidArgument);
    EXPECT_EQ(state.hello("\xc0\x80").code, RequestCode::InvalidArgument);  // overlong NUL
    EXPECT_TRUE(state.hello("clusterß€😀").ok());
    EXPECT_EQ(put(state, "", "d").code, RequestCode::InvalidArgument);
    EXPECT_EQ(put(state, std::string(257, 'a'), "d").code, RequestCode::InvalidArgument);
    EXPECT_TRUE(put(state, std::string(256, 'a'), "d").ok());
    EXPECT_EQ(put(state, "\xe2\x82", "d").code, RequestCode::InvalidArgument);  // cut short
    std::vector<WatchEvent> out;
    EXPECT_EQ(state.list("", out).code, RequestCode::InvalidArgument);
    Subscription sub;
    EXPECT_EQ(state.subscribe(std::string(300, 'x'), sub).code, RequestCode::InvalidArgument);
    EXPECT_EQ(state.remove(kCluster, "").code, RequestCode::InvalidArgument);
}

TEST(DiscoveryServerState, DataEndpointAndTtlLimits) {
    ServerState state;
    EXPECT_TRUE(put(state, "a", std::string(2048, 'd')).ok());
    auto big = put(state, "a", std::string(2049, 'd'));
    EXPECT_EQ(big.code, RequestCode::InvalidArgument);
    EXPECT_NE(big.message.find("2049 bytes"), std::string::npos) << big.message;
    EXPECT_TRUE(put(state, "a", std::nullopt, {std::string(32, 'e')}).ok());
    EXPECT_EQ(put(state, "a", std::nullopt, {std::string(33, 'e')}).code, RequestCode::InvalidArgument);
    EXPECT_TRUE(put(state, "a", "d", {}, 30min).ok());
    EXPECT_EQ(put(state, "a", "d", {}, 30min + 1ms).code, RequestCode::InvalidArgument);
    EXPECT_EQ(put(state, "a", "d", {}, -1ms).code, RequestCode::InvalidArgument);
    // A refused update changes nothing.
    EXPECT_EQ(list_of(state)[0].endpoints.size(), 1u);
}

TEST(DiscoveryServerState, AffiliatesPerClusterLimit) {
    ServerState state;
    for (size_t i = 0; i < kMaxAffiliatesPerCluster; ++i) ASSERT_TRUE(put(state, "n" + std::to_string(i), "d").ok());
    auto refused = put(state, "one-more", "d");
    EXPECT_EQ(refused.code, RequestCode::ResourceExhausted);
    EXPECT_NE(refused.message.find("cluster \"cluster-1\""), std::string::npos) << refused.message;
    EXPECT_TRUE(put(state, "n0", "again").ok());  // a known affiliate may still update
    EXPECT_TRUE(state.update("other", "x", "d", kNone, 1min, t0).ok());  // other clusters are apart
}

TEST(DiscoveryServerState, EndpointsPerAffiliateLimit) {
    ServerState state;
    std::vector<std::string> endpoints;
    for (int i = 0; i < 64; ++i) endpoints.push_back("e" + std::to_string(i));
    ASSERT_TRUE(put(state, "a", "d", endpoints).ok());
    EXPECT_TRUE(put(state, "a", std::nullopt, {"e0", "e63"}).ok());  // known: extended, not counted
    EXPECT_EQ(put(state, "a", std::nullopt, {"e64"}).code, RequestCode::ResourceExhausted);
    endpoints.push_back("e64");
    EXPECT_EQ(put(state, "b", "d", endpoints).code, RequestCode::ResourceExhausted);
}

TEST(DiscoveryServerState, WatchersPerClusterLimit) {
    ServerState state;
    Subscription sub;
    for (size_t i = 0; i < kMaxWatchersPerCluster; ++i) ASSERT_TRUE(state.subscribe(kCluster, sub).ok());
    EXPECT_EQ(state.subscribe(kCluster, sub).code, RequestCode::ResourceExhausted);
    state.unsubscribe(sub.watcher);
    EXPECT_TRUE(state.subscribe(kCluster, sub).ok());
    EXPECT_TRUE(state.subscribe("other", sub).ok());
}

TEST(DiscoveryServerState, ExpiryOnAFakeClock) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "d", {"old"}, 10min, t0).ok());
    ASSERT_TRUE(put(state, "a", std::nullopt, {"new"}, 20min, t0).ok());  // raises the affiliate's expiry
    ASSERT_TRUE(put(state, "b", "d", {}, 5min, t0).ok());
    state.gc(t0 + 5min);
    auto all = list_of(state);
    ASSERT_EQ(all.size(), 1u);  // b expired
    EXPECT_EQ(all[0].endpoints.size(), 2u);
    state.gc(t0 + 10min);
    all = list_of(state);
    ASSERT_EQ(all.size(), 1u);  // "old" expired, a lives on through "new"
    EXPECT_EQ(all[0].endpoints, std::vector<std::string>{"new"});
    state.gc(t0 + 20min);
    EXPECT_TRUE(list_of(state).empty());
    EXPECT_TRUE(state.clusters().empty());  // empty and unwatched: removed
}

TEST(DiscoveryServerState, WatchSnapshotThenEvents) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "d1").ok());
    Subscription sub;
    ASSERT_TRUE(state.subscribe(kCluster, sub).ok());
    ASSERT_EQ(sub.snapshot.size(), 1u);
    std::vector<WatcherId> woken;
    ASSERT_TRUE(state.update(kCluster, "a", "d1", kNone, 30min, t0, &woken).ok());  // same bytes: notified
    EXPECT_EQ(woken, std::vector<WatcherId>{sub.watcher});
    ASSERT_TRUE(state.update(kCluster, "a", std::nullopt, std::vector<std::string>{"e"}, 30min, t0).ok());
    ASSERT_TRUE(state.update(kCluster, "a", std::nullopt, std::vector<std::string>{"e"}, 30min, t0).ok());  // nothing new
    ASSERT_TRUE(state.remove(kCluster, "a").ok());
    auto batch = state.take_events(sub.watcher);
    EXPECT_FALSE(batch.lost);
    ASSERT_EQ(batch.events.size(), 3u);
    EXPECT_EQ(batch.events[0].data, "d1");
    EXPECT_EQ(batch.events[1].endpoints, std::vector<std::string>{"e"});
    EXPECT_TRUE(batch.events[2].deleted);
    EXPECT_EQ(batch.events[2].id, "a");
    EXPECT_TRUE(state.take_events(sub.watcher).events.empty());
    // A watched cluster stays while empty; once unwatched, gc removes it.
    state.gc(t0);
    EXPECT_EQ(state.clusters().size(), 1u);
    state.unsubscribe(sub.watcher);
    EXPECT_TRUE(state.take_events(sub.watcher).lost);
    state.gc(t0);
    EXPECT_TRUE(state.clusters().empty());
}

TEST(DiscoveryServerState, GcTellsWatchers) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "d", {"e1"}, 1min).ok());
    ASSERT_TRUE(put(state, "a", std::nullopt, {"e2"}, 2min).ok());
    ASSERT_TRUE(put(state, "b", "d", {}, 1min).ok());
    Subscription sub;
    ASSERT_TRUE(state.subscribe(kCluster, sub).ok());
    state.gc(t0 + 1min);
    auto batch = state.take_events(sub.watcher);
    ASSERT_EQ(batch.events.size(), 2u);
    // a lost an endpoint: sent as it is now (not as a deletion, Talos's quirk).
    EXPECT_EQ(batch.events[0].id, "a");
    EXPECT_FALSE(batch.events[0].deleted);
    EXPECT_EQ(batch.events[0].endpoints, std::vector<std::string>{"e2"});
    EXPECT_EQ(batch.events[1].id, "b");
    EXPECT_TRUE(batch.events[1].deleted);
}

TEST(DiscoveryServerState, WatcherOverflowIsLost) {
    ServerState state;
    Subscription slow, other;
    ASSERT_TRUE(state.subscribe(kCluster, slow).ok());
    for (size_t i = 0; i < kWatchQueueLength; ++i) ASSERT_TRUE(put(state, "a", "d" + std::to_string(i)).ok());
    ASSERT_TRUE(state.subscribe(kCluster, other).ok());
    std::vector<WatcherId> woken;
    ASSERT_TRUE(state.update(kCluster, "a", "last", kNone, 30min, t0, &woken).ok());
    EXPECT_EQ(woken.size(), 2u);  // the lost one is woken to end its stream
    EXPECT_TRUE(state.take_events(slow.watcher).lost);
    EXPECT_EQ(state.take_events(other.watcher).events.size(), 1u);
    woken.clear();
    ASSERT_TRUE(state.update(kCluster, "a", "again", kNone, 30min, t0, &woken).ok());
    EXPECT_EQ(woken, std::vector<WatcherId>{other.watcher});  // lost once, not woken again
}

TEST(DiscoveryServerState, RateLimiterBurstRefillAndGc) {
    RateLimiter limiter;
    for (int i = 0; i < 60; ++i) ASSERT_TRUE(limiter.allow("1.2.3.4", t0)) << i;
    EXPECT_FALSE(limiter.allow("1.2.3.4", t0));
    EXPECT_TRUE(limiter.allow("5.6.7.8", t0));  // per IP
    EXPECT_FALSE(limiter.allow("1.2.3.4", t0 + 50ms));
    EXPECT_TRUE(limiter.allow("1.2.3.4", t0 + 70ms));  // 15/s: one token after 1/15 s
    limiter.gc(t0 + 1s);
    EXPECT_EQ(limiter.size(), 1u);  // 5.6.7.8 refilled: forgotten
    limiter.gc(t0 + 10s);
    EXPECT_EQ(limiter.size(), 0u);
}

TEST(DiscoveryServerState, SnapshotRoundTripKeepsRemainingTtl) {
    ServerState state;
    ASSERT_TRUE(put(state, "a", "data-a", {"e1"}, 10min, t0).ok());
    ASSERT_TRUE(put(state, "a", std::nullopt, {"e2"}, 20min, t0).ok());
    ASSERT_TRUE(put(state, "b", std::nullopt, {"e3"}, 5min, t0).ok());
    ASSERT_TRUE(state.update("c2", "x", "dx", kNone, 1min, t0).ok());
    Subscription watched_empty;
    ASSERT_TRUE(state.subscribe("only-watched", watched_empty).ok());

    std::string bytes = encode_server_snapshot(state, t0 + 1min);  // c2/x expires exactly now
    const ServerTime later = t0 + 100h;  // another boot: the remaining TTL counts, not the old clock
    auto back = decode_server_snapshot(bytes, later);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(back->clusters().size(), 1u);
    auto all = list_of(*back);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(all[0].data, "data-a");
    EXPECT_EQ(all[0].endpoints, (std::vector<std::string>{"e1", "e2"}));
    EXPECT_TRUE(all[1].data.empty());
    back->gc(later + 9min);  // e1 had 9 min left, e2 19 min
    EXPECT_EQ(list_of(*back)[0].endpoints, std::vector<std::string>{"e2"});
    back->gc(later + 19min);
    EXPECT_TRUE(list_of(*back).empty());
}

TEST(DiscoveryServerState, CorruptSnapshotIsRefused) {
    auto garbage = decode_server_snapshot("\xff\xff\xff", t0);
    ASSERT_FALSE(garbage.ok());
    EXPECT_NE(garbage.error().find("does not parse"), std::string::npos) << garbage.error();

    // Well-formed protobuf that breaks a limit (hand-written, not by nodenet): refused whole, saying where.
    snapshot::ServerSnapshot message;
    auto* cluster = message.add_clusters();
    cluster->set_id(kCluster);
    auto* fine = cluster->add_affiliates();
    fine->set_id("fine");
    fine->set_remaining_ttl_ms(60'000);
    auto* bad = cluster->add_affiliates();
    bad->set_id("bad");
    bad->set_data(std::string(2049, 'd'));
    bad->set_remaining_ttl_ms(60'000);
    auto refused = decode_server_snapshot(message.SerializeAsString(), t0);
    ASSERT_FALSE(refused.ok());
    EXPECT_NE(refused.error().find("cluster 0, affiliate 1: affiliate data is 2049 bytes"), std::string::npos)
        << refused.error();
    bad->set_data("d");
    bad->set_remaining_ttl_ms(31 * 60'000);
    EXPECT_FALSE(decode_server_snapshot(message.SerializeAsString(), t0).ok());
}

}  // namespace
}  // namespace nodenet::discovery
