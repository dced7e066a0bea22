// `nodenet dhcp` against a real DHCP server: dnsmasq in a namespace of its own, the client in
// another, and a capture of what reaches the server's link. Each test builds its own namespaces and
// removes them; the host's network is never touched.
//
// dnsmasq's lease is 2 minutes (its minimum) with T1 6 s and T2 12 s. Expiry at the lease's end
// takes over 2 minutes: it is tested once, end to end with --apply, in DhcpApplySlow
// (dnsmasq_apply_test.cpp), and in the pure client's tests (dhcp4_client_test.cpp); RemoveLease's
// effects here are seen through RELEASE.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

using Json = nlohmann::ordered_json;

class DhcpDnsmasq : public ::testing::Test {
protected:
    void SetUp() override {
        NODENET_DNSMASQ_OR_SKIP();
        link_.emplace();
    }

    const TestNetns& client_ns() const { return link_->client; }
    const TestNetns& server_ns() const { return link_->server; }
    std::string state_dir() const { return (dir_.path() / "state").string(); }

    // `nodenet dhcp veth-c ARGS...` in the client namespace, to its end.
    netlink_test::CommandResult dhcp(std::vector<std::string> args) const {
        std::vector<std::string> argv = {NODENET_BINARY, "dhcp", kClientLink, "--state-dir", state_dir()};
        argv.insert(argv.end(), args.begin(), args.end());
        return client_ns().run(argv, 60s);
    }

    // The address of the saved lease, without its prefix length.
    std::string leased_address() const {
        // The client logs "bound to" before its lease file is renamed into place: wait for the file.
        eventually([&] { return !read_text(lease_file(dir_.path())).empty(); }, 5s);
        auto j = nlohmann::json::parse(read_text(lease_file(dir_.path())));
        std::string prefix = j["address"];
        return prefix.substr(0, prefix.find('/'));
    }

    TempDir dir_;
    std::optional<DhcpLink> link_;
};

