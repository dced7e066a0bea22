// The carrier as `nodenet dhcp` sees it: IFF_LOWER_UP, which the kernel sets as the link comes up,
// and not IFF_RUNNING, which its linkwatch work may set up to a second later. Against dnsmasq in a
// namespace of its own, as dnsmasq_test.cpp; the host's network is never touched.
#include <gtest/gtest.h>

#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

int ifindex_of(const TestNetns& ns, const std::string& link) {
    return ns.ip_json("link show dev " + link).at(0).at("ifindex").get<int>();
}

// linkwatch takes a carrier change as urgent (IFF_RUNNING at once) when the link's index differs
// from its peer's, as for a veth pair created in one namespace; otherwise it handles it at most
// once a second. This link is in the second case on purpose: each end made in its own namespace,
// both get index 2; and another veth pair created just before makes linkwatch start its second
// (a new veth loses its carrier once registered). Setting veth-c up then gives it IFF_LOWER_UP at
// once and IFF_RUNNING about a second later: a client that waits for IFF_RUNNING logs that the
// link has no carrier.
TEST(DhcpCarrier, ALinkSetUpJustBeforeIsUsedAtOnce) {
    NODENET_DNSMASQ_OR_SKIP();
    TempDir dir;
    TestNetns client, server;
    client.must(std::string("link add veth-c address ") + kClientMac + " type veth peer name veth-s netns " +
                server.path());
    ASSERT_EQ(ifindex_of(client, kClientLink), ifindex_of(server, kServerLink));  // the premise above
    server.must(std::string("addr add ") + kServerAddress + "/24 dev veth-s");
    server.must("link set veth-s up");
    Dnsmasq dnsmasq(server, dir.path(), "dnsmasq");

    // In one shell, so that nothing slow comes between: the other pair created, linkwatch's work
    // for it seen done (its operational state "down" instead of "unknown", within 5 s), the link
    // up, the client.
    std::string script =
        "ip link add nn-tick type veth peer name nn-tock && "
        "timeout 5 sh -c 'until [ \"$(cat /sys/class/net/nn-tick/operstate)\" = down ]; do :; done' && "
        "ip link set veth-c up && "
        "exec " NODENET_BINARY " dhcp veth-c --once --state-dir " + (dir.path() / "state").string();
    auto r = client.run({"sh", "-c", script});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.err.find("no carrier"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("veth-c: bound to 10.77.0."), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("link up"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace nodenet::dhcp_test
