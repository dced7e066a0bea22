// A real systemd-resolved for tests, never installed: scripts/fetch-resolved unpacks the Debian
// package into a cache directory, and ResolvedSandbox runs it in namespaces of its own:
//
//   - a network namespace (TestNetns, held by a file descriptor), lo up;
//   - a "holder" process that joins it, takes a private mount and UTS namespace and mounts there a
//     fresh /sys, a tmpfs on /run, copies of /etc/passwd and /etc/group with the systemd-resolve
//     user added (resolved runs as that user, as its unit's User= says), and a private
//     /etc/resolv.conf; then starts a dbus-daemon with a config of its own listening on
//     /run/dbus/system_bus_socket, and systemd-resolved as systemd-resolve with the unit's ambient
//     capabilities, reading a drop-in from /run/systemd/resolved.conf.d;
//   - run() and in_child() join the holder's mount, network and UTS namespaces in a forked child,
//     so that nodenet's client, resolvectl and ip see that bus and those links.
//
// Nothing outside changes: the host's /etc/passwd, /etc/resolv.conf, /run, hostname and links are
// only ever covered inside the private mount and UTS namespaces. Cleanup does not depend on the
// test ending well: the destructor closes the pipe the holder waits on (the holder then stops
// resolved and dbus-daemon and exits), and every process dies with its parent (PR_SET_PDEATHSIG:
// the holder with the test process, the daemons with the holder), taking the namespaces with them.
//
// Header-only because tests/CMakeLists.txt compiles only *_test.cpp files.
#pragma once

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <sdbus-c++/sdbus-c++.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "tests/netlink/netns.h"

namespace nodenet::dns_test {

using netlink_test::CommandResult;
using netlink_test::TestNetns;
using namespace std::chrono_literals;

inline constexpr char kBusAddress[] = "unix:path=/run/dbus/system_bus_socket";
inline constexpr char kWorkDir[] = "/run/nodenet-test";  // in the private /run: logs and configs
inline constexpr char kServiceUser[] = "systemd-resolve";

namespace detail {

inline std::string errno_text(const std::string& what) { return what + ": " + std::strerror(errno); }

inline std::string read_text(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_text(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out.flush()) throw std::runtime_error("cannot write " + path);
}

inline void must(bool ok, const std::string& what) {
    if (!ok) throw std::runtime_error(errno_text(what));
}

// Waits for `pid` until `timeout`, then SIGKILLs and reaps it.
inline void reap(pid_t pid, std::chrono::milliseconds timeout) {
    auto until = std::chrono::steady_clock::now() + timeout;
    while (waitpid(pid, nullptr, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() >= until) {
            kill(pid, SIGKILL);
            while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
            }
            return;
        }
        std::this_thread::sleep_for(5ms);
    }
}

// A program run here, outside every namespace (the fetch script).
inline CommandResult run_here(const std::vector<std::string>& argv, std::chrono::seconds timeout) {
    return netlink_test::detail::run_joined(argv, timeout, [] { return true; });
}

// ---- the service user ----

struct ServiceUser {
    uid_t uid = 0;
    gid_t gid = 0;
    bool on_host = false;  // the host has it already: /etc/passwd needs no copy
};

inline std::vector<std::vector<std::string>> colon_table(const std::string& path) {
    std::vector<std::vector<std::string>> rows;
    std::istringstream in(read_text(path));
    for (std::string line; std::getline(in, line);) {
        std::vector<std::string> fields;
        std::istringstream f(line);
        for (std::string field; std::getline(f, field, ':');) fields.push_back(field);
        if (fields.size() >= 3) rows.push_back(fields);
    }
    return rows;
}

// systemd-resolve as the host knows it, else a system id free in both /etc/passwd and /etc/group.
// The files are parsed rather than asked through NSS, which may consult other services.
inline ServiceUser service_user() {
    auto passwd = colon_table("/etc/passwd");
    auto group = colon_table("/etc/group");
    for (const auto& row : passwd)
        if (row[0] == kServiceUser && row.size() >= 4)
            return {static_cast<uid_t>(std::stoul(row[2])), static_cast<gid_t>(std::stoul(row[3])), true};
    std::set<unsigned long> used;
    for (const auto* table : {&passwd, &group})
        for (const auto& row : *table) used.insert(std::strtoul(row[2].c_str(), nullptr, 10));
    for (unsigned long id = 999; id >= 100; --id)
        if (!used.count(id)) return {static_cast<uid_t>(id), static_cast<gid_t>(id), false};
    throw std::runtime_error("no free system user id for " + std::string(kServiceUser));
}

// ---- the holder's private world ----

// The bus policy: systemd-resolve (resolved's user, as in the package's
// usr/share/dbus-1/system.d/org.freedesktop.resolve1.conf) and root may own
// org.freedesktop.resolve1; everyone may call it and the bus driver. Everything else is denied as
// on a real system bus.
inline std::string bus_config() {
    return R"(<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-BUS Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=/run/dbus/system_bus_socket</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus.Properties"/>
    <allow send_destination="org.freedesktop.resolve1"/>
  </policy>
  <policy user="systemd-resolve">
    <allow own="org.freedesktop.resolve1"/>
  </policy>
  <policy user="root">
    <allow own="org.freedesktop.resolve1"/>
  </policy>
</busconfig>
)";
}

