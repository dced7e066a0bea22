// The userspace backend for real: wireguard-go started by start_userspace_device inside a throwaway
// network namespace, configured through its UAPI socket, and read back with `wg show dump` (a
// reader nodenet did not write) and with get(). Then how starting fails, with scripted programs.
#include <gtest/gtest.h>
#include <net/if.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/netlink/netns.h"
#include "tests/wireguard/userspace_guard.h"
#include "tests/wireguard/wg_dump.h"
#include "wireguard/backend.h"
#include "wireguard/userspace_daemon.h"

namespace nodenet::wireguard {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using netlink_test::TestNetns;
using testing::daemon_pids;
using testing::expect_dump_shows;
using testing::on_path;
using testing::private_key_of;
using testing::public_of;
using testing::socket_of;
using testing::start_in;
using testing::unique_name;
using testing::UserspaceDeviceGuard;
using testing::wait_until;
using testing::wg_dump;

DeviceConfig device_with_two_peers() {
    DeviceConfig d;
    d.private_key = private_key_of(0x11);
    d.listen_port = 51820;
    d.firewall_mark = 0x42;
    PeerConfig a;
    a.public_key = public_of(0x21);
    a.preshared_key = private_key_of(0x55);
    a.endpoint = "192.0.2.1:51820";
    a.persistent_keepalive_seconds = 25;
    a.allowed_ips = {*state::parse_ip_prefix("10.1.0.0/16"), *state::parse_ip_prefix("10.2.3.4/32")};
    PeerConfig b;
    b.public_key = public_of(0x22);
    b.endpoint = "[2001:db8::1]:4500";
    b.allowed_ips = {*state::parse_ip_prefix("fd00:1::/64")};
    d.peers = {a, b};
    return d;
}

TEST(WireguardUserspace, ConfiguresTwoPeersAndReadsThemBack) {
    NODENET_NETNS_OR_SKIP(ns);
    SKIP_WITHOUT_WIREGUARD_GO();
    std::string name = unique_name('a');
    UserspaceDeviceGuard guard(ns, name);
    ASSERT_EQ(start_in(ns, name), "");
    // The device is in the namespace, not here.
    EXPECT_EQ(ns.ip_json("link show " + name).size(), 1u);
    EXPECT_EQ(if_nametoindex(name.c_str()), 0u);

    Userspace backend;
    auto fresh = backend.read(name);
    ASSERT_TRUE(fresh.ok()) << fresh.error();
    EXPECT_FALSE(fresh->private_key);
    EXPECT_TRUE(fresh->peers.empty());

    DeviceConfig want = device_with_two_peers();
    Status s = backend.configure(name, want);
    ASSERT_TRUE(s.ok()) << s.error();
    expect_dump_shows(wg_dump(ns, name), want);
    auto back = backend.read(name);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, want);
    EXPECT_TRUE(device_matches(want, *back));

    // One peer changed in every field, one removed, one added; the device settings changed.
    DeviceConfig changed = want;
    changed.listen_port = 51821;
    changed.firewall_mark = 0;
    changed.peers[0].endpoint = "198.51.100.7:1234";
    changed.peers[0].preshared_key.reset();
    changed.peers[0].persistent_keepalive_seconds = 0;
    changed.peers[0].allowed_ips = {*state::parse_ip_prefix("10.9.0.0/16")};
    changed.peers[1].public_key = public_of(0x23);
    changed.peers[1].endpoint.clear();
    changed.peers[1].persistent_keepalive_seconds = 5;
    changed.peers[1].allowed_ips = {*state::parse_ip_prefix("192.168.50.0/24"), *state::parse_ip_prefix("fd00:2::/48")};
    s = backend.configure(name, changed);
    ASSERT_TRUE(s.ok()) << s.error();
    expect_dump_shows(wg_dump(ns, name), changed);
    back = backend.read(name);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, changed);

    // An empty config clears the key and every peer; the device then picks its own port.
    s = backend.configure(name, DeviceConfig{});
    ASSERT_TRUE(s.ok()) << s.error();
    auto lines = testing::dump_lines(wg_dump(ns, name));
    ASSERT_EQ(lines.size(), 1u);
    EXPECT_EQ(lines[0][0], "(none)");
    back = backend.read(name);
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_TRUE(device_matches(DeviceConfig{}, *back));
}

TEST(WireguardUserspace, BackendIsChosenByItsSocket) {
    NODENET_NETNS_OR_SKIP(ns);
    SKIP_WITHOUT_WIREGUARD_GO();
    std::string name = unique_name('b');
    UserspaceDeviceGuard guard(ns, name);
    EXPECT_EQ(backend_for(name)->name(), "kernel");
    ASSERT_EQ(start_in(ns, name), "");
    EXPECT_EQ(backend_for(name)->name(), "userspace");
    // A second daemon for the same name is refused before it touches anything.
    std::string again = start_in(ns, name);
    EXPECT_EQ(again, name + ": start wireguard-go: a daemon already answers on " + socket_of(name).native());
}