TEST_F(DhcpDnsmasq, OnceJsonPrintsEveryFieldAndChangesNothing) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    auto r = dhcp({"--once", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = Json::parse(r.out);  // keeps the order of the keys
    std::vector<std::string> keys;
    for (const auto& [key, value] : j.items()) keys.push_back(key);
    EXPECT_EQ(keys, (std::vector<std::string>{"interface", "address", "server", "routes", "dns", "search", "domain",
                                              "hostname", "mtu", "ntp", "broadcast", "lease_seconds", "t1_seconds",
                                              "t2_seconds"}));
    EXPECT_EQ(j["interface"], kClientLink);
    std::string address = j["address"];
    EXPECT_TRUE(address.starts_with("10.77.0.") && address.ends_with("/24")) << address;
    EXPECT_EQ(j["server"], kServerAddress);
    // Option 121 wins over option 3 (RFC 3442): the routes are the classless ones, in order.
    EXPECT_EQ(j["routes"], Json::parse(R"([{"destination": "10.99.0.0/16", "gateway": "10.77.0.254"},
                                                     {"destination": "0.0.0.0/0", "gateway": "10.77.0.1"}])"));
    EXPECT_EQ(j["dns"], Json({"10.77.0.2", "10.77.0.3"}));
    EXPECT_EQ(j["search"], Json({"example.test", "corp.example.test"}));
    EXPECT_EQ(j["domain"], "example.test");
    EXPECT_EQ(j["hostname"], "node-a");
    EXPECT_EQ(j["mtu"], 1400);
    EXPECT_EQ(j["ntp"], Json({"10.77.0.5"}));
    EXPECT_EQ(j["broadcast"], "10.77.0.255");
    EXPECT_EQ(j["lease_seconds"], 120);
    EXPECT_EQ(j["t1_seconds"], 6);
    EXPECT_EQ(j["t2_seconds"], 12);
    EXPECT_NE(r.err.find("veth-c: bound to " + address + " from 10.77.0.1"), std::string::npos) << r.err;

    // Kept in the state directory, and nothing configured without --apply.
    EXPECT_TRUE(std::filesystem::exists(lease_file(dir_.path())));
    EXPECT_EQ(client_ns().ip("-4 addr show dev veth-c").out.find("inet "), std::string::npos);
    EXPECT_EQ(server.count("DHCPACK("), 1);
}

TEST_F(DhcpDnsmasq, OnceTextThenGetLeases) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    auto r = dhcp({"--once"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::string address = leased_address();
    EXPECT_EQ(r.out, "interface: veth-c\n"
                     "address:   " + address + "/24\n"
                     "server:    10.77.0.1\n"
                     "routes:    10.99.0.0/16 via 10.77.0.254, default via 10.77.0.1\n"
                     "dns:       10.77.0.2, 10.77.0.3\n"
                     "search:    example.test, corp.example.test\n"
                     "domain:    example.test\n"
                     "hostname:  node-a\n"
                     "mtu:       1400\n"
                     "ntp:       10.77.0.5\n"
                     "lease:     2m (renew after 6s, rebind after 12s)\n");

    auto table = cli_test::run_nodenet({"get", "leases", "--state-dir", state_dir()});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    auto rows = cli_test::lines_of(table.out);
    ASSERT_EQ(rows.size(), 2u) << table.out;
    EXPECT_TRUE(rows[0].starts_with("LINK    ADDRESS")) << rows[0];
    EXPECT_TRUE(rows[1].starts_with("veth-c  " + address + "/24  10.77.0.1  10.99.0.0/16 via 10.77.0.254,default via "
                                    "10.77.0.1  10.77.0.2,10.77.0.3  "))
        << rows[1];
    EXPECT_TRUE(rows[1].ends_with("  2m") || rows[1].find("  1m5") != std::string::npos) << rows[1];

    auto json = cli_test::run_nodenet({"get", "leases", "-o", "json", "--state-dir", state_dir()});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    auto j = nlohmann::json::parse(json.out);
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["interface"], kClientLink);
    EXPECT_GT(j[0]["expires_in_seconds"].get<int>(), 100);
    EXPECT_LE(j[0]["expires_in_seconds"].get<int>(), 120);
}

TEST_F(DhcpDnsmasq, OnceGivesUpAfterTheTimeoutWithoutAServer) {
    auto started = SteadyClock::now();
    auto r = dhcp({"--once", "--timeout", "2"});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("nodenet: veth-c: no lease within 2 s\n"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("veth-c: DHCPDISCOVER (xid "), std::string::npos) << r.err;
    EXPECT_LT(seconds_between(started, SteadyClock::now()), 5.0);
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
}

TEST_F(DhcpDnsmasq, UnknownLinkAndWrongUsageAreErrors) {
    auto missing = client_ns().run({NODENET_BINARY, "dhcp", "nosuch0", "--once", "--state-dir", state_dir()});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_EQ(missing.err, "nodenet: nosuch0: no such link\n");
    auto no_duid = dhcp({"--once", "--client-id", "duid"});
    EXPECT_EQ(no_duid.exit_code, 2);
    EXPECT_EQ(no_duid.err, "nodenet: --client-id duid needs --duid HEX\n");
    auto bad_name = dhcp({"--once", "--hostname", "node_a;"});
    EXPECT_EQ(bad_name.exit_code, 2);
    EXPECT_EQ(bad_name.err, "nodenet: --hostname \"node_a;\": not a valid host name\n");
}

TEST_F(DhcpDnsmasq, RestartWithTheSavedLeaseDoesInitReboot) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    Capture capture(server_ns(), dir_.path() / "capture");
    auto first = dhcp({"--once"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    std::string address = leased_address();
    size_t before = capture.messages().size();

    auto again = dhcp({"--once", "-o", "json"});
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(nlohmann::json::parse(again.out)["address"], address + "/24");
    EXPECT_NE(again.err.find("(init-reboot, xid"), std::string::npos) << again.err;
    ASSERT_TRUE(eventually([&] { return capture.messages().size() > before; }, 5s));
    // RFC 2131 §4.3.2: INIT-REBOOT asks for the address in option 50, without a server identifier
    // and with ciaddr zero, broadcast; and no DHCPDISCOVER comes before it.
    const std::vector<Captured> all = capture.messages();
    const Captured& reboot = all[before];
    EXPECT_EQ(reboot.type, "DHCPREQUEST");
    EXPECT_EQ(reboot.ciaddr, "0.0.0.0");
    EXPECT_EQ(reboot.requested, address);
    EXPECT_EQ(reboot.server_id, "-");
    EXPECT_EQ(reboot.destination, "255.255.255.255");
    EXPECT_EQ(capture.of_type("DHCPDISCOVER").size(), 1u);
    EXPECT_EQ(server.count("DHCPACK("), 2);
}

TEST_F(DhcpDnsmasq, RenewsAtT1ByUnicastFromTheLeasedAddress) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {});
    ASSERT_TRUE(client.wait_for("bound to", 10s)) << client.log();
    std::string address = leased_address();
    // What --apply does: the address on the link, so that the kernel sends from it and answers ARP.
    client_ns().must("addr add " + address + "/24 dev veth-c");

    ASSERT_TRUE(server.wait_for("DHCPACK(", 2, 15s)) << server.log() << client.log();
    auto requests = capture.of_type("DHCPREQUEST");
    ASSERT_GE(requests.size(), 2u);
    const Captured& selecting = requests[0];
    EXPECT_EQ(selecting.ciaddr, "0.0.0.0");
    EXPECT_EQ(selecting.requested, address);
    EXPECT_EQ(selecting.server_id, kServerAddress);
    EXPECT_EQ(selecting.destination, "255.255.255.255");
    const Captured& renewing = requests[1];
    EXPECT_EQ(renewing.ciaddr, address);
    EXPECT_EQ(renewing.requested, "-");
    EXPECT_EQ(renewing.server_id, "-");
    EXPECT_EQ(renewing.destination, kServerAddress);
    // T1 counts from the REQUEST that obtained the lease.
    EXPECT_NEAR(seconds_between(selecting.at, renewing.at), 6.0, 1.0);
    ASSERT_TRUE(client.wait_for("renewed " + address, 5s)) << client.log();
    EXPECT_EQ(client.log().find("in a frame to"), std::string::npos) << client.log();  // the UDP socket sent it

    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
    EXPECT_NE(client.log().find("stays configured (no release)"), std::string::npos) << client.log();
    EXPECT_TRUE(std::filesystem::exists(lease_file(dir_.path())));
    EXPECT_EQ(server.count("DHCPRELEASE("), 0);
}

