// `nodenet daemon` for real: a test machine (network, UTS and mount namespaces), the kernel read
// back with `ip -j` and `ip monitor`, the daemon asked through its control socket.
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <fstream>

#include "tests/daemon/daemon_fixture.h"

namespace nodenet::daemon_test {
namespace {

#define DAEMON_MACHINE_OR_SKIP(m)                           \
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root"; \
    TestNetns ns_##m;                                       \
    TempDir dir_##m;                                        \
    DaemonMachine m(ns_##m, dir_##m)

TEST(Daemon, AppliesTheStaticStateThenDeclaresReadyAndStaysIdle) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    EXPECT_EQ(read_text(m.ready_file()), "configured: 2 link(s), 0 DHCP lease(s)\n");
    EXPECT_TRUE(m.has_address("eth0", "10.5.0.2/24"));
    EXPECT_TRUE(m.has_route("10.6.0.0/16"));
    auto link = ns_m.ip_json("link show dev eth0");
    EXPECT_EQ(link[0]["mtu"], 1400);
    // lo is brought up, as in Talos's default layer.
    auto lo = ns_m.ip_json("link show dev lo");
    EXPECT_NE(std::find(lo[0]["flags"].begin(), lo[0]["flags"].end(), "UP"), lo[0]["flags"].end());
    auto s = m.status();
    EXPECT_TRUE(s["ready"].get<bool>());
    EXPECT_TRUE(s["waiting_for"].empty());
    EXPECT_EQ(s["drift"]["seen"], 0);
    std::string events = m.events();
    EXPECT_NE(events.find("applied eth0: + address 10.5.0.2/24"), std::string::npos) << events;
    EXPECT_NE(events.find("ready configured"), std::string::npos) << events;
    // SIGTERM: exit 0, everything left in place.
    EXPECT_EQ(m.stop(SIGTERM), 0);
    EXPECT_TRUE(m.has_address("eth0", "10.5.0.2/24"));
    EXPECT_TRUE(m.has_route("10.6.0.0/16"));
}

// Under systemd (Type=notify) the daemon says READY=1 with a STATUS= line through sd_notify; libsystemd
// comes from the module nodenet-systemd.so, which only such a run loads. The test plays the
// service manager: a datagram socket named by NOTIFY_SOCKET.
TEST(Daemon, TellsTheServiceManagerWhenReadyThroughSdNotify) {
    DAEMON_MACHINE_OR_SKIP(m);
    std::string path = (dir_m.path() / "notify").string();
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    ASSERT_GE(fd, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, path.c_str(), sizeof(addr.sun_path) - 1);
    ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    m.write_config(static_config());
    setenv("NOTIFY_SOCKET", path.c_str(), 1);
    m.start();
    unsetenv("NOTIFY_SOCKET");
    std::string received;
    bool ready = eventually([&] {
        char buf[4096];
        ssize_t n;
        while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) received.append(buf, static_cast<size_t>(n)).push_back('|');
        return received.find("READY=1\nSTATUS=configured: 2 link(s), 0 DHCP lease(s)") != std::string::npos;
    }, 10s);
    EXPECT_TRUE(ready) << received << m.log();
    EXPECT_EQ(m.stop(SIGTERM), 0);
    char buf[4096];
    ssize_t n;
    while ((n = recv(fd, buf, sizeof(buf), 0)) > 0) received.append(buf, static_cast<size_t>(n)).push_back('|');
    EXPECT_NE(received.find("STOPPING=1"), std::string::npos) << received;
    close(fd);
}