// Only the bus API is under test: no stub listener on 127.0.0.53:53 and no LLMNR or mDNS, so
// resolved binds no ports and sends nothing on the test links.
inline constexpr char kResolvedDropIn[] = "[Resolve]\nDNSStubListener=no\nLLMNR=no\nMulticastDNS=no\n";

// The holder's namespaces: the test's network namespace, and mount and UTS namespaces of its own
// in which /sys, /run, /etc/passwd, /etc/group and /etc/resolv.conf are private.
inline void enter_private_world(int netns_fd, const ServiceUser& user) {
    must(setns(netns_fd, CLONE_NEWNET) == 0, "setns(net)");
    must(unshare(CLONE_NEWNS | CLONE_NEWUTS) == 0, "unshare(mount, uts)");
    // Slave: the host's mounts still reach us, ours never reach the host.
    must(mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) == 0, "make / a slave mount");
    umount2("/sys", MNT_DETACH);
    must(mount("sysfs", "/sys", "sysfs", 0, nullptr) == 0, "mount sysfs");  // this namespace's links
    must(mount("tmpfs", "/run", "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755,size=16m") == 0, "mount tmpfs on /run");
    const char hostname[] = "nodenet-test";
    must(sethostname(hostname, sizeof hostname - 1) == 0, "sethostname");

    for (const char* dir : {kWorkDir, "/run/dbus", "/run/systemd", "/run/systemd/resolve", "/run/systemd/resolved.conf.d"})
        must(mkdir(dir, 0755) == 0, std::string("mkdir ") + dir);
    // What the unit's RuntimeDirectory=systemd/resolve would create: resolved writes resolv.conf here.
    must(chown("/run/systemd/resolve", user.uid, user.gid) == 0, "chown /run/systemd/resolve");
    write_text("/run/systemd/resolved.conf.d/nodenet-test.conf", kResolvedDropIn);
    write_text(std::string(kWorkDir) + "/bus.conf", bus_config());

    if (!user.on_host) {
        std::string id = std::to_string(user.uid);
        std::string passwd = read_text("/etc/passwd"), group = read_text("/etc/group");
        if (!passwd.empty() && passwd.back() != '\n') passwd += '\n';
        if (!group.empty() && group.back() != '\n') group += '\n';
        write_text(std::string(kWorkDir) + "/passwd",
                   passwd + kServiceUser + ":x:" + id + ":" + std::to_string(user.gid) +
                       ":systemd Resolver:/:/usr/sbin/nologin\n");
        write_text(std::string(kWorkDir) + "/group", group + kServiceUser + ":x:" + std::to_string(user.gid) + ":\n");
        for (const char* file : {"passwd", "group"}) {
            std::string from = std::string(kWorkDir) + "/" + file, to = std::string("/etc/") + file;
            must(mount(from.c_str(), to.c_str(), nullptr, MS_BIND, nullptr) == 0, "bind " + to);
        }
    }
    // resolved reads /etc/resolv.conf for "foreign" servers; a private one keeps the host's out of
    // what the tests see. Best effort: a dangling symlink there (a host with resolved's stub) cannot
    // be covered, and resolved only reads the file.
    std::string resolv = std::string(kWorkDir) + "/resolv.conf";
    write_text(resolv, "# nodenet test: no servers\n");
    mount(resolv.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr);
}

