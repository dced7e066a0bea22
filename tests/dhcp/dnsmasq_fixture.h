// A DHCP network for end-to-end tests: a client and a server namespace joined by a veth pair,
// dnsmasq serving in the server namespace, nodenet's client run in the background in the other, and
// a capture of every DHCP message the server's link receives (type, ciaddr, options 50 and 54, IP
// destination), so a test sees how each request was sent and not only that it was answered.
//
// Every process is killed and reaped and every file removed however the test ends; the host's
// network, resolv.conf and hostname are never touched. Header-only because tests/CMakeLists.txt
// compiles only *_test.cpp files.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "dhcp/dhcp4_codec.h"
#include "dhcp/dhcp4_options.h"
#include "dhcp/ip_udp_codec.h"
#include "tests/cli/run_nodenet.h"
#include "tests/netlink/netns.h"

namespace nodenet::dhcp_test {

using namespace std::chrono_literals;
using cli_test::TempDir;
using netlink_test::TestNetns;
using SteadyClock = std::chrono::steady_clock;

inline constexpr char kClientLink[] = "veth-c";
inline constexpr char kServerLink[] = "veth-s";
inline constexpr char kClientMac[] = "52:54:00:6e:6e:01";
inline constexpr char kServerAddress[] = "10.77.0.1";

inline std::string read_text(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// dnsmasq from PATH, or from /usr/sbin where PATH lacks the sbin directories; empty when absent.
inline std::string dnsmasq_binary() {
    std::string path = std::getenv("PATH") ? std::getenv("PATH") : "";
    std::istringstream dirs(path + ":/usr/sbin:/usr/local/sbin:/sbin");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (!dir.empty() && access((dir + "/dnsmasq").c_str(), X_OK) == 0) return dir + "/dnsmasq";
    return "";
}

// Checks `done` every 50 ms until it holds or `timeout` passes.
inline bool eventually(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
    auto until = SteadyClock::now() + timeout;
    while (!done()) {
        if (SteadyClock::now() >= until) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// A child process inside a namespace: a program (stdout and stderr to files) or a function of this
// test. The test process has one thread, so the forked child may run ordinary code.
class Background {
public:
    Background(const TestNetns& ns, std::vector<std::string> argv, const std::filesystem::path& out,
               const std::filesystem::path& err) {
        int out_fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        int err_fd = open(err.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
        std::vector<char*> args;
        for (std::string& a : argv) args.push_back(a.data());
        args.push_back(nullptr);
        start(ns, [&] {
            int in = open("/dev/null", O_RDONLY);
            if (out_fd < 0 || err_fd < 0 || in < 0 || dup2(in, 0) < 0 || dup2(out_fd, 1) < 0 || dup2(err_fd, 2) < 0)
                _exit(126);
            execvp(args[0], args.data());
            _exit(127);
        });
        close(out_fd);
        close(err_fd);
    }
    Background(const TestNetns& ns, const std::function<void()>& body) { start(ns, body); }
    ~Background() { stop(SIGKILL, 5s); }
    Background(const Background&) = delete;
    Background& operator=(const Background&) = delete;

    pid_t pid() const { return pid_; }
    // Sends `signal` and waits for the exit, SIGKILL after `timeout`. The exit code; -1 when a
    // signal ended it.
    int stop(int signal, std::chrono::seconds timeout = 10s) {
        if (!reaped_) kill(pid_, signal);
        if (!eventually([this] { return exited(); }, timeout)) {
            kill(pid_, SIGKILL);
            while (!exited()) std::this_thread::sleep_for(10ms);
        }
        return WIFEXITED(status_) ? WEXITSTATUS(status_) : -1;
    }
    // Reaps the child if it has ended.
    bool exited() {
        if (!reaped_ && waitpid(pid_, &status_, WNOHANG) == pid_) reaped_ = true;
        return reaped_;
    }

private:
    void start(const TestNetns& ns, const std::function<void()>& body) {
        pid_ = fork();
        if (pid_ < 0) throw std::runtime_error("fork failed");
        if (pid_ == 0) {
            if (!netlink_test::detail::enter(ns.fds())) _exit(125);
            body();
            _exit(0);
        }
    }

    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
};

// The two namespaces and the veth pair between them: veth-c (MAC kClientMac) in the client,
// veth-s with 10.77.0.1/24 in the server, both up.
struct DhcpLink {
    TestNetns client, server;

    DhcpLink() {
        client.must(std::string("link add ") + kClientLink + " address " + kClientMac + " type veth peer name " +
                    kServerLink);
        client.must(std::string("link set ") + kServerLink + " netns " + server.path());
        server.must(std::string("addr add ") + kServerAddress + "/24 dev " + kServerLink);
        server.must(std::string("link set ") + kServerLink + " up");
        client.must(std::string("link set ") + kClientLink + " up");
    }
};

// A dnsmasq run in the server namespace, and its log: started with `arguments` (which must log to
// <dir>/<name>.log), ready once the log has a line containing `ready`. Shared by the DHCPv4
// (Dnsmasq) and DHCPv6 (dnsmasq6_test.cpp) servers.
class DnsmasqProcess {
public:
    DnsmasqProcess(const TestNetns& server, const std::filesystem::path& dir, const std::string& name,
                   std::vector<std::string> arguments, const std::string& ready)
        : log_(dir / (name + ".log")), process_(server, arguments, dir / (name + ".out"), dir / (name + ".out")) {
        if (!wait_for(ready, 1, 10s))
            throw std::runtime_error("dnsmasq did not start: " + read_text(dir / (name + ".out")));
    }

    std::string log() const { return read_text(log_); }
    // Lines of the log that contain `needle`.
    int count(const std::string& needle) const {
        std::istringstream in(log());
        int n = 0;
        for (std::string line; std::getline(in, line);) n += line.find(needle) != std::string::npos;
        return n;
    }
    bool wait_for(const std::string& needle, int times, std::chrono::milliseconds timeout) const {
        return eventually([&] { return count(needle) >= times; }, timeout);
    }
    void kill() { process_.stop(SIGTERM); }

private:
    std::filesystem::path log_;
    Background process_;
};

// dnsmasq serving 10.77.0.50–99 on veth-s with a 2-minute lease (its minimum), T1 6 s and T2 12 s,
// and one of each option the client reads. `host`: what dnsmasq knows of the client's MAC (its
// name, and a fixed address when one is given); `extra`: more options; `range`: another pool
// (dnsmasq's --dhcp-range up to the netmask: "10.77.0.150,10.77.0.199", "10.77.0.0,static");
// `ready`: the log line that says it serves (another one when `extra` adds an --interface, since
// dnsmasq binds its socket to a single link only).
class Dnsmasq : public DnsmasqProcess {
public:
    Dnsmasq(const TestNetns& server, const std::filesystem::path& dir, const std::string& name,
            const std::string& host = "node-a", const std::vector<std::string>& extra = {},
            const std::string& range = "10.77.0.50,10.77.0.99",
            const std::string& ready = "DHCP, sockets bound exclusively")
        : DnsmasqProcess(server, dir, name, arguments(dir, name, host, extra, range), ready) {}

private:
    static std::vector<std::string> arguments(const std::filesystem::path& dir, const std::string& name,
                                              const std::string& host, const std::vector<std::string>& extra,
                                              const std::string& range) {
        std::vector<std::string> args = {dnsmasq_binary(),
                "--no-daemon",
                "--conf-file=/dev/null",
                "--no-resolv",
                "--no-hosts",
                "--port=0",
                std::string("--interface=") + kServerLink,
                "--bind-interfaces",
                "--no-ping",  // offers at once instead of after an ICMP check of ~3 s
                "--dhcp-range=" + range + ",255.255.255.0,2m",
                "--dhcp-leasefile=" + (dir / "dnsmasq.leases").string(),
                "--log-dhcp",
                "--log-facility=" + (dir / (name + ".log")).string(),
                "--pid-file=",
                std::string("--dhcp-host=") + kClientMac + "," + host,
                "--dhcp-option=option:router,10.77.0.1",
                "--dhcp-option=option:dns-server,10.77.0.2,10.77.0.3",
                "--dhcp-option=option:domain-name,example.test",
                "--dhcp-option=option:domain-search,example.test,corp.example.test",
                "--dhcp-option=option:mtu,1400",
                "--dhcp-option=option:classless-static-route,10.99.0.0/16,10.77.0.254,0.0.0.0/0,10.77.0.1",
                "--dhcp-option=option:ntp-server,10.77.0.5",
                "--dhcp-option=option:T1,6",
                "--dhcp-option=option:T2,12"};
        args.insert(args.end(), extra.begin(), extra.end());
        return args;
    }
};

// One DHCP message the server's link received from the client.
struct Captured {
    SteadyClock::time_point at;
    std::string type;         // "DHCPREQUEST"
    std::string ciaddr;       // "0.0.0.0" when empty
    std::string requested;    // option 50, "-" when absent
    std::string server_id;    // option 54, "-" when absent
    std::string destination;  // the IP destination: 255.255.255.255 for a broadcast
};

// Records every DHCP message to port 67 arriving on veth-s, from a packet socket of its own.
class Capture {
public:
    Capture(const TestNetns& server, const std::filesystem::path& file)
        : file_(file), process_(server, [file] { record(file); }) {
        if (!eventually([&] { return read_text(file_).starts_with("ready\n"); }, 10s))
            throw std::runtime_error("the capture did not start");
    }

    std::vector<Captured> messages() const {
        std::vector<Captured> out;
        std::istringstream in(read_text(file_));
        std::string line;
        std::getline(in, line);  // "ready"
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            Captured c;
            int64_t ns = 0;
            if (!(fields >> ns >> c.type >> c.ciaddr >> c.requested >> c.server_id >> c.destination)) continue;
            c.at = SteadyClock::time_point(std::chrono::nanoseconds(ns));
            out.push_back(c);
        }
        return out;
    }
    std::vector<Captured> of_type(const std::string& type) const {
        std::vector<Captured> out;
        for (const Captured& c : messages())
            if (c.type == type) out.push_back(c);
        return out;
    }

private:
    static std::string option_text(const dhcp::Options& o, uint8_t code) {
        auto a = dhcp::address(o, code);
        return a.ok() && *a ? (*a)->str() : "-";
    }

    // Runs in the child, in the server namespace, until killed.
    static void record(const std::filesystem::path& file) {
        int out = open(file.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, 0600);
        int fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC, htons(ETH_P_IP));
        sockaddr_ll local{};
        local.sll_family = AF_PACKET;
        local.sll_protocol = htons(ETH_P_IP);
        local.sll_ifindex = static_cast<int>(if_nametoindex(kServerLink));
        if (out < 0 || fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0) _exit(1);
        (void)!write(out, "ready\n", 6);
        std::vector<uint8_t> buf(65536);
        for (;;) {
            ssize_t n = recv(fd, buf.data(), buf.size(), 0);
            if (n <= 0) continue;
            auto at = SteadyClock::now();
            // No UDP checksum check: a veth peer's frames may carry an unfinished one.
            auto d = dhcp::parse_udp_frame({buf.data(), static_cast<size_t>(n)}, dhcp::kServerPort, false);
            if (!d.ok()) continue;
            auto m = dhcp::decode(d->payload);
            if (!m.ok()) continue;
            auto type = dhcp::message_type(m->options);
            std::string line = std::to_string(std::chrono::nanoseconds(at.time_since_epoch()).count()) + " " +
                               (type.ok() && *type ? dhcp::message_type_name(**type) : "?") + " " + m->ciaddr.str() +
                               " " + option_text(m->options, dhcp::option::kRequestedIp) + " " +
                               option_text(m->options, dhcp::option::kServerId) + " " +
                               d->endpoints.destination.str() + "\n";
            (void)!write(out, line.data(), line.size());
        }
    }

    std::filesystem::path file_;
    Background process_;
};

// `nodenet dhcp veth-c ARGS...` in the client namespace, in the background, with the state
// directory in `dir`; its log (stderr) is `dir/<name>.err`.
class Client {
public:
    Client(const TestNetns& ns, const std::filesystem::path& dir, const std::string& name,
           std::vector<std::string> args)
        : err_(dir / (name + ".err")), out_(dir / (name + ".out")), process_(ns, argv(dir, std::move(args)), out_, err_) {}

    std::string log() const { return read_text(err_); }
    std::string output() const { return read_text(out_); }
    bool wait_for(const std::string& needle, std::chrono::milliseconds timeout) const {
        return eventually([&] { return log().find(needle) != std::string::npos; }, timeout);
    }
    int stop(int signal = SIGTERM) { return process_.stop(signal); }
    bool exited() { return process_.exited(); }

private:
    static std::vector<std::string> argv(const std::filesystem::path& dir, std::vector<std::string> args) {
        std::vector<std::string> v = {NODENET_BINARY, "dhcp", kClientLink, "--state-dir", (dir / "state").string()};
        v.insert(v.end(), args.begin(), args.end());
        return v;
    }

    std::filesystem::path err_, out_;
    Background process_;
};

inline std::filesystem::path lease_file(const std::filesystem::path& dir) {
    return dir / "state" / (std::string("dhcp4-") + kClientLink + ".json");
}

inline double seconds_between(SteadyClock::time_point a, SteadyClock::time_point b) {
    return std::chrono::duration<double>(b - a).count();
}

}  // namespace nodenet::dhcp_test

// Skips where the test cannot run: network namespaces need root; dnsmasq comes from scripts/setup.
#define NODENET_DNSMASQ_OR_SKIP()                                                 \
    if (geteuid() != 0) {                                                         \
        GTEST_SKIP() << "network namespaces need root";                           \
    }                                                                             \
    if (::nodenet::dhcp_test::dnsmasq_binary().empty()) {                         \
        GTEST_SKIP() << "dnsmasq is not installed (scripts/setup installs dnsmasq-base)"; \
    }
