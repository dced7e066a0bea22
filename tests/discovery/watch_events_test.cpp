// What the client makes of each WatchResponse (discovery/watch_events.h).
#include "discovery/watch_events.h"

#include <gtest/gtest.h>

#include "discovery/affiliate_seal.h"
#include "discovery/proto/cluster.pb.h"
#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

namespace pb = sidero::discovery::server;
using Kind = ClientEvent::Kind;

const ClusterKey kKey = *parse_cluster_secret("bm9kZW5ldC10ZXN0LWNsdXN0ZXItc2VjcmV0LTAwMDE=");
const ClusterKey kOtherKey = *parse_cluster_secret("YW5vdGhlci1jbHVzdGVyLXNlY3JldC0zMi1ieXRlcyE=");

void add(pb::WatchResponse& response, const Affiliate& a, const ClusterKey& key = kKey) {
    auto sealed = seal_affiliate(key, a, Nonce{1, 2, 3});
    ASSERT_TRUE(sealed.ok()) << sealed.error();
    pb::Affiliate* out = response.add_affiliates();
    out->set_id(a.node_id);
    out->set_data(sealed->data);
    for (const auto& e : sealed->endpoints) out->add_endpoints(e);
}

TEST(WatchEvents, SnapshotHoldsEveryReadableAffiliateButOurOwn) {
    Affiliate self = fixtures::worker(), peer = fixtures::control_plane();
    pb::WatchResponse response;
    add(response, self);
    add(response, peer);
    pb::Affiliate* endpoints_only = response.add_affiliates();  // harvested by a node, no data yet
    endpoints_only->set_id("endpoints-only");
    endpoints_only->add_endpoints(std::string(16, 'x'));
    auto events = watch_events(kKey, self.node_id, "svc:443", response, true);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Snapshot);
    EXPECT_EQ(events[0].endpoint, "svc:443");
    ASSERT_EQ(events[0].affiliates.size(), 1u);
    EXPECT_EQ(events[0].affiliates[0], peer);
}

TEST(WatchEvents, EmptySnapshotIsStillASnapshot) {
    auto events = watch_events(kKey, "me", "svc:443", pb::WatchResponse{}, true);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Snapshot);
}

TEST(WatchEvents, LaterMessagesAreUpsertsRemovalsAndSkips) {
    Affiliate peer = fixtures::control_plane();
    pb::WatchResponse upsert;
    add(upsert, peer);
    auto events = watch_events(kKey, "me", "svc:443", upsert, false);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Upsert);
    EXPECT_EQ(events[0].affiliates.at(0), peer);

    pb::WatchResponse removed;
    removed.set_deleted(true);
    removed.add_affiliates()->set_id(peer.node_id);
    removed.add_affiliates()->set_id("me");
    events = watch_events(kKey, "me", "svc:443", removed, false);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Removed);
    EXPECT_EQ(events[0].node_id, peer.node_id);

    pb::WatchResponse foreign;
    add(foreign, peer, kOtherKey);
    events = watch_events(kKey, "me", "svc:443", foreign, false);
    ASSERT_EQ(events.size(), 1u);
    EXPECT_EQ(events[0].kind, Kind::Skipped);
    EXPECT_EQ(events[0].node_id, peer.node_id);
    EXPECT_NE(events[0].message.find("authentication failed"), std::string::npos) << events[0].message;
}

TEST(WatchEvents, AnIdNoServiceKeepsIsIgnored) {
    pb::WatchResponse response;
    response.add_affiliates()->set_id(std::string(kMaxNodeIdBytes + 1, 'a'));
    response.mutable_affiliates(0)->set_data("whatever");
    response.add_affiliates()->set_data("no id");
    EXPECT_TRUE(watch_events(kKey, "me", "svc:443", response, false).empty());
}

}  // namespace
}  // namespace nodenet::discovery