// The daemon's log, opened by the holder (root) before any change of user, so that the daemon's
// output and any failure before its exec land there.
inline int open_log(const char* name) {
    std::string path = std::string(kWorkDir) + "/" + name;
    int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    must(fd >= 0, "open " + path);
    return fd;
}

// Runs in a forked child of the holder: stdin from /dev/null, stdout and stderr to `log_fd`, exec.
// PR_SET_PDEATHSIG is set after any change of user (which clears it), and is kept by execve.
[[noreturn]] inline void exec_daemon(pid_t holder, int log_fd, std::vector<std::string> argv,
                                     std::vector<std::string> env) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != holder) _exit(125);
    int in = open("/dev/null", O_RDONLY);
    if (in < 0 || dup2(in, 0) < 0 || dup2(log_fd, 1) < 0 || dup2(log_fd, 2) < 0) _exit(126);
    std::vector<char*> args, envp;
    for (std::string& a : argv) args.push_back(a.data());
    for (std::string& e : env) envp.push_back(e.data());
    args.push_back(nullptr);
    envp.push_back(nullptr);
    execve(args[0], args.data(), envp.data());
    dprintf(2, "exec %s: %s\n", args[0], std::strerror(errno));
    _exit(127);
}

// What systemd does for the unit's User=systemd-resolve and
// AmbientCapabilities=CAP_SETPCAP CAP_NET_RAW CAP_NET_BIND_SERVICE. resolved started as root would
// drop privileges itself, and that change of user would clear its PR_SET_PDEATHSIG.
inline bool become_service_user(const ServiceUser& user) {
    const int caps[] = {CAP_SETPCAP, CAP_NET_RAW, CAP_NET_BIND_SERVICE};
    uint32_t mask = 0;
    for (int cap : caps) mask |= 1u << cap;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) return false;
    if (setgroups(1, &user.gid) != 0 || setresgid(user.gid, user.gid, user.gid) != 0 ||
        setresuid(user.uid, user.uid, user.uid) != 0)
        return false;
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    __user_cap_data_struct data[2] = {};
    data[0].effective = data[0].permitted = data[0].inheritable = mask;
    if (syscall(SYS_capset, &header, data) != 0) return false;
    for (int cap : caps)
        if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0) return false;
    return true;
}

struct Daemons {
    pid_t bus = -1, resolved = -1;

    // SIGTERM, then SIGKILL for whatever is still running after two seconds.
    void stop() {
        for (pid_t pid : {resolved, bus})
            if (pid > 0) kill(pid, SIGTERM);
        for (pid_t* pid : {&resolved, &bus})
            if (*pid > 0) reap(*pid, 2000ms);
        resolved = bus = -1;
    }
};

// dbus-daemon, returned once it listens: it prints its address on a pipe when ready.
inline pid_t start_bus(pid_t holder) {
    int ready[2];
    must(pipe2(ready, O_CLOEXEC) == 0, "pipe2");
    int log_fd = open_log("dbus.log");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        if (dup2(ready[1], 3) < 0) _exit(126);  // dup2 clears O_CLOEXEC on fd 3
        exec_daemon(holder, log_fd,
                    {"/usr/bin/dbus-daemon", std::string("--config-file=") + kWorkDir + "/bus.conf", "--nofork",
                     "--nopidfile", "--nosyslog", "--print-address=3"},
                    {"PATH=/usr/sbin:/usr/bin:/sbin:/bin"});
    }
    close(ready[1]);
    close(log_fd);
    std::string address;
    char c;
    pollfd p{ready[0], POLLIN, 0};
    while (address.find('\n') == std::string::npos && poll(&p, 1, 10000) > 0 && read(ready[0], &c, 1) == 1)
        address += c;
    close(ready[0]);
    if (address.find('\n') == std::string::npos) {
        kill(pid, SIGKILL);
        reap(pid, 0ms);
        throw std::runtime_error("dbus-daemon did not start: " + read_text(std::string(kWorkDir) + "/dbus.log"));
    }
    return pid;
}

