// A throwaway network namespace per test, and ways to run things inside it: `ip` commands, the
// nodenet binary, or a function of this test process (in a forked child that reports back through
// a pipe, since setns() in the test process itself would move only one thread, and not back on a
// failed ASSERT).
//
// The namespaces are held by file descriptors only: no /run/netns entry and no process keeps them,
// so even a test that crashes leaves nothing behind on the host. Children are waited for, and killed
// when they overrun their timeout.
//
// Header-only because tests/CMakeLists.txt compiles only *_test.cpp files.
#pragma once

#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/errno.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "netlink/snapshot.h"
#include "tests/child_output.h"
#include "state/ip.h"

namespace nodenet::netlink_test {

struct CommandResult {
    int exit_code = -1;  // -1: killed (timeout or signal)
    std::string out, err;
};

namespace detail {

inline void close_fd(int& fd) {
    if (fd >= 0) close(fd);
    fd = -1;
}

// The namespaces of one test "machine": its network, its host name (UTS) and a mount namespace in
// which /sys shows this network namespace's devices (so /sys/class/net is right for the
// snapshot's sysfs reads, as after `ip netns exec`) and /etc is the machine's seen copy-on-write,
// changes kept in a tmpfs of this namespace. A nodenet run inside writes resolv.conf, hosts and the
// host name of this test machine only: they last as long as the TestNetns, like a machine's, and
// the real machine's never change. Its /run/dbus is empty: no system bus, hence no systemd-resolved.
struct NamespaceFds {
    int net = -1, uts = -1, mnt = -1;
};

// Run in a fresh child that has just unshared all three: sets up the mount namespace.
inline bool prepare_mounts() {
    if (mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) != 0) return false;
    const char* scratch = "/dev/shm/.nodenet-test-etc";  // one empty mount point, shared by all tests
    if (mkdir(scratch, 0700) != 0 && errno != EEXIST) return false;
    if (mount("tmpfs", scratch, "tmpfs", 0, "size=16m,mode=0700") != 0) return false;
    std::string upper = std::string(scratch) + "/upper", work = std::string(scratch) + "/work";
    if (mkdir(upper.c_str(), 0755) != 0 || mkdir(work.c_str(), 0755) != 0) return false;
    std::string options = "lowerdir=/etc,upperdir=" + upper + ",workdir=" + work;
    if (mount("overlay", "/etc", "overlay", 0, options.c_str()) != 0) return false;
    umount2(scratch, MNT_DETACH);  // the overlay keeps its upper layer; the path is free again
    // No way to the machine's system bus: a systemd-resolved there must never get this test
    // machine's links (its interface indexes name other links on the host).
    struct stat st {};
    if (stat("/run/dbus", &st) == 0 && mount("tmpfs", "/run/dbus", "tmpfs", 0, "size=64k,mode=0755") != 0) return false;
    umount2("/sys", MNT_DETACH);
    return mount("sysfs", "/sys", "sysfs", 0, nullptr) == 0;
}

// Joins the test machine's namespaces; the working directory stays where it was.
inline bool enter(const NamespaceFds& ns) {
    char cwd[4096];
    bool have_cwd = getcwd(cwd, sizeof cwd) != nullptr;
    if (setns(ns.net, CLONE_NEWNET) != 0 || setns(ns.uts, CLONE_NEWUTS) != 0 || setns(ns.mnt, CLONE_NEWNS) != 0)
        return false;
    if (have_cwd && chdir(cwd) != 0) return false;
    return true;
}

// Reads both pipes until the child closes them or the deadline passes; then reaps the child.
inline CommandResult collect(pid_t pid, int out_fd, int err_fd, std::chrono::seconds timeout) {
    CommandResult result;
    bool killed = !testing_support::drain_child_output(pid, out_fd, err_fd, std::chrono::steady_clock::now() + timeout,
                                                       result.out, result.err);
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    if (!killed && WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    return result;
}

// Runs `argv` in a forked child that first calls `join` (entering namespaces; false: exit 126) and
// adds `env` (NAME=VALUE) to its environment; stdin is /dev/null. Shared by every runner of tests.
inline CommandResult run_joined(const std::vector<std::string>& argv, std::chrono::seconds timeout,
                                const std::function<bool()>& join, const std::vector<std::string>& env = {}) {
    int out[2], err[2];
    if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    std::vector<std::string> args = argv;
    std::vector<char*> cargs;
    for (std::string& a : args) cargs.push_back(a.data());
    cargs.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        if (!join() || dup2(out[1], STDOUT_FILENO) < 0 || dup2(err[1], STDERR_FILENO) < 0) _exit(126);
        for (const std::string& e : env) putenv(strdup(e.c_str()));
        int null_in = open("/dev/null", O_RDONLY);
        if (null_in >= 0) dup2(null_in, STDIN_FILENO);
        execvp(cargs[0], cargs.data());
        _exit(127);
    }
    close(out[1]);
    close(err[1]);
    CommandResult r = collect(pid, out[0], err[0], timeout);
    close(out[0]);
    close(err[0]);
    return r;
}

// Runs `fn` in a forked child that first calls `join`, and returns what it returned; an exception
// there (or a failed join) comes back as std::runtime_error prefixed with `where`.
inline std::string call_joined(const std::function<std::string()>& fn, std::chrono::seconds timeout,
                               const std::function<bool()>& join, const std::string& where) {
    int out[2];
    if (pipe2(out, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_t pid = fork();
    if (pid < 0) throw std::runtime_error("fork failed");
    if (pid == 0) {
        close(out[0]);
        std::string text;
        int code = 0;
        try {
            if (!join()) throw std::runtime_error(std::string("enter namespace: ") + strerror(errno));
            text = fn();
        } catch (const std::exception& e) {
            text = e.what();
            code = 1;
        }
        for (size_t done = 0; done < text.size();) {
            ssize_t n = write(out[1], text.data() + done, text.size() - done);
            if (n < 0 && errno == EINTR) continue;
            if (n <= 0) break;
            done += static_cast<size_t>(n);
        }
        _exit(code);
    }
    close(out[1]);
    CommandResult r = collect(pid, out[0], -1, timeout);
    close(out[0]);
    if (r.exit_code != 0) throw std::runtime_error(where + ": " + (r.out.empty() ? "child failed" : r.out));
    return r.out;
}

}  // namespace detail

class TestNetns {
public:
    // Throws std::runtime_error when the namespaces cannot be created.
    TestNetns() {
        int ready[2], release[2];
        if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(release, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        pid_t pid = fork();
        if (pid < 0) throw std::runtime_error("fork failed");
        if (pid == 0) {
            close(ready[0]);
            close(release[1]);
            char ok = unshare(CLONE_NEWNET | CLONE_NEWUTS | CLONE_NEWNS) == 0 && detail::prepare_mounts() ? '1' : '0';
            (void)!write(ready[1], &ok, 1);
            char ignored;
            (void)!read(release[0], &ignored, 1);  // returns once the parent has opened the namespaces
            _exit(0);
        }
        close(ready[1]);
        close(release[0]);
        char ok = '0';
        (void)!read(ready[0], &ok, 1);
        close(ready[0]);
        std::string dir = "/proc/" + std::to_string(pid) + "/ns/";
        if (ok == '1') {
            fds_.net = open((dir + "net").c_str(), O_RDONLY | O_CLOEXEC);
            fds_.uts = open((dir + "uts").c_str(), O_RDONLY | O_CLOEXEC);
            fds_.mnt = open((dir + "mnt").c_str(), O_RDONLY | O_CLOEXEC);
        }
        close(release[1]);
        int status = 0;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
        }
        if (fds_.net < 0 || fds_.uts < 0 || fds_.mnt < 0) {
            close_all();
            throw std::runtime_error("cannot create the test namespaces (network, UTS, mount with /etc overlaid)");
        }
        // Nothing may appear or change on its own while a test compares two reads of the kernel:
        // no IPv6 link-local addresses (with their routes), no duplicate address detection.
        in_child([] {
            for (const char* setting : {"addr_gen_mode", "accept_dad"}) {
                std::string path = std::string("/proc/sys/net/ipv6/conf/default/") + setting;
                const char* value = std::string(setting) == "addr_gen_mode" ? "1" : "0";
                int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
                if (fd < 0 || write(fd, value, 1) != 1) throw std::runtime_error("cannot write " + path);
                close(fd);
            }
            return std::string();
        });
    }
    ~TestNetns() { close_all(); }

    // A path that names this namespace for other programs (`ip link set X netns PATH`).
    std::string path() const { return "/proc/" + std::to_string(getpid()) + "/fd/" + std::to_string(fds_.net); }
    const detail::NamespaceFds& fds() const { return fds_; }
    TestNetns(const TestNetns&) = delete;
    TestNetns& operator=(const TestNetns&) = delete;

    // Runs a program inside, like `ip netns exec`.
    CommandResult run(const std::vector<std::string>& argv,
                      std::chrono::seconds timeout = std::chrono::seconds(60)) const {
        return detail::run_joined(argv, timeout, [this] { return detail::enter(fds_); });
    }

    // `ip ARGS...` inside; ARGS split at spaces.
    CommandResult ip(const std::string& args) const {
        std::vector<std::string> argv{"ip"};
        std::istringstream in(args);
        for (std::string word; in >> word;) argv.push_back(word);
        return run(argv);
    }

    // `ip ARGS...`, throwing with ip's message when it fails: for setting up a scenario.
    void must(const std::string& args) const {
        CommandResult r = ip(args);
        if (r.exit_code != 0) throw std::runtime_error("ip " + args + ": " + r.err);
    }

    // `ip -j ARGS...` parsed.
    nlohmann::json ip_json(const std::string& args) const {
        CommandResult r = ip("-j " + args);
        if (r.exit_code != 0) throw std::runtime_error("ip -j " + args + ": " + r.err);
        return nlohmann::json::parse(r.out.empty() ? "[]" : r.out);
    }

    // Runs `fn` inside, in a forked child, and returns what it returned. An exception in the child
    // comes back as std::runtime_error.
    std::string in_child(const std::function<std::string()>& fn) const {
        return detail::call_joined(fn, std::chrono::seconds(60), [this] { return detail::enter(fds_); }, "in namespace");
    }

private:
    void close_all() {
        detail::close_fd(fds_.net);
        detail::close_fd(fds_.uts);
        detail::close_fd(fds_.mnt);
    }

    detail::NamespaceFds fds_;
};

// ---- the snapshot, carried out of the namespace as JSON with every field, raw ----

inline nlohmann::json raw_json(const state::KernelState& k) {
    nlohmann::json j;
    j["links"] = nlohmann::json::array();
    for (const auto& l : k.links) {
        nlohmann::json o{{"index", l.index},
                         {"name", l.name},
                         {"kind", l.kind},
                         {"up", l.up},
                         {"carrier", l.carrier},
                         {"mtu", l.mtu},
                         {"master_index", l.master_index},
                         {"parent_index", l.parent_index},
                         {"hardware_addr", l.hardware_addr},
                         {"permanent_addr", l.permanent_addr},
                         {"physical", l.physical},
                         {"driver", l.driver},
                         {"bus_path", l.bus_path},
                         {"pci_id", l.pci_id}};
        if (l.bridge) o["bridge"] = {{"stp", l.bridge->stp}, {"vlan_filtering", l.bridge->vlan_filtering}};
        if (l.vlan) o["vlan"] = {{"parent", l.vlan->parent}, {"id", l.vlan->id}, {"q_in_q", l.vlan->q_in_q}};
        j["links"].push_back(o);
    }
    j["addresses"] = nlohmann::json::array();
    for (const auto& a : k.addresses)
        j["addresses"].push_back({{"link_index", a.link_index},
                                  {"address", a.prefix.addr.str()},
                                  {"prefix_len", a.prefix.len},
                                  {"protocol", a.protocol},
                                  {"scope", a.scope},
                                  {"flags", a.flags},
                                  {"priority", a.priority},
                                  {"valid_lifetime", a.valid_lifetime},
                                  {"preferred_lifetime", a.preferred_lifetime}});
    j["routes"] = nlohmann::json::array();
    for (const auto& r : k.routes)
        j["routes"].push_back({{"table", r.table},
                               {"family", r.family == state::Family::V4 ? 4 : 6},
                               {"destination", r.destination.str()},
                               {"gateway", r.gateway ? r.gateway->str() : ""},
                               {"source", r.source ? r.source->str() : ""},
                               {"link_index", r.link_index},
                               {"metric", r.metric},
                               {"protocol", r.protocol},
                               {"scope", r.scope},
                               {"type", r.type},
                               {"mtu", r.mtu}});
    return j;
}

// read_kernel_state() inside `ns`: {"state": ..., "stats": ...} or {"error": "..."}.
inline nlohmann::json snapshot_in(const TestNetns& ns, const netlink::SnapshotFilter& filter,
                                  const std::string& sysfs_root = "/sys") {
    std::string text = ns.in_child([&] {
        netlink::SnapshotStats stats;
        auto state = netlink::read_kernel_state(filter, sysfs_root, &stats);
        if (!state.ok()) return nlohmann::json{{"error", state.error()}}.dump();
        return nlohmann::json{{"state", raw_json(*state)},
                              {"stats",
                               {{"dump_requests", stats.dump_requests},
                                {"messages", stats.messages},
                                {"kernel_filtering", stats.kernel_filtering}}}}
            .dump();
    });
    return nlohmann::json::parse(text);
}

// Adds an address with IFA_PROTO through rtnetlink directly: iproute2 6.1 has no `proto` for
// addresses (6.3 added it). Throws with the kernel's reason when the kernel refuses.
inline void add_address_with_protocol(const TestNetns& ns, const std::string& link, const std::string& cidr,
                                      uint8_t protocol, uint32_t flags = 0) {
    ns.in_child([&] {
        auto prefix = state::parse_ip_prefix(cidr);
        unsigned index = if_nametoindex(link.c_str());
        if (!prefix || index == 0) throw std::runtime_error("bad address or link: " + link + " " + cidr);
        std::unique_ptr<nl_sock, void (*)(nl_sock*)> sock(nl_socket_alloc(), nl_socket_free);
        std::unique_ptr<nl_msg, void (*)(nl_msg*)> msg(nlmsg_alloc_simple(RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL),
                                                       nlmsg_free);
        ifaddrmsg ifa{};
        ifa.ifa_family = prefix->family() == state::Family::V4 ? AF_INET : AF_INET6;
        ifa.ifa_prefixlen = prefix->len;
        ifa.ifa_index = index;
        int size = static_cast<int>(prefix->addr.size());
        int err = nl_connect(sock.get(), NETLINK_ROUTE);
        if (err >= 0) err = nlmsg_append(msg.get(), &ifa, sizeof ifa, NLMSG_ALIGNTO);
        if (err >= 0) err = nla_put(msg.get(), IFA_LOCAL, size, prefix->addr.bytes.data());
        if (err >= 0) err = nla_put(msg.get(), IFA_ADDRESS, size, prefix->addr.bytes.data());
        if (err >= 0) err = nla_put_u8(msg.get(), IFA_PROTO, protocol);
        if (err >= 0) err = nla_put_u32(msg.get(), IFA_FLAGS, flags);
        if (err >= 0) err = nl_send_auto(sock.get(), msg.get());
        if (err >= 0) err = nl_wait_for_ack(sock.get());
        if (err < 0) throw std::runtime_error("add " + cidr + " proto " + std::to_string(protocol) + ": " + nl_geterror(err));
        return std::string();
    });
}

inline netlink::SnapshotFilter everything() {
    netlink::SnapshotFilter f;
    f.all = true;
    return f;
}

}  // namespace nodenet::netlink_test

// Creates `ns`; skips the test where namespaces need privileges this process lacks. As root, a
// failure to create one is a test failure (the constructor throws), not a skip.
#define NODENET_NETNS_OR_SKIP(ns)                                     \
    if (geteuid() != 0) {                                             \
        GTEST_SKIP() << "network namespaces need root";               \
    }                                                                 \
    const ::nodenet::netlink_test::TestNetns ns
