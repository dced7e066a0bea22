// The UAPI text protocol: the exact set request, replies as wireguard-go writes them, and every way
// a reply can be wrong.
#include "wireguard/uapi_codec.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <iterator>

#include "tests/wireguard/fixtures.h"

namespace nodenet::wireguard {
namespace {

using testing::key_of;
using testing::prefix;
using testing::two_peer_device;

std::string hex_of(uint8_t fill) { return to_hex(key_of(fill)); }
const std::string kZero(64, '0');

TEST(WireguardUapiSetRequest, ExactText) {
    auto request = set_request(two_peer_device());
    ASSERT_TRUE(request.ok()) << request.error();
    EXPECT_EQ(*request,
              "set=1\n"
              "private_key=" + hex_of(0x11) + "\n"
              "listen_port=51820\n"
              "fwmark=66\n"
              "replace_peers=true\n"
              "public_key=" + hex_of(0xA1) + "\n"
              "preshared_key=" + hex_of(0x55) + "\n"
              "endpoint=192.0.2.1:51820\n"
              "persistent_keepalive_interval=25\n"
              "replace_allowed_ips=true\n"
              "allowed_ip=10.1.0.0/16\n"
              "allowed_ip=10.2.3.4/32\n"
              "public_key=" + hex_of(0xB2) + "\n"
              "preshared_key=" + kZero + "\n"
              "endpoint=[2001:db8::1]:4500\n"
              "persistent_keepalive_interval=0\n"
              "replace_allowed_ips=true\n"
              "allowed_ip=fd00:1::/64\n"
              "\n");
}

TEST(WireguardUapiSetRequest, ClearsWhatIsUnset) {
    auto request = set_request(DeviceConfig{});
    ASSERT_TRUE(request.ok());
    EXPECT_EQ(*request, "set=1\nprivate_key=" + kZero + "\nlisten_port=0\nfwmark=0\nreplace_peers=true\n\n");
}

TEST(WireguardUapiSetRequest, RefusesAnEndpointThatWouldGoOutVerbatim) {
    DeviceConfig d = two_peer_device();
    d.peers[0].endpoint = "192.0.2.1:51820\nprivate_key=" + kZero;  // would inject a line
    auto request = set_request(d);
    ASSERT_FALSE(request.ok());
    // Control characters show as '?', and a long value is cut at 64 characters.
    EXPECT_EQ(request.error(), "peer oaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaE=: endpoint \"192.0.2.1:51820?private_key=" +
                                   std::string(36, '0') + "...\" is not an IP address and port");
}

TEST(WireguardUapiSetRequest, PatchExactText) {
    DevicePatch patch;
    patch.listen_port = 51821;
    PeerPatch added;
    added.public_key = key_of(0x03);
    added.preshared_key = Key{};
    added.persistent_keepalive_seconds = 0;
    added.allowed_ips = std::vector{prefix("10.3.0.0/16")};
    PeerPatch updated;
    updated.public_key = key_of(0xA1);
    updated.update_only = true;
    updated.endpoint = "[2001:0db8::7]:9";
    updated.allowed_ips = std::vector<state::IpPrefix>{};  // replaced by none
    PeerPatch removed;
    removed.public_key = key_of(0xB2);
    removed.remove = true;
    removed.persistent_keepalive_seconds = 5;  // ignored: a removal carries nothing else
    patch.peers = {added, updated, removed};
    auto request = set_request(patch);
    ASSERT_TRUE(request.ok()) << request.error();
    // No private_key, fwmark or replace_peers: what the patch does not set is left alone.
    EXPECT_EQ(*request,
              "set=1\n"
              "listen_port=51821\n"
              "public_key=" + hex_of(0x03) + "\n"
              "preshared_key=" + kZero + "\n"
              "persistent_keepalive_interval=0\n"
              "replace_allowed_ips=true\n"
              "allowed_ip=10.3.0.0/16\n"
              "public_key=" + hex_of(0xA1) + "\n"
              "update_only=true\n"
              "endpoint=[2001:db8::7]:9\n"
              "replace_allowed_ips=true\n"
              "public_key=" + hex_of(0xB2) + "\n"
              "remove=true\n"
              "\n");
    EXPECT_EQ(*set_request(DevicePatch{}), "set=1\n\n");

    updated.endpoint = "vpn.example.com:51820";
    patch.peers = {updated};
    EXPECT_EQ(set_request(patch).error(), "peer oaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaGhoaE=: endpoint "
                                          "\"vpn.example.com:51820\" is not an IP address and port");
}

TEST(WireguardUapiSetRequest, PatchOfAChangedDevice) {
    DeviceConfig desired = two_peer_device();
    desired.peers[0].allowed_ips.pop_back();
    auto request = set_request(device_patch(desired, two_peer_device()));
    ASSERT_TRUE(request.ok()) << request.error();
    EXPECT_EQ(*request, "set=1\npublic_key=" + hex_of(0xA1) +
                            "\nupdate_only=true\nreplace_allowed_ips=true\nallowed_ip=10.1.0.0/16\n\n");
}

// What wireguard-go 0.0.20220316 answers for a device configured with two_peer_device().
std::string wireguard_go_reply() {
    return "private_key=" + hex_of(0x11) + "\n"
           "listen_port=51820\n"
           "fwmark=66\n"
           "public_key=" + hex_of(0xB2) + "\n"
           "preshared_key=" + kZero + "\n"
           "protocol_version=1\n"
           "endpoint=[2001:db8::1]:4500\n"
           "last_handshake_time_sec=0\n"
           "last_handshake_time_nsec=0\n"
           "tx_bytes=0\n"
           "rx_bytes=0\n"
           "persistent_keepalive_interval=0\n"
           "allowed_ip=fd00:1::/64\n"
           "public_key=" + hex_of(0xA1) + "\n"
           "preshared_key=" + hex_of(0x55) + "\n"
           "protocol_version=1\n"
           "endpoint=192.0.2.1:51820\n"
           "last_handshake_time_sec=1700000000\n"
           "last_handshake_time_nsec=123\n"
           "tx_bytes=18446744073709551615\n"
           "rx_bytes=92\n"
           "persistent_keepalive_interval=25\n"
           "allowed_ip=10.2.3.4/32\n"
           "allowed_ip=10.1.0.0/16\n"
           "errno=0\n"
           "\n";
}

TEST(WireguardUapiGetReply, ParsesWireguardGo) {
    auto d = parse_get_reply(wireguard_go_reply());
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(*d, two_peer_device());
    EXPECT_EQ(d->peers[0].public_key, key_of(0xB2));  // in the reply's order
    EXPECT_FALSE(d->peers[0].preshared_key);         // all zero: none
    EXPECT_EQ(d->peers[1].allowed_ips, (std::vector{prefix("10.2.3.4/32"), prefix("10.1.0.0/16")}));
    // The statistics, beside the configuration; the endpoint read is the one in use.
    EXPECT_EQ(d->peers[0].stats, PeerStats{});
    EXPECT_FALSE(d->peers[0].stats.handshake_done());
    EXPECT_EQ(d->peers[1].stats.last_handshake_sec, 1700000000);
    EXPECT_EQ(d->peers[1].stats.last_handshake_nsec, 123u);
    EXPECT_EQ(d->peers[1].stats.rx_bytes, 92u);
    EXPECT_EQ(d->peers[1].stats.tx_bytes, 18446744073709551615u);
    EXPECT_TRUE(d->peers[1].stats.handshake_done());
}

TEST(WireguardUapiGetReply, FuzzSeedIsTheSameReply) {
    std::ifstream in(std::string(NODENET_SOURCE_DIR) + "/fuzz/corpus/wireguard_uapi/two-peers");
    std::string seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(seed, wireguard_go_reply());
}

TEST(WireguardUapiGetReply, AFreshDevice) {
    // A new wireguard-go device: no key, a port it picked, no peers.
    auto d = parse_get_reply("listen_port=40256\nerrno=0\n\n");
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_FALSE(d->private_key);
    EXPECT_EQ(d->listen_port, 40256);
    EXPECT_TRUE(d->peers.empty());
    EXPECT_TRUE(parse_get_reply("errno=0\n\n").ok());
}

TEST(WireguardUapiGetReply, SkipsKeysOfNewerVersions) {
    auto d = parse_get_reply("jc=4\nlisten_port=1\npublic_key=" + hex_of(1) + "\nfuture_key=x\nallowed_ip=10.0.0.0/8\nerrno=0\n\n");
    ASSERT_TRUE(d.ok()) << d.error();
    ASSERT_EQ(d->peers.size(), 1u);
    EXPECT_EQ(d->peers[0].allowed_ips, std::vector{prefix("10.0.0.0/8")});
}

TEST(WireguardUapiGetReply, DropsTheZoneOfARoamedLinkLocalEndpoint) {
    auto d = parse_get_reply("public_key=" + hex_of(1) + "\nendpoint=[fe80::1%eth0]:51820\nerrno=0\n\n");
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(d->peers[0].endpoint, "[fe80::1]:51820");
}

TEST(WireguardUapiGetReply, RoundTripsThroughTheDaemonSide) {
    DeviceConfig d = two_peer_device();
    d.peers[1].stats = PeerStats{1712345678, 999999999, 7, 8};
    auto back = parse_get_reply(format_get_reply(d));
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, d);
    EXPECT_EQ(back->peers[1].stats, d.peers[1].stats);
    EXPECT_EQ(back->peers[0].stats, PeerStats{});
    EXPECT_EQ(*parse_get_reply(format_get_reply(DeviceConfig{})), DeviceConfig{});
}

TEST(WireguardUapiGetReply, ErrnoIsAnError) {
    EXPECT_EQ(parse_get_reply("errno=-22\n\n").error(), "the device answered errno=-22 (Invalid argument)");
    EXPECT_EQ(parse_get_reply("listen_port=1\nerrno=5\n\n").error(), "the device answered errno=5 (Input/output error)");
}

// Each malformed reply and the error it must give: never a crash, never a silent success.
TEST(WireguardUapiGetReply, EveryMalformedReply) {
    const std::string pk = "public_key=" + hex_of(1) + "\n";
    const std::pair<std::string, std::string> cases[] = {
        {"", "reply line 0: the reply ends before errno"},
        {"\n", "reply line 1: the reply ends before errno"},
        {"errno=0\n", "reply line 1: the reply ends without an empty line"},
        {"errno=0", "reply line 0: the reply ends without an empty line"},
        {"listen_port=1\n", "reply line 1: the reply ends before errno"},
        {"listen_port=1\n\n", "reply line 2: the reply ends before errno"},
        {"errno=0\n\nlisten_port=1\n", "reply line 2: data after the end of the reply"},
        {"errno=0\nlisten_port=1\n\n", "reply line 2: data after errno"},
        {"errno=0\nerrno=0\n\n", "reply line 2: data after errno"},
        {"listen_port\nerrno=0\n\n", "reply line 1: no '=' in \"listen_port\""},
        {"errno\n\n", "reply line 1: no '=' in \"errno\""},
        {"errno=\n\n", "reply line 1: errno \"\" is not a number from -4095 to 4095"},
        {"errno=x\n\n", "reply line 1: errno \"x\" is not a number from -4095 to 4095"},
        {"errno=4096\n\n", "reply line 1: errno \"4096\" is not a number from -4095 to 4095"},
        {"errno=--1\n\n", "reply line 1: errno \"--1\" is not a number from -4095 to 4095"},
        {"errno=+0\n\n", "reply line 1: errno \"+0\" is not a number from -4095 to 4095"},
        {"private_key=abc\nerrno=0\n\n", "reply line 1: private_key: not a WireGuard key: 3 characters, expected 64 hex digits"},
        {"private_key=" + std::string(63, '0') + "z\nerrno=0\n\n", "reply line 1: private_key: not a WireGuard key: not hexadecimal"},
        {"private_key=" + kZero + "\nprivate_key=" + kZero + "\nerrno=0\n\n", "reply line 2: private_key twice"},
        {"listen_port=1\nlisten_port=1\nerrno=0\n\n", "reply line 2: listen_port twice"},
        {"listen_port=65536\nerrno=0\n\n", "reply line 1: listen_port \"65536\" is not a port number"},
        {"listen_port=-1\nerrno=0\n\n", "reply line 1: listen_port \"-1\" is not a port number"},
        {"listen_port= 1\nerrno=0\n\n", "reply line 1: listen_port \" 1\" is not a port number"},
        {"listen_port=1\r\nerrno=0\n\n", "reply line 1: listen_port \"1?\" is not a port number"},
        {"fwmark=4294967296\nerrno=0\n\n", "reply line 1: fwmark \"4294967296\" is not a 32-bit number"},
        {pk + "listen_port=1\nerrno=0\n\n", "reply line 2: listen_port after the first peer"},
        {"endpoint=192.0.2.1:1\nerrno=0\n\n", "reply line 1: endpoint before the first public_key"},
        {"allowed_ip=10.0.0.0/8\nerrno=0\n\n", "reply line 1: allowed_ip before the first public_key"},
        {"public_key=\nerrno=0\n\n", "reply line 1: public_key: not a WireGuard key: 0 characters, expected 64 hex digits"},
        {pk + pk + "errno=0\n\n", "reply line 2: peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE= twice"},
        {pk + "preshared_key=0\nerrno=0\n\n", "reply line 2: preshared_key: not a WireGuard key: 1 characters, expected 64 hex digits"},
        {pk + "preshared_key=" + kZero + "\npreshared_key=" + kZero + "\nerrno=0\n\n", "reply line 3: preshared_key twice in one peer"},
        {pk + "endpoint=host:1\nerrno=0\n\n", "reply line 2: endpoint \"host:1\" is not an IP address and port"},
        {pk + "endpoint=1.2.3.4:1\nendpoint=1.2.3.4:1\nerrno=0\n\n", "reply line 3: endpoint twice in one peer"},
        {pk + "persistent_keepalive_interval=65536\nerrno=0\n\n", "reply line 2: persistent_keepalive_interval \"65536\" is out of range"},
        {pk + "rx_bytes=18446744073709551616\nerrno=0\n\n", "reply line 2: rx_bytes \"18446744073709551616\" is not a number"},
        {pk + "last_handshake_time_sec=-1\nerrno=0\n\n", "reply line 2: last_handshake_time_sec \"-1\" is not a number"},
        {pk + "last_handshake_time_sec=9223372036854775808\nerrno=0\n\n",
         "reply line 2: last_handshake_time_sec \"9223372036854775808\" is not a number"},
        {pk + "last_handshake_time_nsec=1000000000\nerrno=0\n\n",
         "reply line 2: last_handshake_time_nsec \"1000000000\" is not a number from 0 to 999999999"},
        {pk + "tx_bytes=x\nerrno=0\n\n", "reply line 2: tx_bytes \"x\" is not a number"},
        {pk + "allowed_ip=10.0.0.0\nerrno=0\n\n", "reply line 2: allowed_ip \"10.0.0.0\" is not an IP prefix"},
        {pk + "allowed_ip=10.0.0.0/33\nerrno=0\n\n", "reply line 2: allowed_ip \"10.0.0.0/33\" is not an IP prefix"},
        {pk + "allowed_ip=10.0.0.0/8\nallowed_ip=10.1.0.0/8\nerrno=0\n\n", "reply line 3: allowed_ip \"10.1.0.0/8\" twice"},
        {std::string("listen_port=\0\nerrno=0\n\n", 23), "reply line 1: listen_port \"?\" is not a port number"},
        {"listen_port=" + std::string(100, '9') + "\nerrno=0\n\n",
         "reply line 1: listen_port \"" + std::string(64, '9') + "...\" is not a port number"},
        {"listen_port=\xc3\xa9\xff\nerrno=0\n\n", "reply line 1: listen_port \"???\" is not a port number"},
    };
    for (const auto& [reply, expected] : cases) {
        auto d = parse_get_reply(reply);
        EXPECT_FALSE(d.ok()) << "accepted: " << reply;
        if (!d.ok()) {
            EXPECT_EQ(d.error(), expected) << "reply: " << reply;
        }
    }
}

TEST(WireguardUapiGetReply, CapsPeersAndAllowedIps) {
    std::string many;
    for (size_t i = 0; i <= kMaxPeers; ++i) {
        Key k;
        std::memcpy(k.bytes.data(), &i, sizeof i);
        many += "public_key=" + to_hex(k) + "\n";
    }
    auto d = parse_get_reply(many + "errno=0\n\n");
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), "reply line 65537: more than 65536 peers");

    std::string ips = "public_key=" + hex_of(1) + "\n";
    for (uint32_t i = 0; i <= kMaxAllowedIpsPerPeer; ++i)
        ips += "allowed_ip=10." + std::to_string(i >> 16) + "." + std::to_string((i >> 8) & 255) + "." +
               std::to_string(i & 255) + "/32\n";
    d = parse_get_reply(ips + "errno=0\n\n");
    ASSERT_FALSE(d.ok());
    EXPECT_EQ(d.error(), "reply line 65538: too many allowed IPs");
}

