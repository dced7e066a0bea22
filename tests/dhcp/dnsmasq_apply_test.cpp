// Leases through plan and apply, against a real dnsmasq: `nodenet apply` on a config with a DHCP
// link, and `nodenet dhcp --apply`. `ip -j` reads back what the kernel holds: a lease refused at
// INIT-REBOOT and a lease run out leave nothing behind.
//
// DhcpApplySlow waits for a whole lease (dnsmasq's shortest is 2 minutes); tests/CMakeLists.txt
// gives it a longer ctest timeout than the others.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

using cli_test::TempDir;

class DhcpApply : public testing::Test {
protected:
    void SetUp() override {
        NODENET_DNSMASQ_OR_SKIP();
        link_.emplace();
    }

    const TestNetns& client() const { return link_->client; }
    std::string state_dir() const { return (dir_.path() / "state").string(); }

    std::string write_config(const std::string& network) const {
        std::string path = (dir_.path() / "config.yaml").string();
        std::ofstream(path) << "version: v1alpha1\nmachine:\n  type: worker\n  network:\n" << network;
        return path;
    }

    // The client link's IPv4 address as `ip -j` shows it, or null.
    nlohmann::json address() const {
        for (const auto& l : client().ip_json(std::string("-4 addr show dev ") + kClientLink))
            for (const auto& a : l["addr_info"]) return a;
        return nullptr;
    }

    // Every IPv4 address of the client link, as `ip -j` shows them.
    std::vector<std::string> addresses() const {
        std::vector<std::string> out;
        for (const auto& l : client().ip_json(std::string("-4 addr show dev ") + kClientLink))
            for (const auto& a : l["addr_info"]) out.push_back(a["local"].get<std::string>());
        return out;
    }

    // Every IPv4 route through the client link, whoever added it.
    size_t all_routes() const { return client().ip_json(std::string("-4 route show dev ") + kClientLink).size(); }

    std::string write_dhcp_config() const {
        return write_config(std::string("    interfaces:\n      - interface: ") + kClientLink +
                            "\n        dhcp: true\n        dhcpOptions:\n          routeMetric: 100\n");
    }

    netlink_test::CommandResult apply(const std::string& config, const std::vector<std::string>& more = {}) const {
        std::vector<std::string> argv = {NODENET_BINARY, "apply", "-c", config, "--state-dir", state_dir()};
        argv.insert(argv.end(), more.begin(), more.end());
        return client().run(argv, 60s);
    }

    // The address of the saved lease, without its prefix length; empty when there is none.
    std::string saved_address() const {
        std::string text = read_text(lease_file(dir_.path()));
        if (text.empty()) return "";
        std::string prefix = nlohmann::json::parse(text)["address"];
        return prefix.substr(0, prefix.find('/'));
    }

    // Makes the kernel keep `ip`/24 on the client link forever, still as nodenet's (IFA_PROTO 110,
    // metric 100): what removes it then is nodenet, not the lifetime the lease gave it.
    void keep_forever(const std::string& ip) const {
        client().in_child([&] {
            auto addr = state::parse_ip_address(ip);
            unsigned index = if_nametoindex(kClientLink);
            if (!addr || index == 0) throw std::runtime_error("bad address or link: " + ip);
            std::unique_ptr<nl_sock, void (*)(nl_sock*)> sock(nl_socket_alloc(), nl_socket_free);
            std::unique_ptr<nl_msg, void (*)(nl_msg*)> msg(nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_REPLACE), nlmsg_free);
            ifaddrmsg ifa{};
            ifa.ifa_family = AF_INET;
            ifa.ifa_prefixlen = 24;
            ifa.ifa_index = index;
            ifa_cacheinfo forever{0xFFFFFFFFu, 0xFFFFFFFFu, 0, 0};
            int err = nl_connect(sock.get(), NETLINK_ROUTE);
            if (err >= 0) err = nlmsg_append(msg.get(), &ifa, sizeof ifa, NLMSG_ALIGNTO);
            if (err >= 0) err = nla_put(msg.get(), IFA_LOCAL, 4, addr->bytes.data());
            if (err >= 0) err = nla_put(msg.get(), IFA_ADDRESS, 4, addr->bytes.data());
            if (err >= 0) err = nla_put_u8(msg.get(), IFA_PROTO, 110);
            if (err >= 0) err = nla_put_u32(msg.get(), IFA_RT_PRIORITY, 100);
            if (err >= 0) err = nla_put(msg.get(), IFA_CACHEINFO, sizeof forever, &forever);
            if (err >= 0) err = nl_send_auto(sock.get(), msg.get());
            if (err >= 0) err = nl_wait_for_ack(sock.get());
            if (err < 0) throw std::runtime_error("replace " + ip + ": " + nl_geterror(err));
            return std::string();
        });
    }

    std::vector<std::string> routes() const {
        std::vector<std::string> out;
        for (const auto& r : client().ip_json(std::string("-4 route show dev ") + kClientLink)) {
            if (r.value("protocol", "") != "110") continue;
            out.push_back(r["dst"].get<std::string>() + (r.contains("gateway") ? " via " + r["gateway"].get<std::string>() : "") +
                          " src " + r.value("prefsrc", "-") + " metric " + std::to_string(r.value("metric", 0)));
        }
        return out;
    }

    TempDir dir_;
    std::optional<DhcpLink> link_;
};

