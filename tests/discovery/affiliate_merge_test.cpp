// Raw affiliates merged per node as Talos's AffiliateMergeController does, and the members.
#include "discovery/affiliate_merge.h"

#include <gtest/gtest.h>

#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

using namespace fixtures;

TEST(AffiliateMerge, ListsAreUnionedAndValuesReplacedWhenSet) {
    Affiliate base = control_plane();
    Affiliate other;
    other.node_id = base.node_id;
    other.addresses = {ip("2001:db8::2"), ip("198.51.100.4")};  // one known, one new
    other.operating_system = "Other OS";                       // never merged, as in Talos
    other.kubespan.endpoints = {Endpoint{ip("198.51.100.4"), 51820}, Endpoint{ip("10.5.0.2"), 51820}};
    other.kubespan.additional_addresses = {prefix("10.244.3.0/24"), prefix("10.244.9.0/24")};
    other.kubespan.exclude_advertised_networks = {prefix("172.16.0.0/12")};
    Affiliate merged = base;
    merge_into(merged, other);
    EXPECT_EQ(merged.addresses, (std::vector<IpAddress>{ip("10.5.0.2"), ip("2001:db8::2"), ip("198.51.100.4")}));
    EXPECT_EQ(merged.operating_system, base.operating_system);
    EXPECT_EQ(merged.hostname, base.hostname);  // empty in `other`: kept
    EXPECT_EQ(merged.nodename, base.nodename);
    EXPECT_EQ(merged.machine_type, MachineType::ControlPlane);  // unknown in `other`: kept
    EXPECT_EQ(merged.api_server_port, base.api_server_port);
    EXPECT_EQ(merged.kubespan.public_key, base.kubespan.public_key);
    EXPECT_EQ(merged.kubespan.address, base.kubespan.address);
    EXPECT_EQ(merged.kubespan.endpoints,
              (std::vector<Endpoint>{base.kubespan.endpoints[0], base.kubespan.endpoints[1], {ip("198.51.100.4"), 51820}}));
    EXPECT_EQ(merged.kubespan.additional_addresses, (std::vector<IpPrefix>{prefix("10.244.3.0/24"), prefix("10.244.9.0/24")}));
    EXPECT_EQ(merged.kubespan.exclude_advertised_networks,
              (std::vector<IpPrefix>{prefix("192.168.0.0/16"), prefix("172.16.0.0/12")}));

    other.hostname = "new.example.net";
    other.nodename = "new";
    other.machine_type = MachineType::Worker;
    other.api_server_port = 7443;
    other.kubespan.public_key = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    other.kubespan.address = ip("fd50::1");
    merge_into(merged, other);
    EXPECT_EQ(merged.hostname, "new.example.net");
    EXPECT_EQ(merged.nodename, "new");
    EXPECT_EQ(merged.machine_type, MachineType::Worker);
    EXPECT_EQ(merged.api_server_port, 7443);
    EXPECT_EQ(merged.kubespan.public_key, other.kubespan.public_key);
    EXPECT_EQ(merged.kubespan.address, ip("fd50::1"));
}

TEST(AffiliateMerge, ByNodeIdInRawIdOrder) {
    Affiliate cp = control_plane();
    Affiliate w = worker();
    Affiliate harvested;  // what a second registry knows of the control plane
    harvested.node_id = cp.node_id;
    harvested.hostname = "from-k8s";
    harvested.operating_system = "first by ID";
    std::vector<RawAffiliate> raw = {
        {raw_service_id(w.node_id), w},
        {raw_service_id(cp.node_id), cp},
        {"k8s/" + cp.node_id, harvested},  // sorts before service/…: it is the base
    };
    auto merged = merge_affiliates(raw);
    ASSERT_EQ(merged.size(), 2u);
    EXPECT_EQ(merged[0].node_id, w.node_id);  // "Utoh…" < "sou7…"
    EXPECT_EQ(merged[0], w);
    EXPECT_EQ(merged[1].node_id, cp.node_id);
    EXPECT_EQ(merged[1].hostname, cp.hostname);                 // service/… merged last: replaced
    EXPECT_EQ(merged[1].operating_system, "first by ID");       // the base's
    EXPECT_EQ(merged[1].kubespan, cp.kubespan);
    EXPECT_TRUE(merge_affiliates({}).empty());
    EXPECT_EQ(raw_service_id("abc"), "service/abc");
}

TEST(AffiliateMerge, MembersAreAffiliatesWithANodename) {
    Affiliate cp = control_plane();
    Affiliate w = worker();
    Affiliate anonymous = worker();
    anonymous.node_id = "Zanonymous";
    anonymous.nodename.clear();  // not a Kubernetes node (yet)
    Affiliate twin = worker();
    twin.node_id = "Atwin";  // sorts first: the later one (Utoh…) wins the name
    twin.hostname = "twin";
    auto members = members_of(std::vector<Affiliate>{cp, w, anonymous, twin});
    ASSERT_EQ(members.size(), 2u);
    EXPECT_EQ(members[0].id, "cp-1");
    EXPECT_EQ(members[0].node_id, cp.node_id);
    EXPECT_EQ(members[0].addresses, cp.addresses);
    EXPECT_EQ(members[0].hostname, "cp-1.example.net");
    EXPECT_EQ(members[0].machine_type, MachineType::ControlPlane);
    EXPECT_EQ(members[0].operating_system, "Talos (v1.11.0)");
    EXPECT_EQ(members[0].api_server_port, 6443);
    EXPECT_EQ(members[1].id, "worker-7");
    EXPECT_EQ(members[1].node_id, w.node_id);
    EXPECT_EQ(members[1].hostname, "worker-7");
}

}  // namespace
}  // namespace nodenet::discovery
