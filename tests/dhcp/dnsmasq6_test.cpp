// nodenet's DHCPv6 client against dnsmasq's DHCPv6 server over a veth pair: Solicit/Advertise/
// Request/Reply, Rapid Commit, the lease applied (read back with `ip -j`), the confirming Rebind
// after a restart, a remembered address refused, Release, and the whole life of a lease (Renew at
// T1, Rebind at T2 with the server gone, expiry).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>

#include "tests/dhcp/dnsmasq_fixture.h"

namespace nodenet::dhcp_test {
namespace {

constexpr char kServer6[] = "fd00:77::1";

// dnsmasq serving DHCPv6 from `first`–`last` (a /64 the server's link holds) with a 2-minute
// lease (its minimum: T1 60 s, T2 105 s), a DNS server and a search domain.
class Dnsmasq6 : public DnsmasqProcess {
public:
    Dnsmasq6(const TestNetns& server, const std::filesystem::path& dir, const std::string& name,
             std::vector<std::string> extra = {}, const std::string& first = "fd00:77::100",
             const std::string& last = "fd00:77::1ff")
        : DnsmasqProcess(server, dir, name, arguments(dir, name, std::move(extra), first, last), "DHCPv6, IP range") {}

private:
    static std::vector<std::string> arguments(const std::filesystem::path& dir, const std::string& name,
                                              std::vector<std::string> extra, const std::string& first,
                                              const std::string& last) {
        std::vector<std::string> args = {dnsmasq_binary(),
                                         "--no-daemon",
                                         "--conf-file=/dev/null",
                                         "--no-resolv",
                                         "--no-hosts",
                                         "--port=0",
                                         std::string("--interface=") + kServerLink,
                                         "--bind-interfaces",
                                         "--dhcp-range=" + first + "," + last + ",64,2m",
                                         "--dhcp-leasefile=" + (dir / (name + ".leases")).string(),
                                         "--log-dhcp",
                                         "--log-facility=" + (dir / (name + ".log")).string(),
                                         "--pid-file=",
                                         "--dhcp-option=option6:dns-server,[fd00:77::53]",
                                         "--dhcp-option=option6:domain-search,example.test,corp.example.test"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

class Dhcp6Dnsmasq : public ::testing::Test {
protected:
    void SetUp() override {
        NODENET_DNSMASQ_OR_SKIP();
        link_.emplace();
        // Test namespaces make no link-local addresses (tests/netlink/netns.h); DHCPv6 speaks from
        // and to them, as every IPv6 host has them.
        for (auto [ns, link] : {std::pair{&client_ns(), kClientLink}, std::pair{&server_ns(), kServerLink}}) {
            ns->must(std::string("link set ") + link + " addrgenmode eui64");
            ns->must(std::string("link set ") + link + " down");
            ns->must(std::string("link set ") + link + " up");
        }
        // After the flap: a link going down drops its IPv6 addresses.
        server_ns().must(std::string("addr add ") + kServer6 + "/64 dev " + kServerLink + " nodad");
    }

    const TestNetns& client_ns() const { return link_->client; }
    const TestNetns& server_ns() const { return link_->server; }
    std::filesystem::path lease_path() const {
        return dir_.path() / "state" / (std::string("dhcp6-") + kClientLink + ".json");
    }

    netlink_test::CommandResult dhcp6(std::vector<std::string> args) const {
        std::vector<std::string> argv = {NODENET_BINARY, "dhcp", "-6", kClientLink, "--state-dir",
                                         (dir_.path() / "state").string()};
        argv.insert(argv.end(), args.begin(), args.end());
        return client_ns().run(argv, 60s);
    }

    // The global IPv6 addresses of the client link as `ip -j` shows them.
    std::vector<nlohmann::json> global_addresses() const {
        std::vector<nlohmann::json> out;
        for (const auto& l : client_ns().ip_json(std::string("-6 addr show dev ") + kClientLink))
            for (const auto& a : l["addr_info"])
                if (a.value("scope", "") == "global") out.push_back(a);
        return out;
    }

    TempDir dir_;
    std::optional<DhcpLink> link_;
};

TEST_F(Dhcp6Dnsmasq, OnceObtainsALeaseWithItsDnsServersAndDomains) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq");
    auto r = dhcp6({"--once", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << server.log();
    auto j = nlohmann::json::parse(r.out);
    std::string address = j["address"];
    EXPECT_TRUE(address.starts_with("fd00:77::1")) << address;
    EXPECT_EQ(j["interface"], kClientLink);
    EXPECT_EQ(j["dns"], nlohmann::json::array({"fd00:77::53"}));
    EXPECT_EQ(j["search"], nlohmann::json::array({"example.test", "corp.example.test"}));
    EXPECT_EQ(j["valid_seconds"], 120);
    EXPECT_EQ(j["t1_seconds"], 60);
    EXPECT_EQ(j["t2_seconds"], 105);
    // The four-message exchange, our DUID-LL (from the link's MAC) as the client id.
    std::string duid = "00:03:00:01:" + std::string(kClientMac);
    EXPECT_EQ(server.count("DHCPSOLICIT(veth-s) " + duid), 1) << server.log();
    EXPECT_EQ(server.count("DHCPADVERTISE(veth-s) " + address), 1) << server.log();
    EXPECT_EQ(server.count("DHCPREQUEST(veth-s) " + duid), 1) << server.log();
    EXPECT_EQ(server.count("DHCPREPLY(veth-s) " + address), 1) << server.log();
    EXPECT_NE(server.log().find("requested options: 23:dns-server, 24:domain-search"), std::string::npos);
    // --once without --apply configures nothing, and remembers the lease.
    EXPECT_TRUE(global_addresses().empty());
    auto saved = nlohmann::json::parse(read_text(lease_path()));
    EXPECT_EQ(saved["address"], address);
}

TEST_F(Dhcp6Dnsmasq, RapidCommitIsTwoMessages) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq", {"--dhcp-rapid-commit"});
    auto r = dhcp6({"--once", "--rapid-commit"});
    ASSERT_EQ(r.exit_code, 0) << r.err << server.log();
    EXPECT_EQ(server.count("DHCPSOLICIT(veth-s)"), 1) << server.log();
    EXPECT_EQ(server.count("DHCPREPLY(veth-s)"), 1) << server.log();
    EXPECT_EQ(server.count("DHCPADVERTISE"), 0) << server.log();
    EXPECT_EQ(server.count("DHCPREQUEST"), 0) << server.log();
    EXPECT_NE(r.out.find("address:   fd00:77::1"), std::string::npos) << r.out;
}

TEST_F(Dhcp6Dnsmasq, ApplyConfiguresTheAddressWithTheLeasesLifetimesAndReleaseRemovesIt) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq");
    Client client(client_ns(), dir_.path(), "client", {"-6", "--apply", "--release"});
    ASSERT_TRUE(client.wait_for("bound to fd00:77::", 15s)) << client.log() << server.log();
    std::vector<nlohmann::json> addresses;
    ASSERT_TRUE(eventually([&] { return !(addresses = global_addresses()).empty(); }, 5s)) << client.log();
    ASSERT_EQ(addresses.size(), 1u);
    const auto& a = addresses[0];
    EXPECT_TRUE(a["local"].get<std::string>().starts_with("fd00:77::1"));
    EXPECT_EQ(a["prefixlen"], 128);
    EXPECT_TRUE(a.value("dynamic", false)) << a;  // it has lifetimes: it cannot outlive the lease
    EXPECT_LE(a["valid_life_time"].get<int64_t>(), 120);
    EXPECT_GE(a["valid_life_time"].get<int64_t>(), 100);
    std::string address = a["local"];
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
    EXPECT_TRUE(server.wait_for("DHCPRELEASE(veth-s)", 1, 5s)) << server.log();
    EXPECT_TRUE(global_addresses().empty()) << client.log();
    EXPECT_FALSE(std::filesystem::exists(lease_path()));
}

TEST_F(Dhcp6Dnsmasq, RestartConfirmsTheRememberedAddressWithARebind) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq");
    auto first = dhcp6({"--once", "-o", "json"});
    ASSERT_EQ(first.exit_code, 0) << first.err;
    std::string address = nlohmann::json::parse(first.out)["address"];
    auto second = dhcp6({"--once", "-o", "json"});
    ASSERT_EQ(second.exit_code, 0) << second.err;
    EXPECT_EQ(nlohmann::json::parse(second.out)["address"], address);
    EXPECT_NE(second.err.find("checking that " + address + " is still ours (REBIND)"), std::string::npos)
        << second.err;
    EXPECT_EQ(server.count("DHCPREBIND(veth-s)"), 1) << server.log();
    EXPECT_EQ(server.count("DHCPSOLICIT"), 1) << server.log();  // only the first run's
}

TEST_F(Dhcp6Dnsmasq, RememberedAddressTheServerRefusesIsRemovedFromTheKernel) {
    std::string address;
    {
        Dnsmasq6 server(server_ns(), dir_.path(), "first");
        auto r = dhcp6({"--once", "--apply", "-o", "json"});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        address = nlohmann::json::parse(r.out)["address"];
        ASSERT_EQ(global_addresses().size(), 1u);
        server.kill();
    }
    // The network changed: another prefix, and a server that never heard of this client.
    server_ns().must(std::string("addr add fd00:88::1/64 dev ") + kServerLink + " nodad");
    Dnsmasq6 server(server_ns(), dir_.path(), "second", {}, "fd00:88::100", "fd00:88::1ff");
    auto r = dhcp6({"--once", "--apply", "-o", "json"});
    ASSERT_EQ(r.exit_code, 0) << r.err << server.log();
    std::string now = nlohmann::json::parse(r.out)["address"];
    EXPECT_TRUE(now.starts_with("fd00:88::")) << now;
    EXPECT_NE(r.err.find("removing " + address), std::string::npos) << r.err;
    auto addresses = global_addresses();
    ASSERT_EQ(addresses.size(), 1u) << r.err;
    EXPECT_EQ(addresses[0]["local"], now);
}

TEST_F(Dhcp6Dnsmasq, ApplyOfAConfigWithDhcpv6ConfiguresTheLeaseAndKeepsItOnReapply) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq");
    std::string config = (dir_.path() / "config.yaml").string();
    // Legacy DHCPv6 only (ipv4: false), and a static address beside it.
    std::ofstream(config) << "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n"
                          << "      - interface: " << kClientLink << "\n        addresses: [fd00:99::5/64]\n"
                          << "        dhcp: true\n        dhcpOptions:\n          ipv4: false\n          ipv6: true\n"
                          << "          routeMetric: 300\n";
    auto apply = [&] {
        return client_ns().run(
            {NODENET_BINARY, "apply", "-c", config, "--state-dir", (dir_.path() / "state").string()}, 60s);
    };
    auto r = apply();
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << server.log();
    EXPECT_NE(r.out.find("Applied with 1 DHCP lease(s)"), std::string::npos) << r.out;
    std::map<std::string, nlohmann::json> by_address;
    for (const auto& a : global_addresses()) by_address[a["local"]] = a;
    ASSERT_EQ(by_address.size(), 2u) << r.out << r.err;
    ASSERT_TRUE(by_address.count("fd00:99::5"));
    EXPECT_EQ(by_address["fd00:99::5"]["valid_life_time"], 4294967295u);  // static: forever
    auto leased = std::find_if(by_address.begin(), by_address.end(),
                               [](const auto& kv) { return kv.first.starts_with("fd00:77::"); });
    ASSERT_NE(leased, by_address.end());
    EXPECT_EQ(leased->second["prefixlen"], 128);
    EXPECT_EQ(leased->second["metric"], 300);
    EXPECT_LE(leased->second["valid_life_time"].get<int64_t>(), 120);
    EXPECT_EQ(nlohmann::json::parse(read_text(lease_path()))["address"], leased->first);