TEST_F(DhcpApply, ApplyObtainsTheLeaseAndInstallsItWithItsLifetimes) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    std::string config = write_config(std::string("    interfaces:\n      - interface: ") + kClientLink +
                                      "\n        dhcp: true\n        dhcpOptions:\n          routeMetric: 100\n");
    auto r = client().run({NODENET_BINARY, "apply", "-c", config, "--state-dir", state_dir()}, 60s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("Applied with 1 DHCP lease(s)"), std::string::npos) << r.out;
    auto a = address();
    ASSERT_FALSE(a.is_null()) << "no address on the link";
    std::string ip = a["local"];
    EXPECT_TRUE(ip.starts_with("10.77.0.")) << ip;
    EXPECT_EQ(a["prefixlen"], 24);
    // A 2-minute lease: the kernel drops the address when it runs out, even if nodenet is gone.
    EXPECT_GT(a["valid_life_time"].get<int64_t>(), 100);
    EXPECT_LE(a["valid_life_time"].get<int64_t>(), 120);
    EXPECT_EQ(routes(), (std::vector<std::string>{"default via 10.77.0.1 src " + ip + " metric 100",
                                                  "10.99.0.0/16 via 10.77.0.254 src " + ip + " metric 100"}));
    EXPECT_EQ(client().ip_json(std::string("link show dev ") + kClientLink)[0]["mtu"], 1400);  // option 26
    EXPECT_EQ(server.count("DHCPACK("), 1);

    // Again: the saved lease is confirmed (INIT-REBOOT), the address stays and is kept alive.
    auto again = client().run({NODENET_BINARY, "apply", "-c", config, "--state-dir", state_dir()}, 60s);
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(address()["local"], ip);
    EXPECT_EQ(again.out.find("- address"), std::string::npos) << again.out;
    EXPECT_EQ(server.count("DHCPACK("), 2);
}

// The lease's DNS servers, domains and host name (options 6, 119, 12 with 15) reach the test
// machine's /etc/resolv.conf, /etc/hosts and kernel host name (its own /etc and UTS namespace, see
// tests/netlink/netns.h), and a second apply finds them in place.
TEST_F(DhcpApply, LeaseNamesReachResolvConfHostsAndTheHostName) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    std::string config = write_dhcp_config();
    auto r = apply(config);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    std::string ip = address()["local"];
    EXPECT_EQ(client().run({"cat", "/etc/resolv.conf"}).out,
              "# Written by nodenet from the machine config and DHCP; `nodenet apply` replaces edits.\n"
              "nameserver 10.77.0.2\n"
              "nameserver 10.77.0.3\n"
              "\n"
              "search example.test corp.example.test\n");
    EXPECT_NE(client().run({"cat", "/etc/hosts"}).out.find(ip + " node-a.example.test node-a\n"), std::string::npos);
    EXPECT_EQ(client().run({"hostname"}).out, "node-a\n");
    EXPECT_EQ(client().run({"domainname"}).out, "example.test\n");
    auto plan = client().run({NODENET_BINARY, "plan", "-c", config, "--state-dir", state_dir()});
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
}

// `nodenet plan` starts from the leases held, as `apply` does: after an apply it is in sync, and
// does not offer to remove the lease's address and routes.
TEST_F(DhcpApply, PlanAfterApplyIsInSync) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    std::string config = write_dhcp_config();
    auto r = apply(config);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto plan = client().run({NODENET_BINARY, "plan", "-c", config, "--state-dir", state_dir()});
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    EXPECT_EQ(plan.out, "No changes: the kernel matches the config.\n");
    EXPECT_EQ(server.count("DHCPACK("), 1);  // plan asks no server
}

TEST_F(DhcpApply, OnceApplyInstallsTheLeaseWithoutAConfig) {
    Dnsmasq server(link_->server, dir_.path(), "dnsmasq");
    auto r = client().run({NODENET_BINARY, "dhcp", kClientLink, "--once", "--apply", "--metric", "300", "--state-dir",
                           state_dir()},
                          60s);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto a = address();
    ASSERT_FALSE(a.is_null()) << r.err;
    std::string ip = a["local"];
    EXPECT_EQ(routes(), (std::vector<std::string>{"default via 10.77.0.1 src " + ip + " metric 300",
                                                  "10.99.0.0/16 via 10.77.0.254 src " + ip + " metric 300"}));
}