inline pid_t start_resolved(pid_t holder, const ServiceUser& user, const std::string& binary,
                            const std::string& library_dir) {
    std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "SYSTEMD_LOG_TARGET=console",
                                 std::string("DBUS_SYSTEM_BUS_ADDRESS=") + kBusAddress};
    if (!library_dir.empty()) env.push_back("LD_LIBRARY_PATH=" + library_dir);
    if (const char* level = std::getenv("NODENET_RESOLVED_LOG_LEVEL")) env.push_back(std::string("SYSTEMD_LOG_LEVEL=") + level);
    int log_fd = open_log("resolved.log");
    pid_t pid = fork();
    must(pid >= 0, "fork");
    if (pid == 0) {
        if (!become_service_user(user)) {
            dprintf(log_fd, "%s\n", errno_text("become systemd-resolve").c_str());
            _exit(124);
        }
        exec_daemon(holder, log_fd, {binary}, env);
    }
    close(log_fd);
    return pid;
}

// The holder: sets up the private world, starts the daemons, reports "ok" (or why not) on
// `report_fd`, then waits until `release_fd` is closed and stops them. Never returns.
[[noreturn]] inline void holder_main(pid_t parent, int netns_fd, int report_fd, int release_fd,
                                     const std::string& binary, const std::string& library_dir) {
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(1);
    Daemons daemons;
    std::string report = "ok";
    try {
        ServiceUser user = service_user();
        enter_private_world(netns_fd, user);
        daemons.bus = start_bus(getpid());
        daemons.resolved = start_resolved(getpid(), user, binary, library_dir);
    } catch (const std::exception& e) {
        report = e.what();
    }
    (void)!write(report_fd, report.data(), report.size());
    close(report_fd);
    char ignored;
    while (report == "ok" && read(release_fd, &ignored, 1) < 0 && errno == EINTR) {
    }
    daemons.stop();
    _exit(report == "ok" ? 0 : 1);
}

// The tree's daemon and libsystemd-shared directory (empty: the host's library is the right one).
inline std::string find_in_tree(const std::string& tree, const std::vector<std::string>& candidates) {
    for (const auto& c : candidates)
        if (access((tree + "/" + c).c_str(), X_OK) == 0) return tree + "/" + c;
    return "";
}

inline std::string library_dir_in_tree(const std::string& tree) {
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(tree + "/usr/lib", ec)) {
        auto dir = entry.path() / "systemd";
        if (entry.path().filename().string().find("-linux-") != std::string::npos &&
            std::filesystem::is_directory(dir, ec))
            return dir.string();
    }
    return "";
}

}  // namespace detail

// scripts/fetch-resolved's tree, fetched once per test process; `skip` says why there is none when
// the package cannot be downloaded here. Throws when the script fails otherwise.
struct ResolvedTree {
    std::string root;
    std::string skip;
};

inline ResolvedTree fetch_resolved_tree() {
    static const ResolvedTree tree = [] {
        if (geteuid() != 0) return ResolvedTree{"", "systemd-resolved in namespaces needs root"};
        std::vector<std::string> argv{std::string(NODENET_SOURCE_DIR) + "/scripts/fetch-resolved"};
        if (const char* cache = std::getenv("NODENET_RESOLVED_CACHE")) argv.push_back(cache);
        CommandResult r = detail::run_here(argv, std::chrono::seconds(300));
        if (r.exit_code == 2)
            return ResolvedTree{"", "systemd-resolved cannot be downloaded here (scripts/fetch-resolved): " + r.err};
        std::string out = r.out;
        while (!out.empty() && out.back() == '\n') out.pop_back();
        std::string root = out.substr(out.rfind('\n') == std::string::npos ? 0 : out.rfind('\n') + 1);
        if (r.exit_code != 0 || root.empty())
            throw std::runtime_error("scripts/fetch-resolved failed (exit " + std::to_string(r.exit_code) + "): " + r.err);
        return ResolvedTree{root, ""};
    }();
    return tree;
}