TEST(Daemon, RestartAfterKillAdoptsTheKernelStateWithoutAWrite) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    m.stop(SIGKILL);
    // Every change the kernel makes from now on, seen by an independent reader.
    TempDir mon;
    Background monitor(ns_m, {"ip", "monitor", "link", "address", "route"}, mon.path() / "out", mon.path() / "err");
    // `ip monitor` is subscribed once it reports a change: make ones that nodenet does not care
    // about (a new pair each try, since one made before it subscribed is never reported) ...
    int tries = 0;
    auto out = [&] { return read_text(mon.path() / "out"); };
    ASSERT_TRUE(eventually([&] {
        std::string name = "probe" + std::to_string(tries++);
        ns_m.must("link add " + name + " type veth peer name " + name + "p");
        return out().find(name + "@") != std::string::npos;
    }, 5s));
    // ... then remove them all, and take the baseline once both ends of the last are reported gone.
    for (int i = 0; i < tries; ++i) ns_m.must("link del probe" + std::to_string(i));
    auto deleted = [&](const std::string& name) {
        std::istringstream in(out());
        for (std::string line; std::getline(in, line);)
            if (line.rfind("Deleted", 0) == 0 && line.find(name) != std::string::npos) return true;
        return false;
    };
    std::string last = "probe" + std::to_string(tries - 1);
    ASSERT_TRUE(eventually([&] { return deleted(last + "@") && deleted(last + "p@"); }, 5s)) << out();
    std::string before = read_text(mon.path() / "out");
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    (void)m.status();  // a round trip: the daemon has handled everything up to here
    EXPECT_EQ(read_text(mon.path() / "out"), before) << "the restarted daemon changed the kernel";
    EXPECT_EQ(m.log().find("applied"), std::string::npos) << m.log();
}

TEST(Daemon, RestoresADeletedAddressAndLeavesAForeignRouteAlone) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    // Foreign objects (the kernel flushes a link's routes with its last IPv4 address, so the
    // foreign route hangs on a foreign address of its own).
    ns_m.must("addr add 10.55.0.2/24 dev eth0");
    ns_m.must("route add 10.99.0.0/16 via 10.55.0.1 dev eth0");
    ns_m.must("addr del 10.5.0.2/24 dev eth0");
    ASSERT_TRUE(eventually([&] { return m.has_address("eth0", "10.5.0.2/24") && m.has_route("10.6.0.0/16"); }, 5s))
        << m.log();
    EXPECT_TRUE(m.has_route("10.99.0.0/16")) << "a foreign route was touched";
    ns_m.must("link set eth0 mtu 1500");
    ASSERT_TRUE(eventually([&] { return ns_m.ip_json("link show dev eth0")[0]["mtu"] == 1400; }, 5s)) << m.log();
    auto s = m.status();
    EXPECT_GE(s["drift"]["corrected"].get<int>(), 2);
    EXPECT_NE(s["drift"]["last"]["what"].get<std::string>().find("eth0"), std::string::npos);
    EXPECT_NE(m.events().find("drift eth0: + address 10.5.0.2/24"), std::string::npos) << m.events();
    EXPECT_TRUE(m.has_route("10.99.0.0/16"));
    EXPECT_TRUE(m.has_address("eth0", "10.55.0.2/24"));
}

TEST(Daemon, ReportModeCountsDriftWithoutCorrectingIt) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start({"--drift", "report"});
    ASSERT_TRUE(m.wait_ready()) << m.log();
    ns_m.must("addr del 10.5.0.2/24 dev eth0");
    ASSERT_TRUE(eventually([&] { return m.status()["drift"]["seen"].get<int>() >= 1; }, 5s)) << m.log();
    EXPECT_FALSE(m.has_address("eth0", "10.5.0.2/24"));
    EXPECT_EQ(m.status()["drift"]["corrected"], 0);
    EXPECT_NE(m.events().find("not corrected: --drift report"), std::string::npos);
}

TEST(Daemon, AFightWithAnotherManagerIsBackedOffAndReported) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start({"--drift-max-corrections", "3", "--drift-window", "60", "--drift-backoff", "60"});
    ASSERT_TRUE(m.wait_ready()) << m.log();
    // The other manager deletes the address each time nodenet puts it back.
    int restored = 0;
    for (int round = 0; round < 6; ++round) {
        ns_m.must("addr del 10.5.0.2/24 dev eth0");
        if (!eventually([&] { return m.has_address("eth0", "10.5.0.2/24"); }, 3s)) break;
        ++restored;
    }
    EXPECT_EQ(restored, 3);
    auto s = m.status();
    EXPECT_EQ(s["drift"]["conflicts"], 1);
    EXPECT_GT(s["drift"]["backing_off_for_s"].get<int>(), 0);
    EXPECT_NE(m.log().find("backing off for 60 s"), std::string::npos) << m.log();
    // Bounded: the daemon spent well under a second of CPU on the whole fight.
    std::ifstream stat("/proc/" + std::to_string(m.pid()) + "/stat");
    std::string field;
    std::vector<std::string> fields;
    while (stat >> field) fields.push_back(field);
    ASSERT_GT(fields.size(), 15u);
    long ticks = std::stol(fields[13]) + std::stol(fields[14]);
    EXPECT_LT(ticks, sysconf(_SC_CLK_TCK)) << "utime+stime ticks";
}