// The saved lease of an earlier run, refused at INIT-REBOOT (RFC 2131 §3.2: the client "cannot
// reuse its remembered network address"): its address and routes leave the kernel at the DHCPNAK,
// not when their lifetimes run out, and its file goes. dnsmasq comes back authoritative with fixed
// addresses only, so it refuses the old address and offers no other.
TEST_F(DhcpApply, LeaseRefusedAtInitRebootIsRemovedThenTheClientDiscovers) {
    {
        Dnsmasq first(link_->server, dir_.path(), "dnsmasq-1");
        auto r = client().run({NODENET_BINARY, "dhcp", kClientLink, "--once", "--apply", "--metric", "100",
                               "--state-dir", state_dir()},
                              60s);
        ASSERT_EQ(r.exit_code, 0) << r.err;
    }
    ASSERT_EQ(addresses().size(), 1u);
    std::string old = addresses()[0];
    ASSERT_EQ(routes().size(), 2u);
    ASSERT_EQ(saved_address(), old);

    Dnsmasq second(link_->server, dir_.path(), "dnsmasq-2", "node-a", {"--dhcp-authoritative"}, "10.77.0.0,static");
    Capture capture(link_->server, dir_.path() / "capture");
    Client nodenet(client(), dir_.path(), "client", {"--apply", "--metric", "100"});
    ASSERT_TRUE(second.wait_for("DHCPNAK(veth-s) " + old, 1, 10s)) << second.log() << nodenet.log();
    ASSERT_TRUE(nodenet.wait_for("removing " + old + "/24: refused by the server", 5s)) << nodenet.log();
    EXPECT_TRUE(eventually([&] { return addresses().empty() && all_routes() == 0; }, 5s))
        << client().ip("-4 addr show dev veth-c").out << client().ip("-4 route show dev veth-c").out
        << nodenet.log();
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
    EXPECT_EQ(nodenet.log().find("failed"), std::string::npos) << nodenet.log();

    // Then a fresh DHCPDISCOVER that does not ask for the refused address.
    ASSERT_TRUE(eventually([&] { return !capture.of_type("DHCPDISCOVER").empty(); }, 5s)) << nodenet.log();
    auto all = capture.messages();
    ASSERT_GE(all.size(), 2u);
    EXPECT_EQ(all[0].type, "DHCPREQUEST");
    EXPECT_EQ(all[0].requested, old);
    EXPECT_EQ(all[0].server_id, "-");
    EXPECT_EQ(all[1].type, "DHCPDISCOVER");
    EXPECT_EQ(all[1].requested, "-");
    EXPECT_EQ(nodenet.stop(SIGTERM), 0) << nodenet.log();
}