class ResolvedSandbox {
public:
    // Starts everything and returns once org.freedesktop.resolve1 has an owner. Throws with the
    // daemons' output when something does not start.
    explicit ResolvedSandbox(const std::string& tree) : tree_(tree) {
        binary_ = detail::find_in_tree(tree, {"lib/systemd/systemd-resolved", "usr/lib/systemd/systemd-resolved"});
        resolvectl_ = detail::find_in_tree(tree, {"usr/bin/resolvectl", "bin/resolvectl"});
        library_dir_ = detail::library_dir_in_tree(tree);
        if (binary_.empty() || resolvectl_.empty())
            throw std::runtime_error("no systemd-resolved or resolvectl in " + tree);
        netns_.must("link set lo up");
        try {
            start_holder();
            wait_for_owner(10s);
        } catch (...) {
            stop();
            throw;
        }
    }
    ~ResolvedSandbox() { stop(); }
    ResolvedSandbox(const ResolvedSandbox&) = delete;
    ResolvedSandbox& operator=(const ResolvedSandbox&) = delete;

    // The network namespace, for `ip` (netns().must("link add ...")).
    const TestNetns& netns() const { return netns_; }
    const std::string& tree() const { return tree_; }

    // Runs a program in the holder's mount, network and UTS namespaces, with the private bus as the
    // system bus. `env` adds NAME=VALUE entries.
    CommandResult run(const std::vector<std::string>& argv, std::chrono::seconds timeout = 30s,
                      const std::vector<std::string>& env = {}) const {
        return netlink_test::detail::run_joined(argv, timeout, [this] { return join(); }, env);
    }

    // The package's resolvectl, with the tree's libsystemd-shared when it brought one.
    CommandResult resolvectl(const std::vector<std::string>& args) const {
        std::vector<std::string> argv{resolvectl_};
        argv.insert(argv.end(), args.begin(), args.end());
        std::vector<std::string> env;
        if (!library_dir_.empty()) env.push_back("LD_LIBRARY_PATH=" + library_dir_);
        return run(argv, 30s, env);
    }

    // Runs `fn` inside, in a forked child, and returns what it returned; an exception there comes
    // back as std::runtime_error.
    std::string in_child(const std::function<std::string()>& fn, std::chrono::seconds timeout = 30s) const {
        return netlink_test::detail::call_joined(fn, timeout, [this] { return join(); }, "in sandbox");
    }

    // The link's index inside.
    int ifindex(const std::string& link) const {
        return netns_.ip_json("link show dev " + link).at(0).at("ifindex").get<int>();
    }

    // A veth pair inside; returns the index of `name` once resolved knows the link (it learns of
    // links from rtnetlink, a moment after `ip` returns).
    int add_veth(const std::string& name, const std::string& peer) const {
        netns_.must("link add " + name + " type veth peer name " + peer);
        int index = ifindex(name);
        std::string answer = poll_bus(5s, [index](sdbus::IProxy&, sdbus::IConnection& bus) -> std::string {
            auto manager = sdbus::createProxy(bus, "org.freedesktop.resolve1", "/org/freedesktop/resolve1");
            sdbus::ObjectPath path;
            manager->callMethod("GetLink").onInterface("org.freedesktop.resolve1.Manager")
                .withArguments(int32_t{index}).storeResultsTo(path);
            return "";
        });
        if (!answer.empty()) throw std::runtime_error("resolved does not know " + name + ": " + answer + "\n" + logs());
        return index;
    }

