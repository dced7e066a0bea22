// The patch between a desired device and the device as read: exact patches for each kind of change,
// and, on thousands of generated pairs, that the patch is empty exactly when device_matches() says
// the device is as desired, and that a device which applies it then matches.
#include "wireguard/patch.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "tests/wireguard/fixtures.h"

namespace nodenet::wireguard {
namespace {

using testing::key_of;
using testing::prefix;
using testing::two_peer_device;

TEST(WireguardPatch, NothingToWriteWhenTheDeviceIsAsDesired) {
    EXPECT_TRUE(device_patch(two_peer_device(), two_peer_device()).empty());
    // What the device decides by itself, and what reads back different but means the same.
    DeviceConfig desired = two_peer_device();
    desired.listen_port = 0;
    desired.peers[1].endpoint.clear();
    std::swap(desired.peers[0], desired.peers[1]);
    DeviceConfig actual = two_peer_device();
    actual.private_key = clamped(*actual.private_key);
    actual.listen_port = 40123;
    actual.peers[1].endpoint = "[2001:db8::9]:1234";  // roamed
    std::reverse(actual.peers[0].allowed_ips.begin(), actual.peers[0].allowed_ips.end());
    actual.peers[0].stats = PeerStats{1700000000, 5, 100, 200};  // counters are no difference
    EXPECT_TRUE(device_matches(desired, actual));
    EXPECT_TRUE(device_patch(desired, actual).empty());
    EXPECT_TRUE(DevicePatch{}.empty());
}

TEST(WireguardPatch, DeviceSettingsOnlyWhenTheyDiffer) {
    DeviceConfig desired = two_peer_device(), actual = two_peer_device();
    desired.listen_port = 51821;
    DevicePatch p = device_patch(desired, actual);
    EXPECT_EQ(p.listen_port, std::optional<uint16_t>(51821));
    EXPECT_FALSE(p.private_key);
    EXPECT_FALSE(p.firewall_mark);
    EXPECT_FALSE(p.replace_peers);
    EXPECT_TRUE(p.peers.empty());

    desired = two_peer_device();
    desired.private_key.reset();  // the device's key is removed: a zero key
    desired.firewall_mark = 0;
    p = device_patch(desired, actual);
    ASSERT_TRUE(p.private_key);
    EXPECT_TRUE(p.private_key->is_zero());
    EXPECT_EQ(p.firewall_mark, std::optional<uint32_t>(0));
    EXPECT_FALSE(p.listen_port);

    desired = two_peer_device();
    desired.private_key = key_of(0x12);
    p = device_patch(desired, actual);
    EXPECT_EQ(p.private_key, clamped(key_of(0x12)));
}

TEST(WireguardPatch, RemovesAddsAndUpdatesPeersInKeyOrder) {
    DeviceConfig actual = two_peer_device();  // peers A1, B2
    DeviceConfig desired = two_peer_device();
    desired.peers.erase(desired.peers.begin() + 1);  // B2 goes
    PeerConfig c;
    c.public_key = key_of(0x03);
    c.allowed_ips = {prefix("10.3.0.0/16")};
    desired.peers.push_back(c);                                    // 03 comes
    desired.peers[0].allowed_ips.push_back(prefix("10.4.0.0/16"));  // A1 changes its allowed IPs only

    DevicePatch p = device_patch(desired, actual);
    EXPECT_FALSE(p.replace_peers);
    ASSERT_EQ(p.peers.size(), 3u);
    EXPECT_EQ(p.peers[0].public_key, key_of(0x03));
    EXPECT_EQ(p.peers[1].public_key, key_of(0xA1));
    EXPECT_EQ(p.peers[2].public_key, key_of(0xB2));

    const PeerPatch& added = p.peers[0];  // every field, the allowed IPs replacing any
    EXPECT_FALSE(added.remove);
    EXPECT_FALSE(added.update_only);
    EXPECT_EQ(added.preshared_key, Key{});
    EXPECT_FALSE(added.endpoint);
    EXPECT_EQ(added.persistent_keepalive_seconds, std::optional<uint16_t>(0));
    EXPECT_EQ(added.allowed_ips, std::optional(std::vector{prefix("10.3.0.0/16")}));

    const PeerPatch& updated = p.peers[1];
    EXPECT_FALSE(updated.remove);
    EXPECT_TRUE(updated.update_only);
    EXPECT_FALSE(updated.preshared_key);
    EXPECT_FALSE(updated.endpoint);
    EXPECT_FALSE(updated.persistent_keepalive_seconds);
    EXPECT_EQ(updated.allowed_ips,
              std::optional(std::vector{prefix("10.1.0.0/16"), prefix("10.2.3.4/32"), prefix("10.4.0.0/16")}));

    const PeerPatch& removed = p.peers[2];
    EXPECT_TRUE(removed.remove);
    EXPECT_FALSE(removed.update_only || removed.preshared_key || removed.endpoint ||
                 removed.persistent_keepalive_seconds || removed.allowed_ips);
}

TEST(WireguardPatch, UpdatesWriteOnlyTheFieldsThatDiffer) {
    DeviceConfig actual = two_peer_device();
    auto one = [&](auto change) {
        DeviceConfig desired = two_peer_device();
        change(desired.peers[0]);
        DevicePatch p = device_patch(desired, actual);
        EXPECT_EQ(p.peers.size(), 1u);
        return p.peers.empty() ? PeerPatch{} : p.peers[0];
    };
    PeerPatch p = one([](PeerConfig& a) { a.preshared_key.reset(); });
    EXPECT_EQ(p.preshared_key, Key{});  // zero: removed
    EXPECT_FALSE(p.endpoint || p.persistent_keepalive_seconds || p.allowed_ips);
    p = one([](PeerConfig& a) { a.endpoint = "[2001:0db8::7]:9"; });
    EXPECT_EQ(p.endpoint, std::optional<std::string>("[2001:db8::7]:9"));  // canonical
    EXPECT_FALSE(p.preshared_key || p.persistent_keepalive_seconds || p.allowed_ips);
    p = one([](PeerConfig& a) { a.persistent_keepalive_seconds = 0; });
    EXPECT_EQ(p.persistent_keepalive_seconds, std::optional<uint16_t>(0));
    EXPECT_FALSE(p.preshared_key || p.endpoint || p.allowed_ips);
    p = one([](PeerConfig& a) { a.allowed_ips.clear(); });
    EXPECT_EQ(p.allowed_ips, std::optional(std::vector<state::IpPrefix>{}));  // replaced by none
    EXPECT_TRUE(p.update_only);
}

TEST(WireguardPatch, LeavesARoamedEndpointAlone) {
    DeviceConfig actual = two_peer_device();
    actual.peers[0].endpoint = "198.51.100.9:40000";  // where the peer roamed
    DeviceConfig desired = two_peer_device();         // names 192.0.2.1:51820
    ASSERT_EQ(device_patch(desired, actual).peers.size(), 1u);
    EXPECT_EQ(device_patch(desired, actual).peers[0].endpoint, std::optional<std::string>("192.0.2.1:51820"));

    // keep_current_endpoint: the desired endpoint is only a first guess.
    desired.peers[0].keep_current_endpoint = true;
    EXPECT_TRUE(device_patch(desired, actual).empty());
    EXPECT_TRUE(device_matches(desired, actual));
    actual.peers[0].endpoint.clear();  // the device has none: the guess is written
    DevicePatch p = device_patch(desired, actual);
    ASSERT_EQ(p.peers.size(), 1u);
    EXPECT_EQ(p.peers[0].endpoint, std::optional<std::string>("192.0.2.1:51820"));
    EXPECT_FALSE(device_matches(desired, actual));
    // A new peer gets its guess.
    actual.peers.erase(actual.peers.begin());
    p = device_patch(desired, actual);
    ASSERT_EQ(p.peers.size(), 1u);
    EXPECT_EQ(p.peers[0].endpoint, std::optional<std::string>("192.0.2.1:51820"));
}

TEST(WireguardPatch, ReplacementWritesEverything) {
    DevicePatch p = replacement(two_peer_device());
    EXPECT_TRUE(p.replace_peers);
    EXPECT_EQ(p.private_key, key_of(0x11));
    EXPECT_EQ(p.listen_port, std::optional<uint16_t>(51820));
    EXPECT_EQ(p.firewall_mark, std::optional<uint32_t>(0x42));
    ASSERT_EQ(p.peers.size(), 2u);
    EXPECT_EQ(p.peers[1].preshared_key, Key{});
    EXPECT_EQ(p.peers[1].endpoint, std::optional<std::string>("[2001:db8::1]:4500"));
    EXPECT_EQ(p.peers[1].persistent_keepalive_seconds, std::optional<uint16_t>(0));
    EXPECT_FALSE(p.peers[1].update_only);
    DevicePatch none = replacement(DeviceConfig{});
    EXPECT_FALSE(none.empty());  // it clears the device
    EXPECT_EQ(none.private_key, Key{});
}

// ---- properties on generated pairs ----

// What a device does with a patch (the kernel's set_peer, wireguard-go's UAPI), for the generated
// configs below, whose peers have disjoint allowed IPs.
DeviceConfig apply(DeviceConfig device, const DevicePatch& patch) {
    if (patch.private_key)
        device.private_key = patch.private_key->is_zero() ? std::nullopt : std::optional(clamped(*patch.private_key));
    if (patch.listen_port) device.listen_port = *patch.listen_port;
    if (patch.firewall_mark) device.firewall_mark = *patch.firewall_mark;
    if (patch.replace_peers) device.peers.clear();
    for (const PeerPatch& pp : patch.peers) {
        auto it = std::find_if(device.peers.begin(), device.peers.end(),
                               [&](const PeerConfig& p) { return p.public_key == pp.public_key; });
        if (pp.remove) {
            if (it != device.peers.end()) device.peers.erase(it);
            continue;
        }
        if (it == device.peers.end()) {
            if (pp.update_only) continue;
            device.peers.emplace_back().public_key = pp.public_key;
            it = device.peers.end() - 1;
        }
        if (pp.preshared_key) it->preshared_key = pp.preshared_key->is_zero() ? std::nullopt : pp.preshared_key;
        if (pp.endpoint) it->endpoint = *pp.endpoint;
        if (pp.persistent_keepalive_seconds) it->persistent_keepalive_seconds = *pp.persistent_keepalive_seconds;
        if (pp.allowed_ips) it->allowed_ips = *pp.allowed_ips;
    }
    return device;
}

class Generator {
public:
    explicit Generator(uint32_t seed) : rng_(seed) {}