// `nodenet apply` whose saved lease is refused: the new lease from another pool is installed, and
// the kernel holds it alone.
TEST_F(DhcpApply, ApplyAfterARefusedLeaseHoldsOnlyTheNewOne) {
    std::string config = write_dhcp_config();
    {
        Dnsmasq first(link_->server, dir_.path(), "dnsmasq-1");
        auto r = apply(config);
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    ASSERT_EQ(addresses().size(), 1u);
    std::string old = addresses()[0];

    Dnsmasq second(link_->server, dir_.path(), "dnsmasq-2", "node-a", {"--dhcp-authoritative"},
                   "10.77.0.150,10.77.0.199");
    auto r = apply(config);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.err.find("DHCPNAK from 10.77.0.1"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("removing " + old + "/24: refused by the server"), std::string::npos) << r.err;
    auto now = addresses();
    ASSERT_EQ(now.size(), 1u) << r.out << r.err;
    std::string ip = now[0];
    EXPECT_TRUE(ip.starts_with("10.77.0.1") && ip.size() == 11) << ip;  // 10.77.0.150–199
    EXPECT_EQ(routes(), (std::vector<std::string>{"default via 10.77.0.1 src " + ip + " metric 100",
                                                  "10.99.0.0/16 via 10.77.0.254 src " + ip + " metric 100"}));
    EXPECT_EQ(saved_address(), ip);
}

// ... and when the server offers nothing after its DHCPNAK, the apply fails but does not leave the
// refused lease in the kernel.
TEST_F(DhcpApply, ApplyWhoseLeaseIsRefusedRemovesItEvenWithoutANewOne) {
    std::string config = write_dhcp_config();
    {
        Dnsmasq first(link_->server, dir_.path(), "dnsmasq-1");
        auto r = apply(config);
        ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    }
    ASSERT_EQ(addresses().size(), 1u);
    std::string old = addresses()[0];

    Dnsmasq second(link_->server, dir_.path(), "dnsmasq-2", "node-a", {"--dhcp-authoritative"}, "10.77.0.0,static");
    auto r = apply(config, {"--dhcp-timeout", "3"});
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_NE(r.err.find("removing " + old + "/24: refused by the server"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nodenet: veth-c: no lease within 3 s; the rest of the config is applied"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(addresses(), std::vector<std::string>{}) << r.out << r.err;
    EXPECT_EQ(all_routes(), 0u);
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
}

// The whole life of a lease whose server is gone: RENEWING at T1 (unicast), REBINDING at T2
// (broadcast), then the end of the 2-minute lease. Until then the address and its routes stay; at
// the end they are gone from the kernel and the lease file with them (RFC 2131 §4.4.5: the client
// stops using the address at once), and the client starts over with DHCPDISCOVER. The kernel
// would drop the address by itself at the same moment (its lifetime is the lease's), so the test
// gives it an infinite one first: only nodenet's removal can make it go.
class DhcpApplySlow : public DhcpApply {};

TEST_F(DhcpApplySlow, ExpiryRemovesTheAddressRoutesAndLeaseFileThenDiscoversAgain) {
    std::optional<Dnsmasq> server(std::in_place, link_->server, dir_.path(), "dnsmasq");
    Capture capture(link_->server, dir_.path() / "capture");
    Client nodenet(client(), dir_.path(), "client", {"--apply", "--metric", "100"});
    ASSERT_TRUE(eventually([&] { return addresses().size() == 1 && routes().size() == 2; }, 10s)) << nodenet.log();
    std::string ip = addresses()[0];
    server.reset();  // nothing answers from now on
    keep_forever(ip);
    ASSERT_EQ(address()["valid_life_time"], 0xFFFFFFFFu);

    ASSERT_TRUE(nodenet.wait_for("T1 reached: renewing " + ip + " with 10.77.0.1", 10s)) << nodenet.log();
    ASSERT_TRUE(nodenet.wait_for("T2 reached without an answer from 10.77.0.1: rebinding " + ip, 10s))
        << nodenet.log();
    // Rebinding: the lease still runs, and everything of it stays.
    EXPECT_EQ(addresses(), std::vector<std::string>{ip});
    EXPECT_EQ(routes().size(), 2u);
    EXPECT_EQ(saved_address(), ip);

    ASSERT_TRUE(nodenet.wait_for("the lease of " + ip + "/24 expired; starting over with DHCPDISCOVER", 125s))
        << nodenet.log();
    EXPECT_TRUE(eventually([&] { return addresses().empty() && all_routes() == 0; }, 2s))
        << client().ip("-4 addr show dev veth-c").out << client().ip("-4 route show dev veth-c").out;
    EXPECT_FALSE(std::filesystem::exists(lease_file(dir_.path())));
    EXPECT_EQ(nodenet.log().find("failed"), std::string::npos) << nodenet.log();

    // On the wire: the REQUEST that got the lease (its time is the lease's start), the renewal at
    // T1 to the server, the rebinding broadcasts at T2 and 60 s later, and at the end a DISCOVER
    // from 0.0.0.0 that asks for the same address back.
    ASSERT_TRUE(eventually([&] { return capture.of_type("DHCPDISCOVER").size() >= 2; }, 5s)) << nodenet.log();
    auto requests = capture.of_type("DHCPREQUEST");
    ASSERT_EQ(requests.size(), 4u) << nodenet.log();
    auto start = requests[0].at;
    EXPECT_EQ(requests[1].destination, kServerAddress);
    EXPECT_EQ(requests[1].ciaddr, ip);
    EXPECT_NEAR(seconds_between(start, requests[1].at), 6.0, 1.0);
    for (size_t i : {2u, 3u}) {
        EXPECT_EQ(requests[i].destination, "255.255.255.255");
        EXPECT_EQ(requests[i].ciaddr, ip);
        EXPECT_EQ(requests[i].server_id, "-");
    }
    EXPECT_NEAR(seconds_between(start, requests[2].at), 12.0, 1.0);
    EXPECT_NEAR(seconds_between(start, requests[3].at), 72.0, 1.0);
    const Captured discover = capture.of_type("DHCPDISCOVER")[1];
    EXPECT_NEAR(seconds_between(start, discover.at), 120.0, 1.0);
    EXPECT_EQ(discover.ciaddr, "0.0.0.0");
    EXPECT_EQ(discover.requested, ip);
    EXPECT_EQ(discover.destination, "255.255.255.255");
    EXPECT_EQ(nodenet.stop(SIGTERM), 0) << nodenet.log();
}

}  // namespace
}  // namespace nodenet::dhcp_test
