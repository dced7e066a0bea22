// KubeSpan machines for tests: node machines (network, UTS and mount namespaces, each with its own
// /run/wireguard, as wireguard-go puts its UAPI socket there) running `nodenet daemon` with
// KubeSpan on, joined by the bridge of a discovery server machine; and the readers the tests check
// them with (`get` views, `ip -j rule`, nftables sets and counters). Shared by the KubeSpan tests.
#pragma once

#include <gtest/gtest.h>

#include <dirent.h>
#include <sys/mount.h>
#include <sys/stat.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "tests/discovery/server_machine.h"

namespace nodenet::daemon_test {

inline constexpr const char* kClusterId = "nodenet-kubespan-cluster-0123456789";
inline constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";

inline std::string node_config(int i, bool kubespan = true, const std::string& kubespan_extra = "",
                        const std::string& address = "", const std::string& gateway = "") {
    std::string c = "version: v1alpha1\nmachine:\n  type: " + std::string(i == 1 ? "controlplane" : "worker") +
                    "\n  network:\n    hostname: node-" + std::to_string(i) +
                    "\n    interfaces:\n      - interface: eth0\n        addresses: [" +
                    (address.empty() ? "10.77.0." + std::to_string(10 + i) + "/24" : address) + "]\n";
    if (!gateway.empty()) c += "        routes:\n          - network: 0.0.0.0/0\n            gateway: " + gateway + "\n";
    if (kubespan) c += "    kubespan:\n      enabled: true\n" + kubespan_extra;
    return c + "cluster:\n  id: " + kClusterId + "\n  secret: " + kSecret +
           "\n  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n"
           "      service:\n        endpoint: http://" + kServer + ":3000\n";
}

// Every process whose network namespace is `ns`: wireguard-go outlives the daemon that started it
// (the machine keeps its tunnel while nodenet restarts), so the test ends it.
inline void kill_processes_in(const TestNetns& ns) {
    struct stat want {};
    if (fstat(ns.fds().net, &want) != 0) return;
    DIR* proc = opendir("/proc");
    if (!proc) return;
    while (dirent* e = readdir(proc)) {
        pid_t pid = static_cast<pid_t>(std::atoi(e->d_name));
        if (pid <= 0 || pid == getpid()) continue;
        struct stat st {};
        std::string path = "/proc/" + std::string(e->d_name) + "/ns/net";
        if (stat(path.c_str(), &st) == 0 && st.st_ino == want.st_ino && st.st_dev == want.st_dev) kill(pid, SIGKILL);
    }
    closedir(proc);
}

struct Node {
    Node() {
        // wireguard-go always puts its socket in /var/run/wireguard: one of its own per machine,
        // or the three `kubespan` links would share one socket path.
        ns.in_child([] {
            mkdir("/run/wireguard", 0755);
            if (mount("tmpfs", "/run/wireguard", "tmpfs", 0, "size=1m,mode=0755") != 0)
                throw std::runtime_error("cannot mount a private /run/wireguard");
            return std::string();
        });
    }
    ~Node() {
        machine.stop(SIGKILL);
        kill_processes_in(ns);
    }
    TestNetns ns;
    TempDir dir;
    DaemonMachine machine{ns, dir, false};
};

inline nlohmann::json get(const DaemonMachine& m, const std::string& kind) { return get_resources(m, kind); }

// Peer label → state, as `get kubespanpeerstatuses` shows them.
inline std::map<std::string, std::string> peer_states(const DaemonMachine& m) {
    std::map<std::string, std::string> out;
    for (const auto& r : get(m, "kubespanpeerstatuses")) out[r["spec"]["label"]] = r["spec"]["state"];
    return out;
}

inline std::string kubespan_address(const DaemonMachine& m) {
    auto ids = get(m, "kubespanidentities");
    if (ids.empty()) return "";
    std::string a = ids[0]["spec"]["address"];
    return a.substr(0, a.find('/'));
}

// `fwmark 0x40/0x60 lookup 180` at priority 32500 among the rules `ip -j rule show` lists.
inline bool has_kubespan_rule(const nlohmann::json& rules) {
    for (const auto& r : rules)
        if (r.value("priority", 0) == 32500 && r.value("fwmark", "") == "0x40" && r.value("fwmask", "") == "0x60" &&
            r.value("table", "") == "180")
            return true;
    return false;
}

// Counters on the server's bridge: ICMP crossing it in clear, and WireGuard's UDP port 51820.
class BridgeCounters {
public:
    explicit BridgeCounters(const TestNetns& server) : ns_(server) {
        std::string rules =
            "table bridge nodenet_test {\n"
            "  counter clear_icmp {}\n  counter wireguard {}\n"
            "  chain forward { type filter hook forward priority 0; policy accept;\n"
            "    icmp type { echo-request, echo-reply } counter name clear_icmp\n"
            "    meta l4proto ipv6-icmp icmpv6 type { echo-request, echo-reply } counter name clear_icmp\n"
            "    udp dport 51820 counter name wireguard\n  }\n}\n";
        std::filesystem::path file = dir_.path() / "counters.nft";
        { std::ofstream(file) << rules; }
        auto add = ns_.run({"nft", "-f", file.string()});
        if (add.exit_code != 0) throw std::runtime_error("nft: " + add.err);
    }
    uint64_t packets(const std::string& counter) const {
        auto r = ns_.run({"nft", "-j", "list", "counter", "bridge", "nodenet_test", counter});
        if (r.exit_code != 0) throw std::runtime_error("nft list counter " + counter + ": " + r.err);
        nlohmann::json listing = nlohmann::json::parse(r.out);
        for (const auto& item : listing["nftables"])
            if (item.contains("counter")) return item["counter"]["packets"].get<uint64_t>();
        throw std::runtime_error("nft list counter " + counter + ": no counter in " + r.out);
    }
    // One more counter, of what `match` selects (nft words, e.g. "ip saddr 10.77.0.11 icmp type
    // echo-request"): counters per source node make an assertion name the node.
    void add(const std::string& counter, const std::string& match) {
        auto c = ns_.run({"nft", "add", "counter", "bridge", "nodenet_test", counter});
        if (c.exit_code != 0) throw std::runtime_error("nft add counter " + counter + ": " + c.err);
        auto r = ns_.run({"nft", "add rule bridge nodenet_test forward " + match + " counter name " + counter});
        if (r.exit_code != 0) throw std::runtime_error("nft add rule " + match + ": " + r.err);
    }

private:
    const TestNetns& ns_;
    TempDir dir_;
};

class KubeSpanMesh : public ::testing::Test {
protected:
    void SetUp() override {
        if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
        if (access("/usr/bin/wireguard-go", X_OK) != 0) GTEST_SKIP() << "wireguard-go is not installed";
        server_ = std::make_unique<ServerMachine>(server_dir_);
        server_->start();
    }
    void TearDown() override {
        nodes_.clear();
        if (server_) server_->stop(SIGKILL);
    }
    // `plug`: false for a node the test connects itself (behind a NAT).
    // A shorter tick and connection timeout make a dead endpoint rotate within seconds; the down
    // interval stays Talos's 275 s: WireGuard re-handshakes only every 2 minutes, keepalives do
    // not count, so a shorter one would declare working peers down.
    Node& add_node(int i, const std::string& config, bool plug = true, const std::function<void(Node&)>& wire = {},
                   const std::vector<std::string>& extra = {}) {
        nodes_.push_back(std::make_unique<Node>());
        Node& n = *nodes_.back();
        if (plug) server_->plug(n.ns, i);
        if (wire) wire(n);
        n.machine.write_config(config);
        std::vector<std::string> args{"--discovery-ttl", "5", "--discovery-refresh", "2", "--discovery-backoff", "0.2",
                                      "--kubespan-tick", "1", "--kubespan-connect-timeout", "3"};
        args.insert(args.end(), extra.begin(), extra.end());
        n.machine.start(args);
        EXPECT_TRUE(n.machine.wait_ready(20s)) << n.machine.log();
        return n;
    }
    std::string logs() const {
        std::string all = "server: " + read_text(server_->log_path());
        for (const auto& n : nodes_) all += "\nnode: " + n->machine.log();
        return all;
    }
    bool all_up(size_t peers) const {
        for (const auto& n : nodes_) {
            auto states = peer_states(n->machine);
            if (states.size() != peers) return false;
            for (const auto& [label, state] : states)
                if (state != "up") return false;
        }
        return true;
    }