TEST(WireguardUapiSetReply, Parses) {
    EXPECT_TRUE(parse_set_reply("errno=0\n\n").ok());
    EXPECT_EQ(parse_set_reply("errno=-98\n\n").error(), "the device answered errno=-98 (Address already in use)");
    EXPECT_EQ(parse_set_reply("errno=22\n\n").error(), "the device answered errno=22 (Invalid argument)");
    EXPECT_EQ(parse_set_reply("").error(), "reply: expected \"errno=N\" and an empty line, got \"\"");
    EXPECT_EQ(parse_set_reply("errno=0\n").error(), "reply: expected \"errno=N\" and an empty line, got \"errno=0?\"");
    EXPECT_EQ(parse_set_reply("\n").error(), "reply: expected \"errno=N\" and an empty line, got \"?\"");
    EXPECT_EQ(parse_set_reply("errno=\n\n").error(), "reply: errno \"\" is not a number from -4095 to 4095");
    EXPECT_EQ(parse_set_reply("errno=0\nx\n\n").error(), "reply: errno \"0?x\" is not a number from -4095 to 4095");
    EXPECT_EQ(parse_set_reply("errno=99999\n\n").error(), "reply: errno \"99999\" is not a number from -4095 to 4095");
}

TEST(WireguardUapiReplyEnd, FindsTheEmptyLine) {
    EXPECT_EQ(reply_end(""), std::string::npos);
    EXPECT_EQ(reply_end("errno=0\n"), std::string::npos);
    EXPECT_EQ(reply_end("errno=0\n\n"), 9u);
    EXPECT_EQ(reply_end("errno=0\n\nmore"), 9u);
    EXPECT_EQ(reply_end("\n"), 1u);
}

}  // namespace
}  // namespace nodenet::wireguard
