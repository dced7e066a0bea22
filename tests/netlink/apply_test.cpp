// `nodenet plan` and `nodenet apply` against a real kernel, inside a namespace each test makes.
// `ip -j` is the independent reader of what the kernel holds.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "tests/netlink/netns.h"
#include "tests/wireguard/userspace_guard.h"
#include "tests/wireguard/wg_dump.h"
#include "wireguard/genl_client.h"
#include "wireguard/key.h"

namespace nodenet::netlink_test {
namespace {

namespace fs = std::filesystem;

class TempDir {
public:
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nodenet-apply-XXXXXX").string();
        if (!mkdtemp(tmpl.data())) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    fs::path write(const std::string& name, const std::string& text) const {
        std::ofstream(path_ / name) << text;
        return path_ / name;
    }
    const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Two veth pairs: eth0/eth1 are the machine's links, peer0/peer1 their far ends. The far ends stay
// down, so that no carrier makes the kernel configure IPv6 on them behind the tests' backs.
class Apply : public testing::Test {
protected:
    void SetUp() override {
        ns.must("link add eth0 type veth peer name peer0");
        ns.must("link add eth1 type veth peer name peer1");
    }

    CommandResult nodenet(const std::string& verb, const fs::path& config, const std::string& extra = "") const {
        std::vector<std::string> argv = {NODENET_BINARY, verb, "-c", config.string(), "--state-dir",
                                         (dir.path() / "state").string()};
        if (!extra.empty()) argv.push_back(extra);
        return ns.run(argv);
    }

    fs::path config(const std::string& network) const {
        return dir.write("config-" + std::to_string(++configs) + ".yaml",
                         "version: v1alpha1\nmachine:\n  type: controlplane\n  network:\n" + network);
    }

    // Everything `ip` shows, for before/after comparisons. Except the queueing discipline: the
    // kernel attaches the default one when a link first comes up and keeps it when the link goes
    // down again; nodenet does not manage qdiscs.
    nlohmann::json kernel() const {
        nlohmann::json links = ns.ip_json("link show"), addresses = ns.ip_json("addr show");
        for (auto* list : {&links, &addresses})
            for (auto& l : *list) l.erase("qdisc");
        return {{"links", links}, {"addresses", addresses}, {"routes", ns.ip_json("route show table all")}};
    }

    nlohmann::json route_to(const std::string& dst) const {
        for (const auto& r : ns.ip_json("route show table main"))
            if (r.value("dst", "") == dst) return r;
        return nullptr;
    }

    bool has_address(const std::string& dev, const std::string& local, int len) const {
        for (const auto& l : ns.ip_json("addr show dev " + dev))
            for (const auto& a : l["addr_info"])
                if (a["local"] == local && a["prefixlen"] == len) return true;
        return false;
    }