    TempDir server_dir_;
    std::unique_ptr<ServerMachine> server_;
    std::vector<std::unique_ptr<Node>> nodes_;
};

// Endpoints of the peer labelled `label`, as `get kubespanpeerspecs` shows them.
inline std::vector<std::string> peer_endpoints(const DaemonMachine& m, const std::string& label) {
    std::vector<std::string> out;
    for (const auto& r : get(m, "kubespanpeerspecs"))
        if (r["spec"]["label"] == label)
            for (const auto& e : r["spec"]["endpoints"]) out.push_back(e);
    return out;
}

// The status of the peer labelled `label` (its `spec`), as `get kubespanpeerstatuses -o json` shows it.
inline nlohmann::json peer_status(const DaemonMachine& m, const std::string& label) {
    for (const auto& r : get(m, "kubespanpeerstatuses"))
        if (r["spec"]["label"] == label) return r["spec"];
    return nlohmann::json::object();
}

// A foreign nftables table `cut` in the node's namespace with these chains (nft words, e.g.
// "chain in { type filter hook input priority 0; udp dport 51820 drop; }"); `nft delete table
// inet cut` heals it.
inline void cut_tunnel(const TestNetns& ns, const std::vector<std::string>& chains) {
    std::string text = "table inet cut {";
    for (const std::string& c : chains) text += " " + c + ";";
    auto add = ns.run({"nft", text + " }"});
    if (add.exit_code != 0) throw std::runtime_error("nft " + text + " }: " + add.err);
}

// Whether `ip` is in the routed IPv4 set of the machine's nftables table.
inline bool routed(const TestNetns& ns, const std::string& ip) {
    auto set = ns.run({"nft", "-j", "list", "set", "inet", "nodenet", "kubespan_targets_ipv4"}).out;
    return set.find("\"" + ip + "\"") != std::string::npos;
}

}  // namespace nodenet::daemon_test
