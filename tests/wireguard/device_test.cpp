// The device model: endpoints, comparison that ignores order, and the conversion of a config's
// WireGuard settings.
#include "wireguard/device.h"
#include "wireguard/settings.h"

#include <gtest/gtest.h>

#include "tests/wireguard/fixtures.h"

namespace nodenet::wireguard {
namespace {

using testing::key_of;
using testing::prefix;
using testing::two_peer_device;

TEST(WireguardEndpoint, ParsesIpLiteralsOnly) {
    EXPECT_EQ(parse_endpoint("192.0.2.1:51820")->str(), "192.0.2.1:51820");
    EXPECT_EQ(parse_endpoint("[2001:db8::1]:1")->str(), "[2001:db8::1]:1");
    EXPECT_EQ(parse_endpoint("[2001:0db8:0::1]:65535")->str(), "[2001:db8::1]:65535");  // canonical
    EXPECT_EQ(parse_endpoint("192.0.2.1:0")->port, 0);
    for (const char* bad : {"", "192.0.2.1", "192.0.2.1:", ":51820", "192.0.2.1:65536", "192.0.2.1:-1",
                            "192.0.2.1:+5", "192.0.2.1: 5", "2001:db8::1:51820", "[192.0.2.1]:51820",
                            "[2001:db8::1]", "[fe80::1%eth0]:51820", "vpn.example.com:51820", "[2001:db8::1:51820"})
        EXPECT_FALSE(parse_endpoint(bad)) << bad;
}

TEST(WireguardDevice, EqualityIgnoresOrderAndHostBits) {
    DeviceConfig a = two_peer_device();
    DeviceConfig b = a;
    std::swap(b.peers[0], b.peers[1]);
    std::swap(b.peers[1].allowed_ips[0], b.peers[1].allowed_ips[1]);
    b.peers[1].allowed_ips[0] = prefix("10.1.2.3/16");        // the device keeps 10.1.0.0/16
    b.peers[1].allowed_ips.push_back(prefix("10.2.3.4/32"));  // a duplicate is one entry
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.peers[0], b.peers[1]);
    EXPECT_EQ(normalized(a).peers[0].public_key, key_of(0xA1));

    auto differs = [&](auto change) {
        DeviceConfig c = a;
        change(c);
        return !(a == c);
    };
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.private_key.reset(); }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.listen_port = 1; }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.firewall_mark = 0; }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers.pop_back(); }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].public_key = key_of(1); }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].preshared_key.reset(); }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].endpoint = "192.0.2.2:51820"; }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].persistent_keepalive_seconds = 0; }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].allowed_ips.pop_back(); }));
    EXPECT_TRUE(differs([](DeviceConfig& c) { c.peers[0].allowed_ips[0].len = 17; }));
}

TEST(WireguardDevice, PrivateKeysCompareClamped) {
    // The kernel and wireguard-go clamp a private key they are given: what they give back differs
    // in a few bits from an unclamped key, and means the same.
    DeviceConfig written = two_peer_device();  // 0x11 in every byte: not clamped
    DeviceConfig read = written;
    read.private_key = clamped(*written.private_key);
    EXPECT_NE(*read.private_key, *written.private_key);
    EXPECT_EQ(read, written);
    EXPECT_TRUE(device_matches(written, read));
}

TEST(WireguardDevice, MatchesLeavesToTheDeviceWhatItChooses) {
    DeviceConfig desired = two_peer_device();
    desired.listen_port = 0;
    desired.peers[1].endpoint.clear();
    DeviceConfig actual = two_peer_device();
    actual.listen_port = 40123;                       // picked by the device
    actual.peers[1].endpoint = "[2001:db8::9]:1234";  // learned from the peer
    EXPECT_TRUE(device_matches(desired, actual));
    EXPECT_FALSE(desired == actual);
    EXPECT_FALSE(device_matches(actual, desired));
    actual.peers[0].endpoint = "192.0.2.9:51820";  // roamed away from the endpoint the config names
    EXPECT_FALSE(device_matches(desired, actual));
}