TEST(Daemon, SighupAndApplyThroughTheSocketApplyOnlyTheDifference) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    m.write_config(static_config("", "10.7.0.0/16"));
    m.signal(SIGHUP);
    ASSERT_TRUE(eventually([&] { return m.has_route("10.7.0.0/16") && !m.has_route("10.6.0.0/16"); }, 5s)) << m.log();
    // `nodenet apply` hands the config to the daemon and prints the plan it ran: the route only.
    TempDir other;
    std::string next = other.write("next.yaml", static_config("", "10.8.0.0/16"));
    auto r = m.nodenet({"apply", "-c", next});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("- route 10.7.0.0/16"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("+ route 10.8.0.0/16"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find("address"), std::string::npos) << r.out;
    EXPECT_TRUE(m.has_route("10.8.0.0/16"));
    // It became the daemon's config: a restart keeps it.
    EXPECT_NE(read_text(m.config_path()).find("10.8.0.0/16"), std::string::npos);
    // A broken config is refused with its diagnostics; nothing changes.
    std::string broken = other.write("broken.yaml", static_config() + "        bogus: [\n");
    auto b = m.nodenet({"apply", "-c", broken});
    EXPECT_EQ(b.exit_code, 1);
    EXPECT_NE(b.err.find("broken.yaml:"), std::string::npos) << b.err;
    EXPECT_NE(b.err.find("the config has errors"), std::string::npos) << b.err;
    EXPECT_TRUE(m.has_route("10.8.0.0/16"));
    EXPECT_NE(read_text(m.config_path()).find("10.8.0.0/16"), std::string::npos);
    // The same through SIGHUP: refused, logged, the running state kept.
    m.write_config("version: v1alpha1\nmachine: [\n");
    m.signal(SIGHUP);
    ASSERT_TRUE(m.wait_log("refused config: reload on SIGHUP refused")) << m.log();
    EXPECT_TRUE(m.has_route("10.8.0.0/16"));
    EXPECT_TRUE(m.status()["ready"].get<bool>());
}

TEST(Daemon, ANoOpApplyThroughTheDaemonChangesNothingAndWritesNothing) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    TempDir other;
    std::string same = other.write("same.yaml", static_config());
    auto before = std::filesystem::last_write_time(m.config_path());
    for (int i = 0; i < 2; ++i) {
        auto r = m.nodenet({"apply", "-c", same});
        EXPECT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(r.out, "No changes: the kernel matches the config.\n");
    }
    EXPECT_EQ(std::filesystem::last_write_time(m.config_path()), before);
    // After drift the same bytes are not a shortcut: the plan runs and restores.
    ns_m.must("link set eth0 mtu 1500");
    auto r = m.nodenet({"apply", "-c", same});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(ns_m.ip_json("link show dev eth0")[0]["mtu"], 1400);
}