TEST_F(DhcpDnsmasq, RebindsByBroadcastAfterT2WhenTheServerIsGone) {
    std::optional<Dnsmasq> first(std::in_place, server_ns(), dir_.path(), "dnsmasq-1");
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {});
    ASSERT_TRUE(client.wait_for("bound to", 10s)) << client.log();
    std::string address = leased_address();
    client_ns().must("addr add " + address + "/24 dev veth-c");
    first.reset();  // killed: the renewal at T1 goes unanswered

    ASSERT_TRUE(eventually([&] { return capture.of_type("DHCPREQUEST").size() >= 2; }, 10s)) << client.log();
    // Another server, on another address of the link, with the same lease database: a unicast to
    // 10.77.0.1 cannot reach it, a broadcast can.
    server_ns().must("addr del 10.77.0.1/24 dev veth-s");
    server_ns().must("addr add 10.77.0.2/24 dev veth-s");
    Dnsmasq second(server_ns(), dir_.path(), "dnsmasq-2");
    ASSERT_TRUE(client.wait_for("renewed " + address + "/24 from 10.77.0.2", 15s)) << client.log();
    EXPECT_NE(client.log().find("T2 reached without an answer from 10.77.0.1: rebinding"), std::string::npos);

    auto requests = capture.of_type("DHCPREQUEST");
    ASSERT_GE(requests.size(), 3u);
    const Captured& renewing = requests[1];
    EXPECT_EQ(renewing.destination, kServerAddress);
    EXPECT_EQ(renewing.ciaddr, address);
    const Captured& rebinding = requests[2];
    EXPECT_EQ(rebinding.destination, "255.255.255.255");
    EXPECT_EQ(rebinding.ciaddr, address);
    EXPECT_EQ(rebinding.server_id, "-");
    EXPECT_EQ(rebinding.requested, "-");
    EXPECT_NEAR(seconds_between(requests[0].at, rebinding.at), 12.0, 1.0);
    // The client logs "renewed" before it saves the lease (two fsyncs): wait for the file.
    auto saved_server = [&] { return nlohmann::json::parse(read_text(lease_file(dir_.path())))["server_id"]; };
    EXPECT_TRUE(eventually([&] { return saved_server() == "10.77.0.2"; }, 5s)) << saved_server();

    // From now on the new server is the one renewed with, by unicast.
    ASSERT_TRUE(eventually([&] { return capture.of_type("DHCPREQUEST").size() >= 4; }, 10s)) << client.log();
    const Captured next = capture.of_type("DHCPREQUEST")[3];
    EXPECT_EQ(next.destination, "10.77.0.2");
    EXPECT_NEAR(seconds_between(rebinding.at, next.at), 6.0, 1.0);
    EXPECT_EQ(client.stop(SIGTERM), 0);
}

TEST_F(DhcpDnsmasq, ReleaseOnStopRemovesTheLease) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {"--release"});
    ASSERT_TRUE(client.wait_for("bound to", 10s)) << client.log();
    std::string address = leased_address();
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
    ASSERT_TRUE(server.wait_for("DHCPRELEASE(veth-s) " + address, 1, 5s)) << server.log() << client.log();
    auto releases = capture.of_type("DHCPRELEASE");
    ASSERT_EQ(releases.size(), 1u);
    EXPECT_EQ(releases[0].ciaddr, address);
    EXPECT_EQ(releases[0].server_id, kServerAddress);
    EXPECT_EQ(releases[0].destination, kServerAddress);
    // The address was never configured (no --apply), so the kernel could not send from it: the
    // release went out as a frame to the server's Ethernet address.
    EXPECT_NE(client.log().find("sending to 10.77.0.1 in a frame to"), std::string::npos) << client.log();
    EXPECT_NE(client.log().find("removing " + address + "/24: released"), std::string::npos) << client.log();
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
}

