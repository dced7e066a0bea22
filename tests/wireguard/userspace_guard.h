// wireguard-go devices in tests: names unique to the test process, and a guard that removes the
// device and its daemon however the test ends. Header-only (tests/CMakeLists.txt compiles only
// *_test.cpp files).
#pragma once

#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/netlink/netns.h"
#include "wireguard/key.h"
#include "wireguard/uapi_client.h"
#include "wireguard/userspace_daemon.h"

namespace nodenet::wireguard::testing {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using netlink_test::TestNetns;

inline bool on_path(const std::string& program) { return system(("command -v " + program + " >/dev/null 2>&1").c_str()) == 0; }

// Unique to this test process and test: /var/run/wireguard is shared by every namespace, and
// wireguard-go refuses a socket name that is in use. At most 10 of the 15 characters.
inline std::string unique_name(char test) { return "nnwg" + std::to_string(getpid() % 100000) + test; }

inline fs::path socket_of(const std::string& name) { return kDefaultRunDir / (name + ".sock"); }

// The wireguard-go daemons serving `name` (their command line is exactly `wireguard-go <name>`,
// and the name is this process's own).
inline std::vector<pid_t> daemon_pids(const std::string& name) {
    std::vector<pid_t> pids;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/proc", ec)) {
        std::string pid = entry.path().filename();
        if (pid.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream in(entry.path() / "cmdline");
        std::string cmdline((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        if (cmdline == "wireguard-go" + std::string(1, '\0') + name + std::string(1, '\0')) pids.push_back(std::stoi(pid));
    }
    return pids;
}

template <class F>
inline bool wait_until(F done, std::chrono::milliseconds timeout) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!done()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// Starts the device inside `ns`; "" or the error.
inline std::string start_in(const TestNetns& ns, const std::string& name) {
    return ns.in_child([&] {
        Status s = start_userspace_device(name, kDefaultRunDir, 10s);
        return s.ok() ? std::string() : s.error();
    });
}

// Keys for tests: 32 times the same byte, and its X25519 public key.
inline Key private_key_of(uint8_t fill) {
    Key k;
    k.bytes.fill(fill);
    return k;
}
inline Key public_of(uint8_t fill) { return *public_key(private_key_of(fill)); }

// `wg show NAME dump` inside `ns`: the independent reader.
inline std::string wg_dump(const TestNetns& ns, const std::string& name) {
    auto r = ns.run({"wg", "show", name, "dump"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return r.out;
}

// Removes the device even when an assertion fails half-way: deleting the link makes wireguard-go
// exit and remove its socket; removing the socket makes it exit too; SIGKILL is the last resort.
class UserspaceDeviceGuard {
public:
    UserspaceDeviceGuard(const TestNetns& ns, std::string name) : ns_(ns), name_(std::move(name)) {}
    ~UserspaceDeviceGuard() {
        ns_.ip("link del " + name_);
        auto gone = [&] { return !fs::exists(socket_of(name_)) && daemon_pids(name_).empty(); };
        if (wait_until(gone, 3s)) return;
        std::error_code ec;
        fs::remove(socket_of(name_), ec);
        if (wait_until(gone, 2s)) return;
        for (pid_t pid : daemon_pids(name_)) kill(pid, SIGKILL);
    }

private:
    const TestNetns& ns_;
    std::string name_;
};

#define SKIP_WITHOUT_WIREGUARD_GO()                                                             \
    if (!::nodenet::wireguard::testing::on_path("wireguard-go") ||                              \
        !::nodenet::wireguard::testing::on_path("wg")) {                                        \
        GTEST_SKIP() << "wireguard-go and wg (packages wireguard-go, wireguard-tools) are needed"; \
    }                                                                                           \
    if (!std::filesystem::exists("/dev/net/tun")) {                                             \
        GTEST_SKIP() << "no /dev/net/tun";                                                      \
    }

}  // namespace nodenet::wireguard::testing