    // What resolved and dbus-daemon wrote, for failure messages.
    std::string logs() const {
        if (holder_ <= 0) return "(no holder)";
        std::string dir = "/proc/" + std::to_string(holder_) + "/root" + kWorkDir;
        return "--- systemd-resolved:\n" + detail::read_text(dir + "/resolved.log") + "--- dbus-daemon:\n" +
               detail::read_text(dir + "/dbus.log");
    }

private:
    void start_holder() {
        int report[2], release[2];
        if (pipe2(report, O_CLOEXEC) != 0 || pipe2(release, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
        int netns_fd = open(netns_.path().c_str(), O_RDONLY | O_CLOEXEC);
        if (netns_fd < 0) throw std::runtime_error(detail::errno_text("open " + netns_.path()));
        pid_t parent = getpid();
        holder_ = fork();
        if (holder_ < 0) throw std::runtime_error("fork failed");
        if (holder_ == 0) {
            close(report[0]);
            close(release[1]);
            detail::holder_main(parent, netns_fd, report[1], release[0], binary_, library_dir_);
        }
        close(netns_fd);
        close(report[1]);
        close(release[0]);
        release_fd_ = release[1];
        std::string text, unused;
        bool done = testing_support::drain_child_output(holder_, report[0], -1, std::chrono::steady_clock::now() + 20s,
                                                        text, unused);
        close(report[0]);
        if (!done || text != "ok") throw std::runtime_error("resolved sandbox: " + (done ? text : "holder timed out"));
        std::string ns = "/proc/" + std::to_string(holder_) + "/ns/";
        mnt_fd_ = open((ns + "mnt").c_str(), O_RDONLY | O_CLOEXEC);
        net_fd_ = open((ns + "net").c_str(), O_RDONLY | O_CLOEXEC);
        uts_fd_ = open((ns + "uts").c_str(), O_RDONLY | O_CLOEXEC);
        if (mnt_fd_ < 0 || net_fd_ < 0 || uts_fd_ < 0) throw std::runtime_error(detail::errno_text("open " + ns));
    }

    // Calls `ask` in a child inside, every 20 ms, until it returns "" (done) or `timeout` passes;
    // then returns its last answer or sdbus error. sdbus-c++ directly, not the client under test.
    using BusQuestion = std::function<std::string(sdbus::IProxy& driver, sdbus::IConnection& bus)>;
    std::string poll_bus(std::chrono::seconds timeout, const BusQuestion& ask) const {
        return in_child([&] {
            auto until = std::chrono::steady_clock::now() + timeout;
            std::string last = "no answer";
            while (std::chrono::steady_clock::now() < until) {
                try {
                    auto bus = sdbus::createSystemBusConnection();
                    auto driver = sdbus::createProxy(*bus, "org.freedesktop.DBus", "/org/freedesktop/DBus");
                    last = ask(*driver, *bus);
                    if (last.empty()) return last;
                } catch (const sdbus::Error& e) {
                    last = e.what();
                }
                std::this_thread::sleep_for(20ms);
            }
            return last;
        }, timeout + 5s);
    }

    void wait_for_owner(std::chrono::seconds timeout) const {
        std::string answer = poll_bus(timeout, [](sdbus::IProxy& driver, sdbus::IConnection&) -> std::string {
            bool owned = false;
            driver.callMethod("NameHasOwner").onInterface("org.freedesktop.DBus")
                .withArguments(std::string("org.freedesktop.resolve1")).storeResultsTo(owned);
            return owned ? "" : "org.freedesktop.resolve1 has no owner";
        });
        if (!answer.empty())
            throw std::runtime_error("systemd-resolved did not take its bus name: " + answer + "\n" + logs());
    }

    // In a forked child of this process: the holder's namespaces, its bus as the system bus, and
    // death with this process.
    bool join() const {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (setns(net_fd_, CLONE_NEWNET) != 0 || setns(uts_fd_, CLONE_NEWUTS) != 0 || setns(mnt_fd_, CLONE_NEWNS) != 0)
            return false;
        if (chdir("/") != 0) return false;
        return setenv("DBUS_SYSTEM_BUS_ADDRESS", kBusAddress, 1) == 0;
    }

    void stop() {
        if (release_fd_ >= 0) close(release_fd_);  // the holder stops the daemons and exits
        release_fd_ = -1;
        if (holder_ > 0) detail::reap(holder_, 5000ms);
        holder_ = -1;
        for (int* fd : {&mnt_fd_, &net_fd_, &uts_fd_}) netlink_test::detail::close_fd(*fd);
    }

    TestNetns netns_;
    std::string tree_, binary_, resolvectl_, library_dir_;
    pid_t holder_ = -1;
    int release_fd_ = -1;  // the holder runs until this closes
    int mnt_fd_ = -1, net_fd_ = -1, uts_fd_ = -1;
};

}  // namespace nodenet::dns_test

// Starts a sandbox named `sandbox`; skips the test only where systemd-resolved cannot be had (not
// root, or the package cannot be downloaded). Any other failure to start fails the test.
#define NODENET_RESOLVED_OR_SKIP(sandbox)                                              \
    const ::nodenet::dns_test::ResolvedTree sandbox##_tree = ::nodenet::dns_test::fetch_resolved_tree(); \
    if (!sandbox##_tree.skip.empty()) {                                                \
        GTEST_SKIP() << sandbox##_tree.skip;                                           \
    }                                                                                  \
    const ::nodenet::dns_test::ResolvedSandbox sandbox(sandbox##_tree.root)