TEST(WireguardUserspace, DaemonExitsWhenTheLinkIsDeleted) {
    NODENET_NETNS_OR_SKIP(ns);
    SKIP_WITHOUT_WIREGUARD_GO();
    std::string name = unique_name('c');
    UserspaceDeviceGuard guard(ns, name);
    ASSERT_EQ(start_in(ns, name), "");
    ASSERT_EQ(daemon_pids(name).size(), 1u);
    ns.must("link del " + name);
    EXPECT_TRUE(wait_until([&] { return daemon_pids(name).empty() && !fs::exists(socket_of(name)); }, 5s));
}

TEST(WireguardUserspace, ReportsWireguardGosOwnError) {
    NODENET_NETNS_OR_SKIP(ns);
    SKIP_WITHOUT_WIREGUARD_GO();
    std::string name = unique_name('d');
    UserspaceDeviceGuard guard(ns, name);
    ns.must("link add " + name + " type veth peer name " + name + "p");  // the name is taken
    std::string error = start_in(ns, name);
    EXPECT_TRUE(error.starts_with(name + ": start wireguard-go: exited with status 1: ERROR: (" + name + ")")) << error;
    EXPECT_NE(error.find("Failed to create TUN device"), std::string::npos) << error;
    EXPECT_EQ(error.find("│"), std::string::npos) << "the banner is left out: " << error;
    EXPECT_FALSE(fs::exists(socket_of(name)));
}

// ---- failures of the program itself, with scripts standing in for wireguard-go (no root) ----

struct Script {
    fs::path dir, path;
    explicit Script(const std::string& body) {
        std::string tmpl = (fs::temp_directory_path() / "nodenet-wg-XXXXXX").string();
        dir = mkdtemp(tmpl.data());
        path = dir / "fake-wireguard-go";
        std::ofstream(path) << "#!/bin/sh\n" << body << "\n";
        chmod(path.c_str(), 0755);
    }
    ~Script() { fs::remove_all(dir); }
};

TEST(WireguardUserspaceStart, ProgramFailures) {
    Script failing("echo 'cannot open /dev/net/tun: boom' >&2\nexit 3");
    EXPECT_EQ(start_userspace_device("nnwgx", failing.dir, 2s, failing.path).error(),
              "nnwgx: start " + failing.path.native() + ": exited with status 3: cannot open /dev/net/tun: boom");

    Script silent("exit 0");  // exits as if it had started, but no socket ever answers
    auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(start_userspace_device("nnwgx", silent.dir, 300ms, silent.path).error(),
              "nnwgx: start " + silent.path.native() + ": no answer on " + (silent.dir / "nnwgx.sock").native() +
                  " within 300 ms (wireguard-go always uses /var/run/wireguard): nnwgx: uapi get: connect " +
                  (silent.dir / "nnwgx.sock").native() + ": No such file or directory");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    Script hanging("exec sleep 30");
    start = std::chrono::steady_clock::now();
    EXPECT_EQ(start_userspace_device("nnwgx", hanging.dir, 300ms, hanging.path).error(),
              "nnwgx: start " + hanging.path.native() + ": did not finish within 300 ms");
    EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);

    EXPECT_EQ(start_userspace_device("nnwgx", silent.dir, 300ms, "no-such-wireguard-go").error(),
              "nnwgx: start no-such-wireguard-go: run no-such-wireguard-go: No such file or directory");
    EXPECT_EQ(start_userspace_device("bad/name", silent.dir, 300ms).error(), "\"bad/name\" is not a valid interface name");
}

TEST(WireguardUserspaceStart, EnvironmentForTheDaemon) {
    // What the program sees: a session of its own, and none of the variables that would keep it in
    // the foreground or hand it our pipe.
    Script env("{ cut -d' ' -f6 /proc/$$/stat; env; } > \"$(dirname \"$0\")/seen\"\nexit 1");
    setenv("LOG_LEVEL", "debug", 1);
    setenv("WG_PROCESS_FOREGROUND", "1", 1);
    auto r = start_userspace_device("nnwgx", env.dir, 2s, env.path);
    unsetenv("LOG_LEVEL");
    unsetenv("WG_PROCESS_FOREGROUND");
    ASSERT_FALSE(r.ok());
    std::ifstream in(env.dir / "seen");
    std::string sid;
    in >> sid;
    std::string rest((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_NE(sid, std::to_string(getsid(0)));
    EXPECT_EQ(rest.find("LOG_LEVEL="), std::string::npos);
    EXPECT_EQ(rest.find("WG_PROCESS_FOREGROUND="), std::string::npos);
    EXPECT_NE(rest.find("WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD=1"), std::string::npos);
}

}  // namespace
}  // namespace nodenet::wireguard