TEST(Daemon, ConfirmTimeoutThroughTheDaemonRevertsUnlessConfirmed) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    TempDir other;
    std::string next = other.write("next.yaml", static_config("", "10.8.0.0/16"));
    auto r = m.nodenet({"apply", "-c", next, "--confirm-timeout", "1"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(m.has_route("10.8.0.0/16"));
    ASSERT_TRUE(eventually([&] { return m.has_route("10.6.0.0/16") && !m.has_route("10.8.0.0/16"); }, 10s)) << m.log();
    EXPECT_NE(read_text(m.config_path()).find("10.6.0.0/16"), std::string::npos);
    // Confirmed in time, it stays.
    r = m.nodenet({"apply", "-c", next, "--confirm-timeout", "30"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto c = m.nodenet({"confirm"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    EXPECT_FALSE(m.status()["confirm_pending"].get<bool>());
    EXPECT_TRUE(m.has_route("10.8.0.0/16"));
}

TEST(Daemon, ALinkThatAppearsLaterIsConfiguredAndOneThatGoesIsForgotten) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config("      - interface: eth1\n        addresses: [10.9.0.2/24]\n"));
    m.start({"--ready-timeout", "1"});
    // Not ready while eth1 is missing: after --ready-timeout the ready file names it.
    ASSERT_TRUE(m.wait_ready()) << m.log();
    EXPECT_NE(read_text(m.ready_file()).find("link eth1 (absent)"), std::string::npos) << read_text(m.ready_file());
    EXPECT_FALSE(m.status()["ready"].get<bool>());
    ns_m.must("link add eth1 type veth peer name peer1");
    ns_m.must("link set peer1 up");
    ASSERT_TRUE(eventually([&] { return m.has_address("eth1", "10.9.0.2/24"); }, 5s)) << m.log();
    ASSERT_TRUE(eventually([&] { return m.status()["ready"].get<bool>(); }, 5s));
    ns_m.must("link del eth1");
    ASSERT_TRUE(eventually([&] { return !m.status()["ready"].get<bool>(); }, 5s));
    auto s = m.status();
    EXPECT_EQ(s["last_error"], "") << s.dump();
    EXPECT_TRUE(m.has_address("eth0", "10.5.0.2/24"));
}

TEST(Daemon, StaysResponsiveThroughABurstAndLostNotifications) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start({"--netlink-buffer", "4096"});  // tiny: the burst overflows it (ENOBUFS)
    ASSERT_TRUE(m.wait_ready()) << m.log();
    TempDir batch;
    std::string adds, dels;
    for (int i = 0; i < 1000; ++i) {
        std::string dst = "10.200." + std::to_string(i / 250) + "." + std::to_string(i % 250) + "/32";
        adds += "route add " + dst + " via 10.5.0.1 dev eth0\n";
        dels += "route del " + dst + " via 10.5.0.1 dev eth0\n";
    }
    std::string add_file = batch.write("adds", adds), del_file = batch.write("dels", dels);
    ASSERT_EQ(ns_m.run({"ip", "-batch", add_file}).exit_code, 0);
    ns_m.must("addr del 10.5.0.2/24 dev eth0");  // lost in the flood or not, it must come back
    // -force: the address's deletion has flushed the routes through its subnet already.
    (void)ns_m.run({"ip", "-force", "-batch", del_file});
    EXPECT_TRUE(m.status()["ready"].is_boolean());  // answers
    ASSERT_TRUE(eventually([&] { return m.has_address("eth0", "10.5.0.2/24") && m.has_route("10.6.0.0/16"); }, 10s))
        << m.log();
    EXPECT_NE(m.log().find("notifications were dropped"), std::string::npos) << m.log();
}

TEST(Daemon, OneDaemonPerStateDirectory) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    ASSERT_TRUE(m.wait_ready()) << m.log();
    auto second = m.nodenet({"daemon", "-c", m.config_path(), "--state-dir", m.state_dir(), "--resolver", "none"});
    EXPECT_EQ(second.exit_code, 1);
    EXPECT_NE(second.err.find("another nodenet daemon (PID " + std::to_string(m.pid()) + ")"), std::string::npos)
        << second.err;
}

TEST(Daemon, WaitOnlineReturnsWhenTheDaemonIsReadyAndTimesOutOnAMissingLink) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    m.start();
    auto r = m.nodenet({"wait-online", "--timeout", "20"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(m.ready_file()));
    EXPECT_EQ(m.nodenet({"wait-online", "--link", "eth0", "--timeout", "5"}).exit_code, 0);
    auto missing = m.nodenet({"wait-online", "--link", "eth7", "--timeout", "1"});
    EXPECT_EQ(missing.exit_code, 1);
    EXPECT_NE(missing.err.find("timed out"), std::string::npos) << missing.err;
    EXPECT_EQ(m.nodenet({"wait-online", "--link", "eth7", "--link", "eth0", "--any", "--timeout", "5"}).exit_code, 0);
}

// wait-online started at boot before the daemon (its runtime directory not even there yet) waits
// for the socket to appear and then for readiness; it neither gives up nor answers early.
TEST(Daemon, WaitOnlineStartedBeforeTheDaemonWaitsForItsSocket) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    ASSERT_FALSE(std::filesystem::exists(m.runtime_dir()));
    TempDir out;
    Background waiter(ns_m, {NODENET_BINARY, "wait-online", "--timeout", "20", "--runtime-dir", m.runtime_dir()},
                      out.path() / "out", out.path() / "err");
    EXPECT_FALSE(eventually([&] { return waiter.exited(); }, 300ms)) << read_text(out.path() / "err");
    m.start();
    ASSERT_TRUE(eventually([&] { return waiter.exited(); }, 20s)) << m.log();
    EXPECT_EQ(waiter.stop(SIGKILL), 0) << read_text(out.path() / "err");
    EXPECT_TRUE(std::filesystem::exists(m.ready_file()));
}