    TestNetns ns;
    TempDir dir;
    mutable int configs = 0;
};

constexpr const char* kBase = R"(    interfaces:
      - interface: eth0
        mtu: 1400
        addresses: [10.0.0.5/24, fd00::5/64]
        routes:
          - network: 10.9.0.0/16
            gateway: 10.0.0.1
            metric: 100
          - network: 0.0.0.0/0
            gateway: 10.0.0.1
      - interface: eth1
        addresses: [192.168.7.2/24]
)";

TEST_F(Apply, AppliesAndIpReadsBackEveryField) {
    auto r = nodenet("apply", config(kBase));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto eth0 = ns.ip_json("link show dev eth0")[0];
    EXPECT_EQ(eth0["mtu"], 1400);
    EXPECT_NE(std::string(eth0["flags"].dump()).find("\"UP\""), std::string::npos);
    EXPECT_TRUE(has_address("eth0", "10.0.0.5", 24));
    EXPECT_TRUE(has_address("eth0", "fd00::5", 64));
    EXPECT_TRUE(has_address("eth1", "192.168.7.2", 24));
    auto route = route_to("10.9.0.0/16");
    ASSERT_FALSE(route.is_null());
    EXPECT_EQ(route["gateway"], "10.0.0.1");
    EXPECT_EQ(route["dev"], "eth0");
    EXPECT_EQ(route["metric"], 100);
    EXPECT_EQ(route["protocol"], "110");
    auto def = route_to("default");
    ASSERT_FALSE(def.is_null());
    EXPECT_EQ(def["metric"], 1024);
}

TEST_F(Apply, ReapplyIsANoOpAndPlanIsInSync) {
    fs::path cfg = config(kBase);
    ASSERT_EQ(nodenet("apply", cfg).exit_code, 0);
    auto again = nodenet("apply", cfg);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("No changes"), std::string::npos) << again.out;
    auto plan = nodenet("plan", cfg);
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
}

// A re-apply of the config last found in sync is answered from the in-sync record (no parse), and
// still sees every change of the kernel's managed state: drift is corrected, a foreign object is
// noticed, a changed config is planned in full.
TEST_F(Apply, InSyncRecordSkipsTheParseButNeverHidesAChange) {
    fs::path cfg = config(kBase);
    auto timed = [&](const std::string& verb, const fs::path& c) {
        return ns.run({"/usr/bin/env", "NODENET_TIMINGS=1", NODENET_BINARY, verb, "-c", c.string(), "--state-dir",
                       (dir.path() / "state").string()});
    };
    auto by_record = [](const CommandResult& r) { return r.err.find("in sync (record)") != std::string::npos; };
    ASSERT_EQ(nodenet("apply", cfg).exit_code, 0);
    auto again = timed("apply", cfg);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_TRUE(by_record(again)) << again.err;
    EXPECT_NE(again.out.find("No changes"), std::string::npos) << again.out;
    auto plan = timed("plan", cfg);
    EXPECT_EQ(plan.exit_code, 0) << plan.out << plan.err;
    EXPECT_TRUE(by_record(plan)) << plan.err;

    // Drift: a route nodenet added is deleted behind its back.
    ns.must("route del 10.9.0.0/16");
    auto fixed = timed("apply", cfg);
    EXPECT_EQ(fixed.exit_code, 0) << fixed.err;
    EXPECT_FALSE(by_record(fixed)) << fixed.err;
    EXPECT_NE(fixed.out.find("+ route 10.9.0.0/16 via 10.0.0.1 metric 100"), std::string::npos) << fixed.out;
    EXPECT_FALSE(route_to("10.9.0.0/16").is_null());
    EXPECT_TRUE(by_record(timed("apply", cfg)));

    // A foreign route on a managed link changes nothing to do, but the record no longer vouches.
    ns.must("route add 10.66.0.0/16 via 10.0.0.1 proto static");
    auto foreign = timed("apply", cfg);
    EXPECT_EQ(foreign.exit_code, 0) << foreign.err;
    EXPECT_FALSE(by_record(foreign)) << foreign.err;
    EXPECT_TRUE(by_record(timed("apply", cfg)));

    // The same network with other bytes (a comment) is another config: planned in full.
    fs::path commented = dir.write("commented.yaml", "# a comment\nversion: v1alpha1\nmachine:\n  type: controlplane\n"
                                                     "  network:\n" + std::string(kBase));
    auto other = timed("apply", commented);
    EXPECT_EQ(other.exit_code, 0) << other.err;
    EXPECT_FALSE(by_record(other)) << other.err;

    // A damaged record is no record.
    std::ofstream(dir.path() / "state" / "in-sync.json") << "{ not json";
    auto damaged = timed("apply", cfg);
    EXPECT_EQ(damaged.exit_code, 0) << damaged.err;
    EXPECT_FALSE(by_record(damaged)) << damaged.err;
    EXPECT_NE(damaged.out.find("No changes"), std::string::npos) << damaged.out;
    EXPECT_TRUE(by_record(timed("apply", cfg)));
}

// As on a kernel before 5.18, which drops IFA_PROTO: an address nodenet added reads back with no
// protocol, and only the state directory's record says it is nodenet's.
TEST_F(Apply, RecordedAddressesWithoutProtocolAreOwnedAndOthersAreNot) {
    ns.must("addr add 10.0.0.7/24 dev eth0");  // "added by nodenet" on an old kernel
    // An administrator's, in another subnet: a secondary of 10.0.0.7/24 would go with it (the
    // kernel flushes secondaries with their primary unless promote_secondaries is set).
    ns.must("addr add 10.1.0.8/24 dev eth0");
    fs::create_directories(dir.path() / "state");
    std::ofstream(dir.path() / "state" / "links.json")
        << R"({"created_links": [], "recorded_addresses": [{"link": "eth0", "address": "10.0.0.7/24"}]})";
    auto r = nodenet("apply", config("    interfaces:\n      - interface: eth0\n        addresses: [10.0.0.5/24]\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("- address 10.0.0.7/24"), std::string::npos) << r.out;
    EXPECT_FALSE(has_address("eth0", "10.0.0.7", 24));
    EXPECT_TRUE(has_address("eth0", "10.1.0.8", 24));
    EXPECT_TRUE(has_address("eth0", "10.0.0.5", 24));
    // This kernel keeps IFA_PROTO, so nothing is left to record.
    std::ifstream in(dir.path() / "state" / "links.json");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text.find("recorded_addresses"), std::string::npos) << text;
}

TEST_F(Apply, ChangingMtuOneAddressAndOneMetricRunsExactlyThose) {
    ASSERT_EQ(nodenet("apply", config(kBase)).exit_code, 0);
    std::string changed = kBase;
    changed.replace(changed.find("mtu: 1400"), 9, "mtu: 1300");
    changed.replace(changed.find("10.0.0.5/24"), 11, "10.0.0.6/24");
    changed.replace(changed.find("metric: 100"), 11, "metric: 200");
    fs::path cfg = config(changed);
    auto json_plan = ns.run({NODENET_BINARY, "plan", "-c", cfg.string(), "--state-dir",
                             (dir.path() / "state").string(), "-o", "json"});
    ASSERT_EQ(json_plan.exit_code, 2) << json_plan.out << json_plan.err;
    std::vector<std::string> changes;
    nlohmann::json parsed = nlohmann::json::parse(json_plan.out);
    for (const auto& op : parsed["operations"]) changes.push_back(op["change"]);
    EXPECT_EQ(changes, (std::vector<std::string>{
                           "- route 10.9.0.0/16 via 10.0.0.1 metric 100",
                           "- address 10.0.0.5/24",
                           "~ mtu 1400 -> 1300",
                           "+ address 10.0.0.6/24",
                           "+ route 10.9.0.0/16 via 10.0.0.1 metric 200",
                       }));
    ASSERT_EQ(nodenet("apply", cfg).exit_code, 0);
    EXPECT_FALSE(has_address("eth0", "10.0.0.5", 24));
    EXPECT_TRUE(has_address("eth0", "10.0.0.6", 24));
    EXPECT_EQ(route_to("10.9.0.0/16")["metric"], 200);
}

TEST_F(Apply, ForeignAddressesAndRoutesSurviveApplyAndRemoval) {
    ns.must("link set eth0 up");
    ns.must("addr add 10.0.0.99/24 dev eth0");
    ns.must("route add 10.50.0.0/16 via 10.0.0.1 proto static");
    ASSERT_EQ(nodenet("apply", config(kBase)).exit_code, 0);
    // The config drops everything of eth0: nodenet removes what it added, nothing else.
    auto r = nodenet("apply", config("    interfaces:\n      - interface: eth1\n        addresses: [192.168.7.2/24]\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(has_address("eth0", "10.0.0.99", 24));
    EXPECT_FALSE(has_address("eth0", "10.0.0.5", 24));
    EXPECT_FALSE(route_to("10.50.0.0/16").is_null());
    EXPECT_TRUE(route_to("10.9.0.0/16").is_null());
}

TEST_F(Apply, AFailureMidwayLeavesTheKernelExactlyAsBefore) {
    ns.must("addr add 172.16.0.1/24 dev eth1");
    nlohmann::json before = kernel();
    // Good operations first (MTU, addresses, a route), then a gateway no link can reach.
    std::string bad = std::string(kBase) + R"(        routes:
          - network: 10.77.0.0/16
            gateway: 203.0.113.1
)";
    auto r = nodenet("apply", config(bad));
    EXPECT_EQ(r.exit_code, 1) << r.out;
    EXPECT_NE(r.err.find("eth1: add route 10.77.0.0/16 via 203.0.113.1 metric 1024: "), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("rolled back"), std::string::npos) << r.err;
    EXPECT_EQ(kernel(), before);
}

TEST_F(Apply, CreatesABridgeWithAPortAndRemovesItWhenDropped) {
    auto r = nodenet("apply", config(R"(    interfaces:
      - interface: br0
        bridge:
          interfaces: [eth1]
          stp:
            enabled: false
        addresses: [192.168.50.1/24]
)"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto br0 = ns.ip_json("-d link show dev br0");
    ASSERT_EQ(br0.size(), 1u);
    EXPECT_EQ(br0[0]["linkinfo"]["info_kind"], "bridge");
    EXPECT_EQ(br0[0]["linkinfo"]["info_data"]["stp_state"], 0);
    EXPECT_EQ(ns.ip_json("link show dev eth1")[0]["master"], "br0");
    EXPECT_TRUE(has_address("br0", "192.168.50.1", 24));

    r = nodenet("apply", config("    interfaces:\n      - interface: eth0\n        mtu: 1500\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_FALSE(ns.ip("link show dev br0").exit_code == 0) << "br0 should be gone";
}

TEST_F(Apply, ObjectsInTheWayAreShownAndNothingIsChanged) {
    ns.must("link set eth0 up");
    ns.must("addr add 10.0.0.1/24 dev eth0");
    ns.must("route add default via 10.0.0.254 metric 1024 proto static");
    nlohmann::json before = kernel();
    auto r = nodenet("apply", config(kBase));
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("! eth0: route 0.0.0.0/0 metric 1024"), std::string::npos) << r.out;
    EXPECT_EQ(kernel(), before);
}

// Polls until `done` or the deadline; returns whether `done` came true.
template <class F>
bool eventually(F done, std::chrono::seconds within) {
    auto deadline = std::chrono::steady_clock::now() + within;
    while (std::chrono::steady_clock::now() < deadline) {
        if (done()) return true;
        usleep(100 * 1000);
    }
    return done();
}

TEST_F(Apply, UnconfirmedApplyIsRevertedAfterTheTimeout) {
    nlohmann::json before = kernel();
    auto r = nodenet("apply", config(kBase), "--confirm-timeout=1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("nodenet confirm"), std::string::npos);
    EXPECT_TRUE(has_address("eth0", "10.0.0.5", 24));
    EXPECT_TRUE(eventually([&] { return kernel() == before; }, std::chrono::seconds(10)))
        << "not reverted: " << kernel().dump();
}

TEST_F(Apply, ConfirmedApplyStays) {
    auto r = nodenet("apply", config(kBase), "--confirm-timeout=1");
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto c = ns.run({NODENET_BINARY, "confirm", "--state-dir", (dir.path() / "state").string()});
    ASSERT_EQ(c.exit_code, 0) << c.out << c.err;
    sleep(2);
    EXPECT_TRUE(has_address("eth0", "10.0.0.5", 24));
    auto again = ns.run({NODENET_BINARY, "confirm", "--state-dir", (dir.path() / "state").string()});
    EXPECT_EQ(again.exit_code, 1);
    EXPECT_NE(again.err.find("no apply is waiting"), std::string::npos);
}

TEST_F(Apply, RevertSurvivesTheApplySessionBeingKilled) {
    nlohmann::json before = kernel();
    // Like a lost SSH session: the whole session of the apply is hung up on and killed.
    std::string cmd = std::string(NODENET_BINARY) + " apply -c " + config(kBase).string() + " --state-dir " +
                      (dir.path() / "state").string() + " --confirm-timeout=1 >/dev/null; kill -HUP -- -$$; kill -KILL -- -$$";
    ns.run({"setsid", "-w", "bash", "-c", cmd});
    EXPECT_TRUE(has_address("eth0", "10.0.0.5", 24));
    EXPECT_TRUE(eventually([&] { return kernel() == before; }, std::chrono::seconds(10)))
        << "not reverted: " << kernel().dump();
}

// This kernel may lack a link kind (dummy, 8021q, bonding); the test then says so and skips.
#define REQUIRE_LINK_KIND(probe_args, kind)                                                          \
    do {                                                                                             \
        if (ns.ip(probe_args).exit_code != 0)                                                        \
            GTEST_SKIP() << "this kernel lacks the " kind " link kind; its netlink request is "       \
                            "checked in tests/netlink/message_builder_test.cpp";                     \
        ns.must("link del probe0");                                                                  \
    } while (0)

TEST_F(Apply, CreatesADummyLink) {
    REQUIRE_LINK_KIND("link add probe0 type dummy", "dummy");
    auto r = nodenet("apply", config("    interfaces:\n      - interface: dummy0\n        dummy: true\n"
                                     "        addresses: [10.1.1.1/32]\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(ns.ip_json("-d link show dev dummy0")[0]["linkinfo"]["info_kind"], "dummy");
    EXPECT_TRUE(has_address("dummy0", "10.1.1.1", 32));
}

TEST_F(Apply, CreatesAVlanOnItsParent) {
    REQUIRE_LINK_KIND("link add link eth0 name probe0 type vlan id 5", "vlan (8021q)");
    auto r = nodenet("apply", config("    interfaces:\n      - interface: eth0\n        vlans:\n"
                                     "          - vlanId: 42\n            addresses: [10.42.0.1/24]\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    auto vlan = ns.ip_json("-d link show dev eth0.42")[0];
    EXPECT_EQ(vlan["linkinfo"]["info_data"]["id"], 42);
    EXPECT_TRUE(has_address("eth0.42", "10.42.0.1", 24));
}

TEST_F(Apply, CreatesABondWithItsMembers) {
    REQUIRE_LINK_KIND("link add probe0 type bond", "bonding");
    auto r = nodenet("apply", config("    interfaces:\n      - interface: bond0\n        bond:\n"
                                     "          mode: active-backup\n          interfaces: [eth0, eth1]\n"));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(ns.ip_json("-d link show dev bond0")[0]["linkinfo"]["info_data"]["mode"], "active-backup");
    EXPECT_EQ(ns.ip_json("link show dev eth0")[0]["master"], "bond0");
}

// WireGuard where the kernel has none: nodenet starts wireguard-go for the link (as wg-quick does),
// configures keys and peers over its UAPI socket, and `wg show dump` reads them back.
TEST_F(Apply, WireguardLinkGetsItsKeysAndPeersAndAReapplyIsInSync) {
    SKIP_WITHOUT_WIREGUARD_GO();
    if (wireguard::kernel_has_wireguard()) GTEST_SKIP() << "this test covers kernels without WireGuard";
    std::string wg = wireguard::testing::unique_name('a');
    wireguard::testing::UserspaceDeviceGuard guard(ns, wg);
    wireguard::Key own;
    own.bytes.fill(0x11);
    wireguard::Key peer_a, peer_b;
    peer_a.bytes.fill(0x21);
    peer_b.bytes.fill(0x22);
    auto device = [&](const std::string& peers) {
        return "    interfaces:\n      - interface: " + wg + "\n        mtu: 1420\n        addresses: [10.66.0.1/24]\n"
               "        wireguard:\n          privateKey: " + wireguard::to_base64(own) +
               "\n          listenPort: 51871\n          peers:\n" + peers;
    };
    std::string a = "            - publicKey: " + wireguard::to_base64(peer_a) +
                    "\n              endpoint: 192.0.2.1:51820\n              persistentKeepaliveInterval: 25s\n"
                    "              allowedIPs: [10.66.1.0/24]\n";
    std::string b = "            - publicKey: " + wireguard::to_base64(peer_b) + "\n              allowedIPs: [10.66.2.7/24]\n";
    fs::path first = config(device(a));
    auto r = nodenet("apply", first);
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("~ wireguard private key set, listen port 51871, 1 peer"), std::string::npos) << r.out;
    auto dump = ns.run({"wg", "show", wg, "dump"});
    ASSERT_EQ(dump.exit_code, 0) << dump.err;
    auto lines = wireguard::testing::dump_lines(dump.out);
    ASSERT_EQ(lines.size(), 2u) << dump.out;
    EXPECT_EQ(lines[0][0], wireguard::to_base64(wireguard::clamped(own)));
    EXPECT_EQ(lines[0][2], "51871");
    EXPECT_EQ(lines[1][0], wireguard::to_base64(peer_a));
    EXPECT_EQ(lines[1][2], "192.0.2.1:51820");
    EXPECT_EQ(lines[1][3], "10.66.1.0/24");
    EXPECT_EQ(lines[1][7], "25");
    EXPECT_TRUE(has_address(wg, "10.66.0.1", 24));
    EXPECT_NE(ns.ip_json("link show dev " + wg)[0]["flags"].dump().find("\"UP\""), std::string::npos);

    auto again = nodenet("apply", first);
    EXPECT_EQ(again.exit_code, 0) << again.err;
    EXPECT_NE(again.out.find("No changes"), std::string::npos) << again.out;

    // A second peer (its allowed IP written with host bits, which the device masks): only that changes.
    fs::path second = config(device(a + b));
    auto plan = nodenet("plan", second);
    EXPECT_EQ(plan.exit_code, 2) << plan.out << plan.err;
    EXPECT_NE(plan.out.find("~ wireguard +peer " + wireguard::to_base64(peer_b)), std::string::npos) << plan.out;
    ASSERT_EQ(nodenet("apply", second).exit_code, 0);
    lines = wireguard::testing::dump_lines(ns.run({"wg", "show", wg, "dump"}).out);
    ASSERT_EQ(lines.size(), 3u);
    EXPECT_EQ(nodenet("plan", second).exit_code, 0);

    // Dropped from the config: the link nodenet created goes, and wireguard-go with it.
    auto gone = nodenet("apply", config("    interfaces:\n      - interface: eth0\n        mtu: 1500\n"));
    ASSERT_EQ(gone.exit_code, 0) << gone.out << gone.err;
    EXPECT_NE(ns.ip("link show dev " + wg).exit_code, 0);
    EXPECT_TRUE(wireguard::testing::wait_until([&] { return wireguard::testing::daemon_pids(wg).empty(); },
                                                   std::chrono::seconds(3)));
}

}  // namespace
}  // namespace nodenet::netlink_test
