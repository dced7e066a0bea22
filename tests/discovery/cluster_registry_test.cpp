// What a node keeps of its cluster: versions, merge across services, members, and the changes
// the daemon logs.
#include "discovery/cluster_registry.h"

#include <gtest/gtest.h>

#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

using fixtures::control_plane;
using fixtures::worker;
using Kind = AffiliateChange::Kind;

Affiliate self() {
    Affiliate a = worker();
    a.node_id = "SelfSelfSelfSelfSelfSelfSelfSelfSelfSelfSe1";
    a.hostname = "self.example.net";
    a.nodename = "self";
    return a;
}

TEST(ClusterRegistry, CountsVersionsAndReportsWhatAppearedChangedAndLeft) {
    ClusterRegistry r;
    auto c = r.set_local(self());
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].kind, Kind::Appeared);

    c = r.replace("service", {control_plane(), worker()});
    ASSERT_EQ(c.size(), 2u);
    EXPECT_EQ(r.merged().size(), 3u);
    EXPECT_EQ(r.merged().at(worker().node_id).version, 1u);

    // The same snapshot again (a re-watch after a reconnect): nothing changed, versions stay.
    EXPECT_TRUE(r.replace("service", {control_plane(), worker()}).empty());
    EXPECT_EQ(r.merged().at(worker().node_id).version, 1u);

    Affiliate moved = worker();
    moved.addresses = {fixtures::ip("192.0.2.8")};
    c = r.upsert("service", moved);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].kind, Kind::Changed);
    EXPECT_EQ(r.merged().at(worker().node_id).version, 2u);
    EXPECT_EQ(r.raw().size(), 2u);
    EXPECT_EQ(r.raw()[0].id.rfind("service/", 0), 0u);

    c = r.remove("service", worker().node_id);
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].kind, Kind::Left);
    EXPECT_EQ(c[0].node_id, worker().node_id);
    EXPECT_TRUE(r.remove("service", worker().node_id).empty());  // twice is nothing

    // A snapshot without an affiliate removes it too (deleted while the watch was down).
    c = r.replace("service", {});
    ASSERT_EQ(c.size(), 1u);
    EXPECT_EQ(c[0].node_id, control_plane().node_id);
    EXPECT_EQ(r.merged().size(), 1u);  // the node itself
}

TEST(ClusterRegistry, MergesWhatTwoServicesReportAndKeepsTheNodesOwnAffiliate) {
    ClusterRegistry r;
    r.set_local(self());
    Affiliate a = worker();
    Affiliate b = worker();
    b.addresses = {fixtures::ip("198.51.100.1")};
    r.upsert("one", a);
    r.upsert("two", b);
    const Affiliate& merged = r.merged().at(worker().node_id).spec;
    EXPECT_EQ(merged.addresses.size(), 2u);  // unioned, as Talos merges
    // A service echoing something under this node's ID does not replace what the node says.
    Affiliate forged = self();
    forged.hostname = "forged";
    r.upsert("one", forged);
    EXPECT_EQ(r.merged().at(self().node_id).spec.hostname, "self.example.net");
    // One service forgotten: what only it reported goes.
    r.forget("two");
    EXPECT_EQ(r.merged().at(worker().node_id).spec.addresses.size(), 1u);
}

TEST(ClusterRegistry, MembersAreAffiliatesWithANodenameIncludingTheNodeItself) {
    ClusterRegistry r;
    r.set_local(self());
    Affiliate nameless = control_plane();
    nameless.nodename.clear();
    r.replace("service", {nameless, worker()});
    ASSERT_EQ(r.members().size(), 2u);
    EXPECT_TRUE(r.members().count("self"));
    EXPECT_TRUE(r.members().count("worker-7"));
    EXPECT_EQ(r.members().at("worker-7").version, 1u);
    Affiliate renamed = worker();
    renamed.operating_system = "Talos (v1.12.0)";
    r.upsert("service", renamed);
    EXPECT_EQ(r.members().at("worker-7").version, 2u);
    r.clear();
    EXPECT_TRUE(r.members().empty());
    EXPECT_TRUE(r.merged().empty());
}

}  // namespace
}  // namespace nodenet::discovery