    // Again: the remembered lease is confirmed with a Rebind, and nothing else changes.
    auto again = apply();
    ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
    EXPECT_EQ(server.count("DHCPREBIND(veth-s)"), 1) << server.log();
    EXPECT_EQ(server.count("DHCPSOLICIT(veth-s)"), 1) << server.log();
    EXPECT_EQ(again.out.find("- address"), std::string::npos) << again.out;
    EXPECT_EQ(global_addresses().size(), 2u);
}

// dnsmasq's shortest lease is two minutes (T1 60 s, T2 105 s): these wait for real time to pass,
// in the *Slow suite that ctest gives a longer timeout.
class Dhcp6DnsmasqSlow : public Dhcp6Dnsmasq {};

TEST_F(Dhcp6DnsmasqSlow, LeaseIsRenewedAtT1WithTheServer) {
    Dnsmasq6 server(server_ns(), dir_.path(), "dnsmasq");
    Client client(client_ns(), dir_.path(), "client", {"-6", "--apply"});
    ASSERT_TRUE(client.wait_for("bound to fd00:77::", 15s)) << client.log();
    auto bound_at = SteadyClock::now();
    ASSERT_TRUE(server.wait_for("DHCPRENEW(veth-s)", 1, 75s)) << client.log() << server.log();
    EXPECT_GE(seconds_between(bound_at, SteadyClock::now()), 55.0);
    ASSERT_TRUE(client.wait_for("renewed fd00:77::", 5s)) << client.log();
    auto addresses = global_addresses();
    ASSERT_EQ(addresses.size(), 1u);
    EXPECT_GE(addresses[0]["valid_life_time"].get<int64_t>(), 110);  // the new lease's lifetime
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
}

TEST_F(Dhcp6DnsmasqSlow, WithoutTheServerTheLeaseRebindsAtT2AndExpires) {
    std::optional<Dnsmasq6> server;
    server.emplace(server_ns(), dir_.path(), "dnsmasq");
    Client client(client_ns(), dir_.path(), "client", {"-6", "--apply"});
    ASSERT_TRUE(client.wait_for("bound to fd00:77::", 15s)) << client.log();
    auto bound_at = SteadyClock::now();
    server->kill();
    server.reset();
    ASSERT_TRUE(client.wait_for("T1 reached: renewing", 75s)) << client.log();
    ASSERT_TRUE(client.wait_for("T2 reached: rebinding", 60s)) << client.log();
    EXPECT_GE(seconds_between(bound_at, SteadyClock::now()), 100.0);
    EXPECT_EQ(global_addresses().size(), 1u);  // still valid while rebinding
    ASSERT_TRUE(client.wait_for("expired; starting over with SOLICIT", 30s)) << client.log();
    EXPECT_GE(seconds_between(bound_at, SteadyClock::now()), 115.0);
    EXPECT_TRUE(eventually([&] { return global_addresses().empty(); }, 5s)) << client.log();
    EXPECT_FALSE(std::filesystem::exists(lease_path()));
    EXPECT_EQ(client.stop(SIGTERM), 0) << client.log();
}

}  // namespace
}  // namespace nodenet::dhcp_test