state::WireguardSettings settings() {
    state::WireguardSettings s;
    s.private_key = "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=";  // RFC 7748's Bob
    s.listen_port = 51820;
    s.firewall_mark = 7;
    state::WireguardPeer p;
    p.public_key = "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=";
    p.endpoint = "[2001:0db8::1]:51820";
    p.persistent_keepalive_seconds = 25;
    p.allowed_ips = {prefix("10.0.0.5/24"), prefix("fd00::1/128")};
    state::WireguardPeer q;
    q.public_key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    s.peers = {p, q};
    return s;
}

TEST(WireguardDevice, FromSettings) {
    auto d = device_config(settings());
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(to_base64(*d->private_key), "XasIfmJKikt54X+Lg4AO5m87sSkmGLb9HC+LJ/+I4Os=");
    EXPECT_EQ(d->listen_port, 51820);
    EXPECT_EQ(d->firewall_mark, 7u);
    ASSERT_EQ(d->peers.size(), 2u);
    EXPECT_EQ(to_base64(d->peers[0].public_key), "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=");
    EXPECT_FALSE(d->peers[0].preshared_key);
    EXPECT_EQ(d->peers[0].endpoint, "[2001:db8::1]:51820");
    EXPECT_EQ(d->peers[0].persistent_keepalive_seconds, 25);
    EXPECT_EQ(d->peers[0].allowed_ips, (std::vector{prefix("10.0.0.0/24"), prefix("fd00::1/128")}));
    EXPECT_EQ(d->peers[1].endpoint, "");

    state::WireguardSettings none = settings();
    none.private_key.clear();
    EXPECT_FALSE(device_config(none)->private_key);
}

TEST(WireguardDevice, FromSettingsNamesTheBadPeer) {
    auto error = [](auto change) {
        state::WireguardSettings s = settings();
        change(s);
        auto d = device_config(s);
        return d.ok() ? std::string("accepted") : d.error();
    };
    EXPECT_EQ(error([](auto& s) { s.private_key = "short"; }),
              "private key: not a WireGuard key: 5 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(error([](auto& s) { s.peers[1].public_key = "x"; }),
              "peers[1]: public key: not a WireGuard key: 1 characters, expected 44 (32 bytes in base64)");
    EXPECT_EQ(error([](auto& s) { s.peers[0].endpoint = "vpn.example.com:51820"; }),
              "peers[0] (hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=): endpoint \"vpn.example.com:51820\" is not "
              "an IP address and port (host names are not resolved)");
    EXPECT_EQ(error([](auto& s) { s.peers[1].persistent_keepalive_seconds = 65536; }),
              "peers[1] (AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=): persistent keepalive 65536 s is out of range "
              "(0 to 65535)");
    EXPECT_EQ(error([](auto& s) { s.peers[1].public_key = s.peers[0].public_key; }),
              "peers[1] (hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=): the same public key as peers[0]");
}

TEST(WireguardDevice, FromSettingsRefusesTheDevicesOwnKeyAsAPeer) {
    state::WireguardSettings s = settings();
    s.peers.resize(1);
    // Alice's public key is peers[0]'s: a device drops such a peer without a word, so it would
    // never read back as configured.
    s.private_key = "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo=";
    auto d = device_config(s);
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), "peers[0] (hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo=): this is the device's own public key");
}

TEST(WireguardInterfaceName, AsTheKernelChecksIt) {
    EXPECT_TRUE(valid_interface_name("wg0"));
    EXPECT_TRUE(valid_interface_name("nnwg123456789ab"));  // 15
    for (const char* bad : {"", ".", "..", "nnwg123456789abc", "a/b", "../x", "a b", "a:b", "a\nb"})
        EXPECT_FALSE(valid_interface_name(bad)) << bad;
}

}  // namespace
}  // namespace nodenet::wireguard
