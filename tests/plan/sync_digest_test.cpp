// The kernel digest covers what a plan reads and nothing that ticks on its own.
#include <gtest/gtest.h>

#include "plan/operation.h"
#include "plan/sync_digest.h"

namespace nodenet::plan {
namespace {

state::KernelState sample() {
    state::KernelState k;
    state::ObservedLink eth0;
    eth0.index = 2;
    eth0.name = "eth0";
    eth0.up = true;
    eth0.mtu = 1500;
    k.links.push_back(eth0);
    state::ObservedAddress a;
    a.link_index = 2;
    a.prefix = *state::parse_ip_prefix("10.0.0.5/24");
    a.protocol = kNodenetProtocol;
    k.addresses.push_back(a);
    state::ObservedRoute r;
    r.link_index = 2;
    r.destination = *state::parse_ip_prefix("10.9.0.0/16");
    r.gateway = *state::parse_ip_address("10.0.0.1");
    r.metric = 100;
    r.protocol = kNodenetProtocol;
    k.routes.push_back(r);
    return k;
}

TEST(SyncDigest, EqualStatesHaveEqualDigests) { EXPECT_EQ(kernel_digest(sample()), kernel_digest(sample())); }

TEST(SyncDigest, CarrierAndLifetimesDoNotCount) {
    state::KernelState k = sample();
    k.links[0].carrier = !k.links[0].carrier;
    k.addresses[0].valid_lifetime = 100;
    k.addresses[0].preferred_lifetime = 50;
    EXPECT_EQ(kernel_digest(k), kernel_digest(sample()));
}

TEST(SyncDigest, EveryManagedAttributeCounts) {
    std::string base = kernel_digest(sample());
    std::vector<void (*)(state::KernelState&)> changes = {
        [](state::KernelState& k) { k.links[0].up = false; },
        [](state::KernelState& k) { k.links[0].mtu = 1400; },
        [](state::KernelState& k) { k.links[0].name = "eth1"; },
        [](state::KernelState& k) { k.links[0].hardware_addr = "02:00:00:00:00:01"; },
        [](state::KernelState& k) { k.links[0].driver = "virtio_net"; },
        [](state::KernelState& k) { k.addresses[0].prefix.len = 25; },
        [](state::KernelState& k) { k.addresses[0].protocol = 0; },
        [](state::KernelState& k) { k.addresses[0].priority = 7; },
        [](state::KernelState& k) { k.routes[0].metric = 101; },
        [](state::KernelState& k) { k.routes[0].gateway.reset(); },
        [](state::KernelState& k) { k.routes[0].mtu = 1400; },
        [](state::KernelState& k) { k.routes[0].table = 100; },
        [](state::KernelState& k) { k.routes.push_back(k.routes[0]); },
        [](state::KernelState& k) { k.addresses.clear(); },
    };
    for (size_t i = 0; i < changes.size(); ++i) {
        state::KernelState k = sample();
        changes[i](k);
        EXPECT_NE(kernel_digest(k), base) << "change " << i;
    }
}

// Field boundaries are part of the digest: moving a character from one name to the next is a change.
// One dump of every route lists them by family and table, the filtered dumps by (table, link): the
// same routes in another order are the same kernel.
TEST(SyncDigest, RouteOrderDoesNotCountButEachRouteDoes) {
    state::KernelState k = sample();
    state::ObservedRoute second = k.routes[0];
    second.destination = *state::parse_ip_prefix("10.8.0.0/16");
    k.routes.push_back(second);
    state::KernelState reversed = k;
    std::swap(reversed.routes[0], reversed.routes[1]);
    EXPECT_EQ(kernel_digest(k), kernel_digest(reversed));
    state::KernelState twice = k;
    twice.routes[1] = twice.routes[0];  // the same count, one route twice instead of two
    EXPECT_NE(kernel_digest(k), kernel_digest(twice));
}

TEST(SyncDigest, FieldBoundariesCount) {
    state::KernelState a = sample(), b = sample();
    a.links[0].name = "eth0";
    a.links[0].kind = "x";
    b.links[0].name = "eth0x";
    b.links[0].kind = "";
    EXPECT_NE(kernel_digest(a), kernel_digest(b));
}

TEST(SyncDigest, TextDigestIs128BitsOfHex) {
    std::string d = text_digest("machine: {}\n");
    EXPECT_EQ(d.size(), 32u);
    EXPECT_EQ(d.find_first_not_of("0123456789abcdef"), std::string::npos);
    EXPECT_NE(d, text_digest("machine: {} \n"));
}

}  // namespace
}  // namespace nodenet::plan
