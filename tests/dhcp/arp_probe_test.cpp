// The RFC 5227 probe on a real link: two namespaces joined by a veth pair, one holding an address.
#include "dhcp/io/arp_probe.h"

#include <gtest/gtest.h>

#include "dhcp/io/link_info.h"
#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

// "conflict", "free" or the error, and how long the probe took, from inside the client namespace.
std::string probe_from_client(const DhcpLink& link, const std::string& address, double& seconds) {
    auto started = SteadyClock::now();
    std::string result = link.client.in_child([&] {
        auto l = dhcp::io::lookup_link(kClientLink);
        if (!l.ok()) return l.error();
        auto r = dhcp::io::probe_address(l->name, l->index, l->mac, *state::parse_ip_address(address));
        return r.ok() ? std::string(*r ? "conflict" : "free") : r.error();
    });
    seconds = seconds_between(started, SteadyClock::now());
    return result;
}

TEST(DhcpArpProbe, AnAddressAnotherHostHoldsIsAConflict) {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    DhcpLink link;  // the server side holds 10.77.0.1
    double seconds = 0;
    EXPECT_EQ(probe_from_client(link, "10.77.0.1", seconds), "conflict");
    EXPECT_LT(seconds, 1.0);  // the first answer ends the probe
}

TEST(DhcpArpProbe, AFreeAddressIsFreeAfterThreeProbes) {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    DhcpLink link;
    double seconds = 0;
    EXPECT_EQ(probe_from_client(link, "10.77.0.200", seconds), "free");
    EXPECT_GE(seconds, 0.3);
    EXPECT_LT(seconds, 1.5);
}

TEST(DhcpArpProbe, LinkErrorsNameTheLink) {
    auto missing = dhcp::io::lookup_link("nosuch0");
    ASSERT_FALSE(missing.ok());
    EXPECT_EQ(missing.error(), "nosuch0: no such link");
    auto bad = dhcp::io::lookup_link("../etc");
    ASSERT_FALSE(bad.ok());
    EXPECT_EQ(bad.error(), "\"../etc\" is not a link name");
    auto loopback = dhcp::io::lookup_link("lo");
    ASSERT_FALSE(loopback.ok());
    EXPECT_EQ(loopback.error(), "lo: not an Ethernet link (hardware type 772); the DHCP client speaks Ethernet only");
}

}  // namespace
}  // namespace nodenet::dhcp_test
