// A discovery server machine for tests of whole clusters (discovery, KubeSpan): a network, UTS
// and mount namespace with a bridge br0 (10.77.0.1/24) that node machines plug their eth0 into,
// and `nodenet discovery-server` listening on 10.77.0.1:3000.
#pragma once

#include <stdexcept>

#include "tests/daemon/daemon_fixture.h"

namespace nodenet::daemon_test {

inline constexpr const char* kServer = "10.77.0.1";

// The server machine: br0 with 10.77.0.1/24, and `nodenet discovery-server` on it.
class ServerMachine {
public:
    explicit ServerMachine(const TempDir& dir) : dir_(dir.path()) {
        ns_.must("link add br0 type bridge");
        ns_.must(std::string("addr add ") + kServer + "/24 dev br0");
        ns_.must("link set br0 up");
        ns_.must("link set lo up");
    }
    const TestNetns& ns() const { return ns_; }
    std::filesystem::path snapshot() const { return dir_ / "state.binpb"; }
    void start() {
        std::filesystem::remove(dir_ / "server-ready");
        ++runs_;
        process_ = std::make_unique<Background>(
            ns_,
            std::vector<std::string>{NODENET_BINARY, "discovery-server", "--listen", std::string(kServer) + ":3000",
                                     "--snapshot", snapshot().string(), "--gc-interval", "1s", "--ready-file",
                                     (dir_ / "server-ready").string()},
            dir_ / ("server" + std::to_string(runs_) + ".out"), log_path());
        if (!eventually([&] { return std::filesystem::exists(dir_ / "server-ready"); }, 10s))
            throw std::runtime_error("discovery-server did not start: " + read_text(log_path()));
    }
    int stop(int signal = SIGTERM) {
        if (!process_) return 0;
        int rc = process_->stop(signal);
        process_.reset();
        return rc;
    }
    std::filesystem::path log_path() const { return dir_ / ("server" + std::to_string(runs_) + ".err"); }
    // A machine's eth0 plugged into br0.
    void plug(const TestNetns& machine, int i) const {
        std::string port = "port" + std::to_string(i);
        ns_.must("link add " + port + " type veth peer name eth0 netns " + machine.path());
        ns_.must("link set " + port + " master br0 up");
    }

private:
    TestNetns ns_;
    std::filesystem::path dir_;
    std::unique_ptr<Background> process_;
    int runs_ = 0;
};


inline nlohmann::json get_resources(const DaemonMachine& m, const std::string& kind) {
    auto r = m.nodenet({"get", kind, "-o", "json"});
    if (r.exit_code != 0) return nlohmann::json::array();
    return nlohmann::json::parse(r.out);
}

}  // namespace nodenet::daemon_test
