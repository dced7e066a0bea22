// Which links get a DHCPv4 or DHCPv6 client, as Talos's OperatorConfigController decides.
#include "state/dhcp_links.h"

#include <gtest/gtest.h>

#include "tests/state/state_fixtures.h"

namespace nodenet::state {
namespace {

using testing::machine_network;
using testing::parse_config;
using testing::test_kernel;

std::vector<std::string> describe(const std::vector<Dhcp4Link>& links) {
    std::vector<std::string> out;
    for (const Dhcp4Link& l : links) {
        const char* id = l.client_id == DhcpClientId::None ? "none" : l.client_id == DhcpClientId::Mac ? "mac" : "duid";
        out.push_back(l.link + " metric " + std::to_string(l.route_metric) + " id " + id + " " + l.duid_hex +
                      (l.ignore_hostname ? " ignore-hostname" : ""));
    }
    return out;
}

TEST(DhcpLinks, LegacyDevicesVlansAndDocuments) {
    std::string yaml = machine_network(R"(    interfaces:
      - interface: eth0
        dhcp: true
      - interface: eth1
        dhcp: true
        dhcpOptions:
          routeMetric: 200
          ipv4: false
          ipv6: true
      - interface: eth2
        dhcp: true
        dhcpOptions:
          routeMetric: 300
        vlans:
          - vlanId: 42
            dhcp: true
      - interface: eth3
        ignore: true
        dhcp: true
      - interface: eth4
        addresses: [10.0.0.5/24]
)") + R"(---
apiVersion: v1alpha1
kind: DHCPv4Config
name: eth4
clientIdentifier: duid
duidRaw: 00:01:02
ignoreHostname: true
---
apiVersion: v1alpha1
kind: DHCPv4Config
name: eth5
routeMetric: 50
)";
    EXPECT_EQ(describe(dhcp4_links(parse_config(yaml), test_kernel())),
              (std::vector<std::string>{"eth0 metric 1024 id none ", "eth2 metric 300 id none ",
                                        "eth2.42 metric 1024 id none ", "eth4 metric 1024 id duid 00:01:02 ignore-hostname",
                                        "eth5 metric 50 id mac "}));
}

TEST(DhcpLinks, DhcpV6FromLegacyOptionsVlansAndDocuments) {
    std::string yaml = machine_network(R"(    interfaces:
      - interface: eth0
        dhcp: true
      - interface: eth1
        dhcp: true
        dhcpOptions:
          routeMetric: 200
          ipv4: false
          ipv6: true
          duidv6: 00:03:00:01:aa:bb:cc:dd:ee:ff
      - interface: eth2
        dhcp: false
        dhcpOptions:
          ipv6: true
        vlans:
          - vlanId: 42
            dhcp: true
            dhcpOptions:
              ipv6: true
      - interface: eth3
        ignore: true
        dhcp: true
        dhcpOptions:
          ipv6: true
)") + R"(---
apiVersion: v1alpha1
kind: DHCPv6Config
name: eth4
clientIdentifier: duid
duidRaw: 00:04:01:02:03
---
apiVersion: v1alpha1
kind: DHCPv6Config
name: eth1
routeMetric: 50
)";
    std::vector<std::string> got;
    for (const Dhcp6Link& l : dhcp6_links(parse_config(yaml), test_kernel()))
        got.push_back(l.link + " metric " + std::to_string(l.route_metric) + " duid " + l.duid_hex);
    // The document for eth1 outranks its legacy options; eth0 wants DHCPv4 only (ipv6 defaults off).
    EXPECT_EQ(got, (std::vector<std::string>{"eth1 metric 50 duid ", "eth2.42 metric 1024 duid ",
                                             "eth4 metric 1024 duid 00:04:01:02:03"}));
    auto both = dhcp_links(parse_config(yaml), test_kernel());
    EXPECT_EQ(both.v4.size(), 2u);  // eth0, and eth2.42 (ipv4 defaults on)
    EXPECT_EQ(both.size(), 5u);
}

TEST(DhcpLinks, TheConfiguredHostNameIsSentAsOption12) {
    auto hostname_of = [](const std::string& network) {
        auto links = dhcp4_links(parse_config(machine_network(network)), test_kernel());
        return links.empty() ? std::string("no link") : links[0].hostname.value_or("(asks)");
    };
    const std::string dhcp = "    interfaces:\n      - interface: eth0\n        dhcp: true\n";
    EXPECT_EQ(hostname_of(dhcp), "(asks)");
    EXPECT_EQ(hostname_of("    hostname: node-a.example.test\n" + dhcp), "node-a");
}

TEST(DhcpLinks, NoDhcpNoClients) {
    EXPECT_TRUE(dhcp4_links(parse_config(machine_network("    interfaces:\n      - interface: eth0\n        "
                                                         "addresses: [10.0.0.5/24]\n")),
                            test_kernel())
                    .empty());
}

}  // namespace
}  // namespace nodenet::state
