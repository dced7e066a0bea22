// `nodenet get leases`: the lease files of a state directory as a table, JSON and YAML; damaged
// files reported without hiding the others. Needs no root.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_lease.h"
#include "dhcp/dhcp6_lease.h"
#include "tests/cli/run_nodenet.h"

namespace nodenet::cli_test {
namespace {

using namespace std::chrono_literals;

// A lease of an hour from 192.0.2.1, obtained `age` ago.
std::string lease_json(std::chrono::seconds age, std::chrono::seconds length = 3600s) {
    dhcp::Lease lease;
    lease.address = *state::parse_ip_prefix("192.0.2.10/24");
    lease.server_id = dhcp::ipv4(192, 0, 2, 1);
    lease.routers = {dhcp::ipv4(192, 0, 2, 1)};
    lease.dns = {dhcp::ipv4(192, 0, 2, 53)};
    lease.lease_time = length;
    lease.t1 = length / 2;
    lease.t2 = length * 7 / 8;
    auto now = dhcp::Clock::now();
    lease.acquired_at = now - age;
    return dhcp::to_json(lease, now, std::chrono::system_clock::now());
}

TEST(DhcpGetLeases, TableJsonAndYaml) {
    TempDir dir;
    dir.write("dhcp4-eth0.json", lease_json(600s));
    dir.write("dhcp4-eth1.json", lease_json(7200s));  // expired an hour ago
    dir.write("in-sync.json", "{}");                  // not a lease file

    auto table = run_nodenet({"get", "leases", "--state-dir", dir.path().string()});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_EQ(table.out,
              "LINK  ADDRESS        SERVER     ROUTES                 DNS         EXPIRES\n"
              "eth0  192.0.2.10/24  192.0.2.1  default via 192.0.2.1  192.0.2.53  50m\n"
              "eth1  192.0.2.10/24  192.0.2.1  default via 192.0.2.1  192.0.2.53  expired\n");

    auto json = run_nodenet({"get", "leases", "-o", "json", "--state-dir", dir.path().string()});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    auto j = nlohmann::json::parse(json.out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["interface"], "eth0");
    EXPECT_EQ(j[0]["routes"], nlohmann::json::parse(R"([{"destination": "0.0.0.0/0", "gateway": "192.0.2.1"}])"));
    EXPECT_EQ(j[0]["lease_seconds"], 3600);
    EXPECT_EQ(j[0]["expires_in_seconds"], 3000);
    EXPECT_EQ(j[1]["expires_in_seconds"], 0);

    auto yaml = run_nodenet({"get", "leases", "-o", "yaml", "--state-dir", dir.path().string()});
    ASSERT_EQ(yaml.exit_code, 0) << yaml.err;
    EXPECT_NE(yaml.out.find("- interface: eth0\n  address: \"192.0.2.10/24\"\n"), std::string::npos) << yaml.out;
}

TEST(DhcpGetLeases, DhcpV6LeasesBesideTheV4Ones) {
    TempDir dir;
    dir.write("dhcp4-eth0.json", lease_json(600s));
    dhcp::v6::Lease v6;
    v6.address = *state::parse_ip_address("2001:db8::77");
    v6.server_id = {0, 1, 0xaa};
    v6.preferred = 1800s;
    v6.valid = 3600s;
    v6.t1 = 900s;
    v6.t2 = 1440s;
    v6.dns = {*state::parse_ip_address("2001:db8::53")};
    v6.domains = {"example.test"};
    auto now = dhcp::Clock::now();
    v6.acquired_at = now - 600s;
    dir.write("dhcp6-eth0.json", dhcp::v6::to_json(v6, now, std::chrono::system_clock::now()));

    auto table = run_nodenet({"get", "leases", "--state-dir", dir.path().string()});
    ASSERT_EQ(table.exit_code, 0) << table.err;
    EXPECT_EQ(table.out,
              "LINK  ADDRESS           SERVER     ROUTES                 DNS           EXPIRES\n"
              "eth0  192.0.2.10/24     192.0.2.1  default via 192.0.2.1  192.0.2.53    50m\n"
              "eth0  2001:db8::77/128  00:01:aa   -                      2001:db8::53  50m\n");
    auto json = run_nodenet({"get", "leases", "-o", "json", "--state-dir", dir.path().string()});
    ASSERT_EQ(json.exit_code, 0) << json.err;
    auto j = nlohmann::json::parse(json.out);
    ASSERT_EQ(j.size(), 2u);
    EXPECT_EQ(j[0]["family"], "ipv4");
    EXPECT_EQ(j[1]["family"], "ipv6");
    EXPECT_EQ(j[1]["address"], "2001:db8::77");
    EXPECT_EQ(j[1]["server"], "00:01:aa");
    EXPECT_EQ(j[1]["search"], nlohmann::json::array({"example.test"}));
    EXPECT_EQ(j[1]["valid_seconds"], 3600);
    EXPECT_EQ(j[1]["expires_in_seconds"], 3000);
}

TEST(DhcpGetLeases, RootPrefixesTheStateDir) {
    TempDir dir;
    std::filesystem::create_directories(dir.path() / "var/lib/nodenet");
    dir.write("var/lib/nodenet/dhcp4-eth0.json", lease_json(0s));
    auto r = run_nodenet({"get", "leases", "-o", "json", "--root", dir.path().string()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out).size(), 1u);
}

TEST(DhcpGetLeases, DamagedFileIsReportedAndTheOthersShown) {
    TempDir dir;
    dir.write("dhcp4-eth0.json", lease_json(0s));
    std::string damaged = dir.write("dhcp4-eth1.json", "{\"address\": ");
    auto r = run_nodenet({"get", "leases", "-o", "json", "--state-dir", dir.path().string()});
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_EQ(r.err, "nodenet: " + damaged + ": lease JSON: not valid JSON\n");
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j.size(), 1u);
    EXPECT_EQ(j[0]["interface"], "eth0");
}

TEST(DhcpGetLeases, NoStateDirIsNoLeases) {
    TempDir dir;
    auto r = run_nodenet({"get", "leases", "--state-dir", (dir.path() / "missing").string()});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, "LINK  ADDRESS  SERVER  ROUTES  DNS  EXPIRES\n");
}

}  // namespace
}  // namespace nodenet::cli_test
