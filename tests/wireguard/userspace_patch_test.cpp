// Patches and statistics with wireguard-go for real. A device with 100 peers is configured through a
// recording proxy in front of its UAPI socket, so that the test sees every request nodenet sends:
// one changed peer is one peer written, a removed peer is one removal, an unchanged device is no
// request at all; `wg show dump` and the peers' counters show that nothing else was touched. Then two
// devices in two namespaces joined by a veth shake hands, and the statistics read back are real.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <thread>

#include "tests/netlink/netns.h"
#include "tests/wireguard/userspace_guard.h"
#include "tests/wireguard/wg_dump.h"
#include "wireguard/backend.h"
#include "wireguard/uapi_codec.h"
#include "wireguard/userspace_daemon.h"

namespace nodenet::wireguard {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using netlink_test::TestNetns;
using testing::expect_dump_shows;
using testing::private_key_of;
using testing::public_of;
using testing::start_in;
using testing::unique_name;
using testing::UserspaceDeviceGuard;
using testing::wait_until;
using testing::wg_dump;

// Listens on <dir>/<iface>.sock, where a UapiClient(dir) connects, and passes each request on to the
// daemon's real socket, keeping a copy: what nodenet wrote, line by line, as wireguard-go got it.
class UapiRecorder {
public:
    explicit UapiRecorder(const std::string& iface) : iface_(iface) {
        char tmpl[] = "/tmp/nnwg-rec-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        listener_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un addr = address((dir_ / (iface + ".sock")).native());
        if (listener_ < 0 || bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
            listen(listener_, 8) != 0)
            throw std::runtime_error("cannot listen in " + dir_.native());
        thread_ = std::thread([this] { serve(); });
    }
    ~UapiRecorder() {
        stop_ = true;
        thread_.join();
        close(listener_);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }

    const fs::path& dir() const { return dir_; }
    // The set requests received since the last call.
    std::vector<std::string> take_sets() {
        std::lock_guard lock(mutex_);
        std::vector<std::string> sets;
        for (std::string& r : requests_)
            if (r.starts_with("set=1\n")) sets.push_back(std::move(r));
        requests_.clear();
        return sets;
    }

private:
    static sockaddr_un address(const std::string& path) {
        sockaddr_un addr{};
        addr.sun_family = AF_UNIX;
        std::memcpy(addr.sun_path, path.c_str(), path.size() + 1);
        return addr;
    }
    // Up to the empty line that ends a request or a reply (the same framing both ways).
    static bool read_message(int fd, std::string& out) {
        char buf[65536];
        while (reply_end(out) == std::string::npos) {
            ssize_t n = recv(fd, buf, sizeof buf, 0);
            if (n <= 0) return false;
            out.append(buf, static_cast<size_t>(n));
        }
        return true;
    }
    static bool send_all(int fd, const std::string& data) {
        for (size_t sent = 0; sent < data.size();) {
            ssize_t n = send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) return false;
            sent += static_cast<size_t>(n);
        }
        return true;
    }
    void serve() {
        while (!stop_) {
            pollfd p{listener_, POLLIN, 0};
            if (poll(&p, 1, 50) <= 0) continue;
            int client = accept4(listener_, nullptr, nullptr, SOCK_CLOEXEC);
            if (client < 0) continue;
            timeval timeout{10, 0};
            setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
            std::string request, reply;
            if (read_message(client, request)) {
                {
                    std::lock_guard lock(mutex_);
                    requests_.push_back(request);
                }
                int daemon = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
                setsockopt(daemon, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
                sockaddr_un addr = address((kDefaultRunDir / (iface_ + ".sock")).native());
                if (connect(daemon, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 && send_all(daemon, request) &&
                    read_message(daemon, reply))
                    send_all(client, reply);
                close(daemon);
            }
            close(client);  // the client sees an error if no reply was passed on
        }
    }

    std::string iface_;
    fs::path dir_;
    int listener_ = -1;
    std::atomic<bool> stop_{false};
    std::mutex mutex_;
    std::vector<std::string> requests_;
    std::thread thread_;
};

size_t count_of(const std::string& text, const std::string& needle) {
    size_t n = 0;
    for (size_t at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
}


const PeerConfig* peer_of(const DeviceConfig& d, const Key& key) {
    for (const PeerConfig& p : d.peers)
        if (p.public_key == key) return &p;
    return nullptr;
}

// 100 peers with real public keys, each with an endpoint on the namespace's loopback (where nothing
// answers, so sending works) and a keepalive: each starts a handshake at once, so its tx counter
// moves, and a peer that is replaced starts again from 0.
DeviceConfig hundred_peers() {
    DeviceConfig d;
    d.private_key = private_key_of(0x01);
    d.listen_port = 51820;
    for (int i = 0; i < 100; ++i) {
        PeerConfig p;
        p.public_key = public_of(static_cast<uint8_t>(0x10 + i));
        p.endpoint = "127.0.0.1:" + std::to_string(20000 + i);
        p.persistent_keepalive_seconds = 25;
        p.allowed_ips = {*state::parse_ip_prefix("10.100." + std::to_string(i) + ".0/24")};
        d.peers.push_back(p);
    }
    return d;
}

// Every peer of `before` but `except` is still the same session: its counters went on, not back.
void expect_sessions_kept(const DeviceConfig& before, const DeviceConfig& after, const Key& except) {
    size_t checked = 0;
    for (const PeerConfig& b : before.peers) {
        if (b.public_key == except) continue;
        const PeerConfig* a = peer_of(after, b.public_key);
        if (!a) continue;
        ++checked;
        EXPECT_GE(a->stats.tx_bytes, b.stats.tx_bytes) << to_base64(b.public_key) << " was restarted";
        EXPECT_EQ(a->stats.last_handshake_sec, b.stats.last_handshake_sec) << to_base64(b.public_key);
    }
    EXPECT_GE(checked, 98u);
}

TEST(WireguardUserspacePatch, HundredPeersOnlyWhatChangedIsWritten) {
    NODENET_NETNS_OR_SKIP(ns);
    SKIP_WITHOUT_WIREGUARD_GO();
    std::string name = unique_name('p');
    UserspaceDeviceGuard guard(ns, name);
    ASSERT_EQ(start_in(ns, name), "");
    ns.must("link set lo up");
    ns.must("link set " + name + " up");
    UapiRecorder recorder(name);
    Userspace backend{UapiClient(recorder.dir())};
    Userspace direct;  // reads that the recorder need not see

    // A new device: replaced whole, one request naming every peer.
    DeviceConfig want = hundred_peers();
    ASSERT_TRUE(backend.configure(name, want).ok());
    auto sets = recorder.take_sets();
    ASSERT_EQ(sets.size(), 1u);
    EXPECT_EQ(count_of(sets[0], "public_key="), 100u);
    EXPECT_EQ(count_of(sets[0], "replace_peers=true"), 1u);
    // Every peer has sent its first handshake initiation: a session whose counters can be watched.
    DeviceConfig before;
    ASSERT_TRUE(wait_until(
        [&] {
            auto d = direct.read(name);
            if (!d.ok()) return false;
            before = *d;
            return std::all_of(before.peers.begin(), before.peers.end(), [](auto& p) { return p.stats.tx_bytes > 0; });
        },
        10s))
        << "wireguard-go did not start the handshakes its keepalives ask for";
    ASSERT_TRUE(device_matches(want, before));

    // One peer's allowed IPs change: that peer alone is written, as an update.
    DeviceConfig changed = want;
    const Key moved = changed.peers[42].public_key;
    changed.peers[42].allowed_ips = {*state::parse_ip_prefix("10.200.0.0/24"), *state::parse_ip_prefix("fd00:42::/64")};
    ASSERT_TRUE(backend.configure(name, changed, &before).ok());
    sets = recorder.take_sets();
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_EQ(count_of(sets[0], "public_key="), 1u);
    EXPECT_EQ(sets[0], "set=1\npublic_key=" + to_hex(moved) +
                           "\nupdate_only=true\nreplace_allowed_ips=true\nallowed_ip=10.200.0.0/24\n"
                           "allowed_ip=fd00:42::/64\n\n");
    expect_dump_shows(wg_dump(ns, name), changed);  // the 99 others as they were, the changed one right
    auto after = direct.read(name);
    ASSERT_TRUE(after.ok()) << after.error();
    EXPECT_TRUE(device_matches(changed, *after));
    expect_sessions_kept(before, *after, moved);

    // The same config again, as on a reconciliation tick: no request at all.
    ASSERT_TRUE(backend.configure(name, changed, &*after).ok());
    EXPECT_TRUE(recorder.take_sets().empty());

    // One peer removed: only its removal goes.
    DeviceConfig fewer = changed;
    const Key gone = fewer.peers[7].public_key;
    fewer.peers.erase(fewer.peers.begin() + 7);
    ASSERT_TRUE(backend.configure(name, fewer, &*after).ok());
    sets = recorder.take_sets();
    ASSERT_EQ(sets.size(), 1u);
    ASSERT_EQ(count_of(sets[0], "public_key="), 1u);
    EXPECT_EQ(sets[0], "set=1\npublic_key=" + to_hex(gone) + "\nremove=true\n\n");
    expect_dump_shows(wg_dump(ns, name), fewer);
    auto last = direct.read(name);
    ASSERT_TRUE(last.ok()) << last.error();
    EXPECT_EQ(last->peers.size(), 99u);
    EXPECT_FALSE(peer_of(*last, gone));
    expect_sessions_kept(*after, *last, gone);
}

// Two namespaces joined by a veth, a wireguard-go device in each, a tunnel between them.
struct Tunnel {
    TestNetns a, b;
    std::string name_a = unique_name('q'), name_b = unique_name('r');
    UserspaceDeviceGuard guard_a{a, name_a}, guard_b{b, name_b};
    DeviceConfig config_a, config_b;

    // "" or what failed.
    std::string set_up() {
        a.must("link add nnwgva type veth peer name nnwgvb");
        a.must("link set nnwgvb netns " + b.path());
        a.must("addr add 10.88.0.1/24 dev nnwgva");
        b.must("addr add 10.88.0.2/24 dev nnwgvb");
        a.must("link set nnwgva up");
        b.must("link set nnwgvb up");
        if (std::string e = start_in(a, name_a); !e.empty()) return e;
        if (std::string e = start_in(b, name_b); !e.empty()) return e;
        config_a.private_key = private_key_of(0x31);
        config_a.listen_port = 51820;
        PeerConfig to_b;
        to_b.public_key = public_of(0x32);
        to_b.endpoint = "10.88.0.2:51821";
        to_b.allowed_ips = {*state::parse_ip_prefix("10.99.0.2/32")};
        config_a.peers = {to_b};
        config_b.private_key = private_key_of(0x32);
        config_b.listen_port = 51821;
        PeerConfig to_a;  // no endpoint: b learns it from a's first packet
        to_a.public_key = public_of(0x31);
        to_a.allowed_ips = {*state::parse_ip_prefix("10.99.0.1/32")};
        config_b.peers = {to_a};
        Userspace backend;
        if (Status s = backend.configure(name_a, config_a); !s.ok()) return s.error();
        if (Status s = backend.configure(name_b, config_b); !s.ok()) return s.error();
        a.must("addr add 10.99.0.1/24 dev " + name_a);
        b.must("addr add 10.99.0.2/24 dev " + name_b);
        a.must("link set " + name_a + " up");
        b.must("link set " + name_b + " up");
        return "";
    }
    bool ping() const { return a.run({"ping", "-c", "1", "-W", "1", "10.99.0.2"}).exit_code == 0; }
};

TEST(WireguardUserspacePatch, StatisticsAfterARealHandshake) {
    if (geteuid() != 0) GTEST_SKIP() << "network namespaces need root";
    SKIP_WITHOUT_WIREGUARD_GO();
    Tunnel t;
    ASSERT_EQ(t.set_up(), "");
    Userspace backend;
    auto fresh = backend.read(t.name_a);
    ASSERT_TRUE(fresh.ok()) << fresh.error();
    EXPECT_EQ(fresh->peers.at(0).stats, PeerStats{});  // nothing sent yet
    ASSERT_TRUE(wait_until([&] { return t.ping(); }, 15s)) << "no ping through the tunnel";

    auto a = backend.read(t.name_a);
    ASSERT_TRUE(a.ok()) << a.error();
    ASSERT_EQ(a->peers.size(), 1u);
    const PeerStats& sa = a->peers[0].stats;
    EXPECT_TRUE(sa.handshake_done());
    EXPECT_GT(sa.last_handshake_sec, 1600000000);  // Unix time: after 2020
    EXPECT_GT(sa.rx_bytes, 0u);
    EXPECT_GT(sa.tx_bytes, 0u);
    EXPECT_EQ(a->peers[0].endpoint, "10.88.0.2:51821");
    auto b = backend.read(t.name_b);
    ASSERT_TRUE(b.ok()) << b.error();
    ASSERT_EQ(b->peers.size(), 1u);
    EXPECT_TRUE(b->peers[0].stats.handshake_done());
    EXPECT_GT(b->peers[0].stats.rx_bytes, 0u);
    EXPECT_EQ(b->peers[0].endpoint, "10.88.0.1:51820");  // learned: the endpoint in use
    // The statistics agree with `wg show dump` (latest handshake, rx, tx: fields 4 to 6).
    auto lines = testing::dump_lines(wg_dump(t.a, t.name_a));
    ASSERT_EQ(lines.size(), 2u);
    EXPECT_EQ(lines[1][4], std::to_string(sa.last_handshake_sec));

    // b's learned endpoint is not overwritten: the desired config names none.
    EXPECT_TRUE(device_patch(t.config_b, *b).empty());
    // Nor, with keep_current_endpoint, by a first guess that differs.
    DeviceConfig guess = t.config_b;
    guess.peers[0].endpoint = "10.88.0.9:1";
    guess.peers[0].keep_current_endpoint = true;
    EXPECT_TRUE(device_patch(guess, *b).empty());

    // A peer added beside it: the session with b goes on, the same handshake, counters not reset.
    DeviceConfig more = t.config_a;
    PeerConfig extra;
    extra.public_key = public_of(0x33);
    extra.allowed_ips = {*state::parse_ip_prefix("10.99.0.3/32")};
    more.peers.push_back(extra);
    ASSERT_TRUE(backend.configure(t.name_a, more, &*a).ok());
    auto kept = backend.read(t.name_a);
    ASSERT_TRUE(kept.ok()) << kept.error();
    const PeerConfig* to_b = peer_of(*kept, t.config_a.peers[0].public_key);
    ASSERT_TRUE(to_b);
    EXPECT_EQ(to_b->stats.last_handshake_sec, sa.last_handshake_sec);
    EXPECT_EQ(to_b->stats.last_handshake_nsec, sa.last_handshake_nsec);
    EXPECT_GE(to_b->stats.rx_bytes, sa.rx_bytes);
    EXPECT_GE(to_b->stats.tx_bytes, sa.tx_bytes);

    // A full replace, by contrast, restarts it: what the patch avoids, and what this test would see.
    ASSERT_TRUE(backend.configure(t.name_a, more).ok());
    auto replaced = backend.read(t.name_a);
    ASSERT_TRUE(replaced.ok()) << replaced.error();
    to_b = peer_of(*replaced, t.config_a.peers[0].public_key);
    ASSERT_TRUE(to_b);
    EXPECT_EQ(to_b->stats.rx_bytes, 0u);
    EXPECT_FALSE(to_b->stats.handshake_done());
}

}  // namespace
}  // namespace nodenet::wireguard