// Connects to the daemon's socket, sends `bytes`, returns everything it answers until it closes.
std::string raw_exchange(const std::string& socket, const std::string& bytes) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
        close(fd);
        return "connect failed";
    }
    timeval tv{10, 0};
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    for (size_t sent = 0; sent < bytes.size();) {
        ssize_t n = send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
        if (n <= 0) break;  // the daemon stopped reading and closed: expected for oversized input
        sent += static_cast<size_t>(n);
    }
    std::string answer;
    char buf[4096];
    for (ssize_t n; (n = read(fd, buf, sizeof buf)) > 0;) answer.append(buf, static_cast<size_t>(n));
    close(fd);
    return answer;
}

TEST(Daemon, ControlSocketRefusesGarbageHugeAndUnprivilegedRequests) {
    DAEMON_MACHINE_OR_SKIP(m);
    m.write_config(static_config());
    std::filesystem::permissions(dir_m.path(), std::filesystem::perms::all);  // other users reach the socket
    m.start({"--status-readable"});
    ASSERT_TRUE(m.wait_ready()) << m.log();
    std::string socket = m.runtime_dir() + "/control.sock";
    EXPECT_NE(raw_exchange(socket, "hello\n").find("bad request: request is not a JSON object"), std::string::npos);
    EXPECT_NE(raw_exchange(socket, R"({"op":"apply","config_bytes":104857600})" "\n").find("outside"), std::string::npos);
    // 100 MB without a line end: cut off after the header limit, not read to the end.
    std::string huge(100 * 1024 * 1024, 'x');
    EXPECT_NE(raw_exchange(socket, huge).find("without a line end"), std::string::npos);
    // A client that connects and says nothing does not hold up the others.
    int idle = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un addr{};
    addr.sun_family = AF_UNIX;
    std::strncpy(addr.sun_path, socket.c_str(), sizeof addr.sun_path - 1);
    ASSERT_EQ(connect(idle, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
    EXPECT_TRUE(m.status()["ready"].get<bool>());
    close(idle);
    // Another user may read the status (--status-readable) but not apply: the kernel's word on
    // the peer (SO_PEERCRED) decides, not anything in the request.
    TempDir other;
    std::string next = other.write("next.yaml", static_config("", "10.8.0.0/16"));
    std::filesystem::permissions(other.path(), std::filesystem::perms::all);
    auto as_nobody = [&](std::vector<std::string> args) {
        args.insert(args.begin(), NODENET_BINARY);
        args.push_back("--runtime-dir");
        args.push_back(m.runtime_dir());
        std::string cmd = "setpriv --reuid=65534 --regid=65534 --clear-groups";
        for (const auto& a : args) cmd += " '" + a + "'";
        return ns_m.run({"sh", "-c", cmd});
    };
    auto status = as_nobody({"status"});
    EXPECT_EQ(status.exit_code, 0) << status.err;
    auto apply = as_nobody({"apply", "-c", next});
    EXPECT_EQ(apply.exit_code, 1);
    EXPECT_NE(apply.err.find("permission denied: apply needs root or the control group (uid 65534)"), std::string::npos)
        << apply.err;
    EXPECT_FALSE(m.has_route("10.8.0.0/16"));
}

}  // namespace
}  // namespace nodenet::daemon_test
