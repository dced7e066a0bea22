// A test machine running `nodenet daemon`: a TestNetns with a veth pair (eth0 in the machine, its
// peer up in the same namespace so that eth0 has a carrier), the daemon started in the background
// with its state directory, runtime directory (control socket) and ready file in a temporary
// directory, and ways to ask it: status, events, other nodenet commands through its socket.
// The daemon is killed and the namespace removed however the test ends. Header-only because
// tests/CMakeLists.txt compiles only *_test.cpp files.
#pragma once

#include <signal.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tests/cli/run_nodenet.h"
#include "tests/dhcp/dnsmasq_fixture.h"
#include "tests/netlink/netns.h"

namespace nodenet::daemon_test {

using namespace std::chrono_literals;
using cli_test::TempDir;
using dhcp_test::Background;
using dhcp_test::eventually;
using dhcp_test::read_text;
using netlink_test::TestNetns;

// eth0 with 10.5.0.2/24, MTU 1400 and a route to 10.6.0.0/16: what most tests start from.
inline std::string static_config(const std::string& extra_interfaces = "", const std::string& route = "10.6.0.0/16") {
    return "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    interfaces:\n"
           "      - interface: eth0\n        mtu: 1400\n        addresses: [10.5.0.2/24]\n"
           "        routes:\n          - network: " + route + "\n            gateway: 10.5.0.1\n" + extra_interfaces;
}

class DaemonMachine {
public:
    // `with_eth0`: add the eth0 veth pair; false for a machine whose links the test makes.
    DaemonMachine(const TestNetns& ns, const TempDir& dir, bool with_eth0 = true) : ns_(ns), dir_(dir.path()) {
        if (!with_eth0) return;
        ns_.must("link add eth0 type veth peer name peer0");
        ns_.must("link set peer0 up");
    }
    ~DaemonMachine() { stop(SIGKILL); }

    std::string config_path() const { return (dir_ / "config.yaml").string(); }
    std::string runtime_dir() const { return (dir_ / "run").string(); }
    std::string state_dir() const { return (dir_ / "state").string(); }
    std::filesystem::path ready_file() const { return dir_ / "ready"; }
    void write_config(const std::string& text) const {
        std::filesystem::path tmp = dir_ / "config.yaml.new";
        { std::ofstream(tmp) << text; }
        std::filesystem::rename(tmp, config_path());
    }

    void start(std::vector<std::string> extra = {}) {
        std::filesystem::remove(ready_file());
        std::vector<std::string> argv{NODENET_BINARY, "daemon", "-c", config_path(), "--state-dir", state_dir(),
                                      "--runtime-dir", runtime_dir(), "--ready-file", ready_file().string(),
                                      "--resolver", "none"};
        argv.insert(argv.end(), extra.begin(), extra.end());
        ++runs_;
        process_ = std::make_unique<Background>(ns_, argv, dir_ / ("daemon" + std::to_string(runs_) + ".out"), log_path());
    }
    std::filesystem::path log_path() const { return dir_ / ("daemon" + std::to_string(runs_) + ".err"); }
    std::string log() const { return read_text(log_path()); }
    bool wait_ready(std::chrono::milliseconds timeout = 10s) const {
        return eventually([&] { return std::filesystem::exists(ready_file()); }, timeout);
    }
    bool wait_log(const std::string& needle, std::chrono::milliseconds timeout = 10s) const {
        return eventually([&] { return log().find(needle) != std::string::npos; }, timeout);
    }
    // The exit code (-1 when a signal ended it).
    int stop(int signal = SIGTERM) {
        if (!process_) return 0;
        int rc = process_->stop(signal);
        process_.reset();
        return rc;
    }
    pid_t pid() const { return process_ ? process_->pid() : -1; }
    void signal(int s) const { kill(pid(), s); }

    // `nodenet ARGS... --runtime-dir DIR` inside the machine.
    netlink_test::CommandResult nodenet(std::vector<std::string> args) const {
        std::vector<std::string> argv{NODENET_BINARY};
        argv.insert(argv.end(), args.begin(), args.end());
        argv.push_back("--runtime-dir");
        argv.push_back(runtime_dir());
        return ns_.run(argv, 30s);
    }
    nlohmann::json status() const {
        auto r = nodenet({"status", "-o", "json"});
        if (r.exit_code != 0) throw std::runtime_error("nodenet status: " + r.err);
        return nlohmann::json::parse(r.out);
    }
    std::string events() const { return nodenet({"events", "--tail", "1000", "--no-follow"}).out; }
    bool has_address(const std::string& link, const std::string& address) const {
        for (const auto& l : ns_.ip_json("addr show dev " + link))
            for (const auto& a : l["addr_info"])
                if (a["local"].get<std::string>() + "/" + std::to_string(a["prefixlen"].get<int>()) == address) return true;
        return false;
    }
    bool has_route(const std::string& dst) const {
        for (const auto& r : ns_.ip_json("route show"))
            if (r["dst"] == dst) return true;
        return false;
    }

private:
    const TestNetns& ns_;
    std::filesystem::path dir_;
    std::unique_ptr<Background> process_;
    int runs_ = 0;
};

}  // namespace nodenet::daemon_test