TEST_F(DhcpDnsmasq, ReleaseFromAConfiguredAddressGoesThroughTheKernel) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {"--release"});
    ASSERT_TRUE(client.wait_for("bound to", 10s)) << client.log();
    std::string address = leased_address();
    client_ns().must("addr add " + address + "/24 dev veth-c");  // as --apply does
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
    // Sent before the process ends, even when the kernel still had to resolve the server's MAC.
    ASSERT_TRUE(server.wait_for("DHCPRELEASE(veth-s) " + address, 1, 5s)) << server.log() << client.log();
    auto releases = capture.of_type("DHCPRELEASE");
    ASSERT_EQ(releases.size(), 1u);
    EXPECT_EQ(releases[0].destination, kServerAddress);
    EXPECT_EQ(client.log().find("in a frame to"), std::string::npos) << client.log();
}

TEST_F(DhcpDnsmasq, CarrierLossKeepsTheLeaseAndReturnDoesInitReboot) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {});
    ASSERT_TRUE(client.wait_for("bound to", 10s)) << client.log();
    std::string address = leased_address();
    server_ns().must("link set veth-s down");  // the cable pulled: veth-c loses its carrier
    ASSERT_TRUE(client.wait_for("link down; keeping " + address + "/24", 5s)) << client.log();
    size_t before = capture.messages().size();
    server_ns().must("link set veth-s up");
    ASSERT_TRUE(client.wait_for("renewed " + address, 10s)) << client.log();
    // The capture writes what it saw on its own schedule: it may lag the client's log line.
    std::vector<decltype(capture.messages())::value_type> all;
    EXPECT_TRUE(eventually([&] { return (all = capture.messages()).size() > before; }, 5s));
    ASSERT_GT(all.size(), before);
    EXPECT_EQ(all[before].type, "DHCPREQUEST");
    EXPECT_EQ(all[before].ciaddr, "0.0.0.0");
    EXPECT_EQ(all[before].requested, address);
    EXPECT_EQ(all[before].server_id, "-");
    EXPECT_EQ(client.stop(SIGTERM), 0);
}

TEST_F(DhcpDnsmasq, WaitsForTheCarrierBeforeTheFirstDiscover) {
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq");
    server_ns().must("link set veth-s down");
    Client client(client_ns(), dir_.path(), "client", {"--once"});
    ASSERT_TRUE(client.wait_for("the link is down or has no carrier; waiting for it", 5s)) << client.log();
    std::this_thread::sleep_for(500ms);
    EXPECT_EQ(client.log().find("DHCPDISCOVER"), std::string::npos) << client.log();
    server_ns().must("link set veth-s up");
    ASSERT_TRUE(eventually([&] { return client.exited(); }, 10s)) << client.log();
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
    EXPECT_NE(client.log().find("link up"), std::string::npos) << client.log();
    EXPECT_NE(client.output().find("address:   10.77.0."), std::string::npos) << client.output();
}

TEST_F(DhcpDnsmasq, AddressInUseIsDeclined) {
    // dnsmasq hands out a fixed address that the server's own link already holds: the client's
    // RFC 5227 probe is answered, and the client declines it. (Replies are broadcast: a unicast
    // to 10.77.0.60 would stay inside the server's namespace, where that address is local.)
    server_ns().must("addr add 10.77.0.60/24 dev veth-s");
    Dnsmasq server(server_ns(), dir_.path(), "dnsmasq", "10.77.0.60,node-a", {"--dhcp-broadcast"});
    Capture capture(server_ns(), dir_.path() / "capture");
    Client client(client_ns(), dir_.path(), "client", {"--probe"});
    ASSERT_TRUE(server.wait_for("DHCPDECLINE(veth-s) 10.77.0.60", 1, 10s)) << client.log() << server.log();
    EXPECT_NE(client.log().find("10.77.0.60 is in use by another host: DHCPDECLINE sent to 10.77.0.1"),
              std::string::npos)
        << client.log();
    EXPECT_EQ(client.log().find("bound to"), std::string::npos) << client.log();
    auto declines = capture.of_type("DHCPDECLINE");
    ASSERT_EQ(declines.size(), 1u);
    EXPECT_EQ(declines[0].requested, "10.77.0.60");
    EXPECT_EQ(declines[0].server_id, kServerAddress);
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
    EXPECT_EQ(client.stop(SIGTERM), 0);
}

}  // namespace
}  // namespace nodenet::dhcp_test