    // Few distinct values, so that generated configs often agree.
    DeviceConfig desired() {
        DeviceConfig d;
        if (coin(4)) d.private_key = key_of(static_cast<uint8_t>(0x10 + pick(2)));
        d.listen_port = coin(2) ? 0 : static_cast<uint16_t>(51820 + pick(2));
        d.firewall_mark = static_cast<uint32_t>(pick(2));
        for (uint8_t k = 1; k <= 6; ++k)
            if (coin(2)) d.peers.push_back(peer(k));
        std::shuffle(d.peers.begin(), d.peers.end(), rng_);
        for (PeerConfig& p : d.peers) p.keep_current_endpoint = coin(4) == 0;
        return d;
    }

    // As a device reads back: a variation of `desired`, or a device of its own.
    DeviceConfig actual(const DeviceConfig& desired) {
        DeviceConfig a = desired;
        if (coin(5) == 0) a = this->desired();
        for (PeerConfig& p : a.peers) {
            p.keep_current_endpoint = false;
            if (p.endpoint.empty() && coin(3) == 0) p.endpoint = endpoint();  // learned by roaming
            p.stats = PeerStats{static_cast<int64_t>(pick(3)), static_cast<uint32_t>(pick(3)), pick(5), pick(5)};
        }
        for (int changes = static_cast<int>(pick(3)); changes > 0; --changes) mutate(a);
        if (a.listen_port == 0) a.listen_port = 40000;  // a device always has a port
        if (a.private_key) a.private_key = clamped(*a.private_key);
        return normalized(a);  // as read: allowed IPs masked, endpoints canonical
    }

private:
    bool coin(int sides) { return std::uniform_int_distribution<int>(0, sides - 1)(rng_) != 0; }
    uint64_t pick(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
    std::string endpoint() { return pick(2) ? "192.0.2." + std::to_string(1 + pick(2)) + ":51820" : "[2001:db8::1]:4500"; }

    // Peer k's allowed IPs lie in 10.k.0.0/16 or fd00:k::/32: no two peers claim one.
    PeerConfig peer(uint8_t k) {
        PeerConfig p;
        p.public_key = key_of(k);
        if (pick(3) == 0) p.preshared_key = key_of(static_cast<uint8_t>(0x50 + pick(2)));
        if (coin(2)) p.endpoint = endpoint();
        p.persistent_keepalive_seconds = static_cast<uint16_t>(pick(2) * 25);
        for (int i = static_cast<int>(pick(4)); i > 0; --i) {
            std::string ip = pick(3) ? "10." + std::to_string(k) + "." + std::to_string(pick(3)) + ".7/24"
                                     : "fd00:" + std::to_string(k) + "::" + std::to_string(pick(3)) + "/64";
            p.allowed_ips.push_back(prefix(ip));  // host bits set, duplicates possible: the same once masked
        }
        return p;
    }

    void mutate(DeviceConfig& a) {
        switch (pick(9)) {
            case 0: a.listen_port = static_cast<uint16_t>(51820 + pick(2)); break;
            case 1: a.firewall_mark = static_cast<uint32_t>(pick(2)); break;
            case 2: a.private_key = coin(3) ? std::optional(key_of(static_cast<uint8_t>(0x10 + pick(2)))) : std::nullopt; break;
            case 3: a.peers.push_back(peer(static_cast<uint8_t>(7 + pick(2)))); break;  // one desired never has
            default: {
                if (a.peers.empty()) return;
                PeerConfig& p = a.peers[pick(a.peers.size())];
                switch (pick(5)) {
                    case 0: a.peers.erase(a.peers.begin() + static_cast<long>(&p - a.peers.data())); break;
                    case 1: p.preshared_key = coin(2) ? std::optional(key_of(0x50)) : std::nullopt; break;
                    case 2: p.endpoint = endpoint(); break;
                    case 3: p.persistent_keepalive_seconds = static_cast<uint16_t>(pick(2) * 25); break;
                    default:
                        if (coin(2) && !p.allowed_ips.empty()) p.allowed_ips.pop_back();
                        else p.allowed_ips.push_back(prefix("10." + std::to_string(p.public_key.bytes[0]) + ".9.0/24"));
                }
            }
        }
        // Two peers with one key cannot be read back.
        std::sort(a.peers.begin(), a.peers.end(),
                  [](const PeerConfig& x, const PeerConfig& y) { return x.public_key < y.public_key; });
        a.peers.erase(std::unique(a.peers.begin(), a.peers.end(),
                                  [](const PeerConfig& x, const PeerConfig& y) { return x.public_key == y.public_key; }),
                      a.peers.end());
    }

    std::mt19937 rng_;
};

TEST(WireguardPatch, EmptyExactlyWhenTheDeviceMatches) {
    Generator gen(20240517);
    int matching = 0, differing = 0;
    for (int i = 0; i < 5000; ++i) {
        DeviceConfig desired = gen.desired();
        DeviceConfig actual = gen.actual(desired);
        DevicePatch patch = device_patch(desired, actual);
        bool matches = device_matches(desired, actual);
        (matches ? matching : differing)++;
        ASSERT_EQ(patch.empty(), matches) << "case " << i;

        // The device, once patched, is as desired, and nothing is left to write.
        DeviceConfig after = apply(actual, patch);
        ASSERT_TRUE(device_matches(desired, after)) << "case " << i;
        ASSERT_TRUE(device_patch(desired, after).empty()) << "case " << i;
        // A full replace gets there too.
        ASSERT_TRUE(device_matches(desired, apply(actual, replacement(desired)))) << "case " << i;

        // Only what changed is named: no removal of a desired peer, no unchanged peer, no peer twice.
        for (size_t j = 0; j < patch.peers.size(); ++j) {
            const PeerPatch& pp = patch.peers[j];
            if (j > 0) {
                ASSERT_LT(patch.peers[j - 1].public_key, pp.public_key) << "case " << i;
            }
            auto in = [&](const DeviceConfig& d) {
                return std::any_of(d.peers.begin(), d.peers.end(), [&](auto& p) { return p.public_key == pp.public_key; });
            };
            ASSERT_EQ(pp.remove, !in(desired)) << "case " << i;
            ASSERT_EQ(pp.update_only, in(desired) && in(actual)) << "case " << i;
            if (pp.update_only) {
                DeviceConfig one_want, one_have;
                for (auto& p : desired.peers)
                    if (p.public_key == pp.public_key) one_want.peers = {p};
                for (auto& p : actual.peers)
                    if (p.public_key == pp.public_key) one_have.peers = {p};
                ASSERT_FALSE(device_matches(one_want, one_have)) << "case " << i;
            }
        }
    }
    // Both outcomes are well represented.
    EXPECT_GT(matching, 500);
    EXPECT_GT(differing, 500);
}

}  // namespace
}  // namespace nodenet::wireguard
