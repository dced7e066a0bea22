// The generic netlink requests, checked attribute by attribute with libnl's parser, and the GET_DEVICE
// dump decoded from messages built here with libnl, as the kernel sends them. No kernel needed.
#include "wireguard/genl_codec.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <linux/genetlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>

#include <cstring>
#include <fstream>
#include <iterator>
#include <ctime>
#include <map>
#include <memory>

#include "tests/wireguard/fixtures.h"

namespace nodenet::wireguard {
namespace {

using testing::key_of;
using testing::prefix;
using testing::two_peer_device;

constexpr uint16_t kFamily = 0x1d;

nlmsghdr* header(GenlMessage& m) { return reinterpret_cast<nlmsghdr*>(m.data()); }
genlmsghdr* genl(GenlMessage& m) { return static_cast<genlmsghdr*>(nlmsg_data(header(m))); }

std::vector<nlattr*> top(GenlMessage& m) {
    std::vector<nlattr*> tb(WGDEVICE_A_MAX + 1, nullptr);
    EXPECT_EQ(nlmsg_parse(header(m), GENL_HDRLEN, tb.data(), WGDEVICE_A_MAX, nullptr), 0);
    return tb;
}
std::vector<nlattr*> nested(nlattr* a, int max) {
    std::vector<nlattr*> tb(static_cast<size_t>(max) + 1, nullptr);
    EXPECT_TRUE(a);
    if (a) {
        EXPECT_EQ(nla_parse_nested(tb.data(), max, a, nullptr), 0);
    }
    return tb;
}
// The entries of a list nest (peers, allowed IPs), in order.
std::vector<nlattr*> entries(nlattr* list) {
    std::vector<nlattr*> out;
    nlattr* a;
    int rem;
    nla_for_each_nested(a, list, rem) out.push_back(a);
    return out;
}
Key key_at(nlattr* a) {
    EXPECT_EQ(nla_len(a), 32);
    Key k;
    std::memcpy(k.bytes.data(), nla_data(a), 32);
    return k;
}
bool is_nested(nlattr* a) { return a->nla_type & NLA_F_NESTED; }

TEST(WireguardGenlRequest, GetDevice) {
    GenlMessage m = genl_get_request(kFamily, "wg0", 7);
    EXPECT_EQ(header(m)->nlmsg_len, m.size());
    EXPECT_EQ(header(m)->nlmsg_type, kFamily);
    EXPECT_EQ(header(m)->nlmsg_flags, NLM_F_REQUEST | NLM_F_DUMP);
    EXPECT_EQ(header(m)->nlmsg_seq, 7u);
    EXPECT_EQ(genl(m)->cmd, WG_CMD_GET_DEVICE);
    EXPECT_EQ(genl(m)->version, WG_GENL_VERSION);
    auto tb = top(m);
    ASSERT_TRUE(tb[WGDEVICE_A_IFNAME]);
    EXPECT_EQ(nla_len(tb[WGDEVICE_A_IFNAME]), 4);  // with its NUL
    EXPECT_STREQ(nla_get_string(tb[WGDEVICE_A_IFNAME]), "wg0");
    EXPECT_FALSE(tb[WGDEVICE_A_IFINDEX]);  // one of the two, never both
}

TEST(WireguardGenlRequest, SetDeviceAttributeByAttribute) {
    auto msgs = genl_set_requests(kFamily, "wg0", two_peer_device(), 100);
    ASSERT_TRUE(msgs.ok()) << msgs.error();
    ASSERT_EQ(msgs->size(), 1u);
    GenlMessage& m = (*msgs)[0];
    EXPECT_EQ(header(m)->nlmsg_len, m.size());
    EXPECT_EQ(header(m)->nlmsg_type, kFamily);
    EXPECT_EQ(header(m)->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK);
    EXPECT_EQ(header(m)->nlmsg_seq, 100u);
    EXPECT_EQ(genl(m)->cmd, WG_CMD_SET_DEVICE);
    EXPECT_EQ(genl(m)->version, WG_GENL_VERSION);

    auto tb = top(m);
    EXPECT_STREQ(nla_get_string(tb[WGDEVICE_A_IFNAME]), "wg0");
    EXPECT_FALSE(tb[WGDEVICE_A_IFINDEX]);
    EXPECT_EQ(nla_get_u32(tb[WGDEVICE_A_FLAGS]), static_cast<uint32_t>(WGDEVICE_F_REPLACE_PEERS));
    EXPECT_EQ(key_at(tb[WGDEVICE_A_PRIVATE_KEY]), key_of(0x11));
    EXPECT_FALSE(tb[WGDEVICE_A_PUBLIC_KEY]);
    EXPECT_EQ(nla_len(tb[WGDEVICE_A_LISTEN_PORT]), 2);
    EXPECT_EQ(nla_get_u16(tb[WGDEVICE_A_LISTEN_PORT]), 51820);  // host order, as NLA_U16
    EXPECT_EQ(nla_get_u32(tb[WGDEVICE_A_FWMARK]), 0x42u);
    ASSERT_TRUE(tb[WGDEVICE_A_PEERS]);
    EXPECT_TRUE(is_nested(tb[WGDEVICE_A_PEERS]));

    auto peers = entries(tb[WGDEVICE_A_PEERS]);
    ASSERT_EQ(peers.size(), 2u);
    auto p0 = nested(peers[0], WGPEER_A_MAX);
    EXPECT_TRUE(is_nested(peers[0]));
    EXPECT_EQ(key_at(p0[WGPEER_A_PUBLIC_KEY]), key_of(0xA1));
    EXPECT_EQ(nla_get_u32(p0[WGPEER_A_FLAGS]), static_cast<uint32_t>(WGPEER_F_REPLACE_ALLOWEDIPS));
    EXPECT_EQ(key_at(p0[WGPEER_A_PRESHARED_KEY]), key_of(0x55));
    ASSERT_EQ(nla_len(p0[WGPEER_A_ENDPOINT]), static_cast<int>(sizeof(sockaddr_in)));
    sockaddr_in sin;
    std::memcpy(&sin, nla_data(p0[WGPEER_A_ENDPOINT]), sizeof sin);
    EXPECT_EQ(sin.sin_family, AF_INET);
    EXPECT_EQ(ntohs(sin.sin_port), 51820);
    EXPECT_EQ(ntohl(sin.sin_addr.s_addr), 0xC0000201u);  // 192.0.2.1
    EXPECT_EQ(nla_get_u16(p0[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 25);
    EXPECT_FALSE(p0[WGPEER_A_PROTOCOL_VERSION]);  // the kernel picks the newest when unset
    auto ips = entries(p0[WGPEER_A_ALLOWEDIPS]);
    ASSERT_EQ(ips.size(), 2u);
    auto ip0 = nested(ips[0], WGALLOWEDIP_A_MAX);
    EXPECT_EQ(nla_get_u16(ip0[WGALLOWEDIP_A_FAMILY]), AF_INET);
    ASSERT_EQ(nla_len(ip0[WGALLOWEDIP_A_IPADDR]), 4);
    EXPECT_EQ(std::memcmp(nla_data(ip0[WGALLOWEDIP_A_IPADDR]), "\x0a\x01\x00\x00", 4), 0);
    EXPECT_EQ(nla_get_u8(ip0[WGALLOWEDIP_A_CIDR_MASK]), 16);
    auto ip1 = nested(ips[1], WGALLOWEDIP_A_MAX);
    EXPECT_EQ(std::memcmp(nla_data(ip1[WGALLOWEDIP_A_IPADDR]), "\x0a\x02\x03\x04", 4), 0);
    EXPECT_EQ(nla_get_u8(ip1[WGALLOWEDIP_A_CIDR_MASK]), 32);

    auto p1 = nested(peers[1], WGPEER_A_MAX);
    EXPECT_EQ(key_at(p1[WGPEER_A_PUBLIC_KEY]), key_of(0xB2));
    EXPECT_TRUE(key_at(p1[WGPEER_A_PRESHARED_KEY]).is_zero());  // no preshared key: cleared
    ASSERT_EQ(nla_len(p1[WGPEER_A_ENDPOINT]), static_cast<int>(sizeof(sockaddr_in6)));
    sockaddr_in6 sin6;
    std::memcpy(&sin6, nla_data(p1[WGPEER_A_ENDPOINT]), sizeof sin6);
    EXPECT_EQ(sin6.sin6_family, AF_INET6);
    EXPECT_EQ(ntohs(sin6.sin6_port), 4500);
    EXPECT_EQ(std::memcmp(&sin6.sin6_addr, prefix("2001:db8::1/128").addr.bytes.data(), 16), 0);
    EXPECT_EQ(sin6.sin6_scope_id, 0u);
    EXPECT_EQ(nla_get_u16(p1[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 0);
    auto ips1 = entries(p1[WGPEER_A_ALLOWEDIPS]);
    ASSERT_EQ(ips1.size(), 1u);
    auto ip6 = nested(ips1[0], WGALLOWEDIP_A_MAX);
    EXPECT_EQ(nla_get_u16(ip6[WGALLOWEDIP_A_FAMILY]), AF_INET6);
    EXPECT_EQ(nla_len(ip6[WGALLOWEDIP_A_IPADDR]), 16);
    EXPECT_EQ(nla_get_u8(ip6[WGALLOWEDIP_A_CIDR_MASK]), 64);
}

TEST(WireguardGenlRequest, SetDeviceClearsWhatIsUnset) {
    DeviceConfig d;
    d.peers.emplace_back().public_key = key_of(3);
    auto msgs = genl_set_requests(kFamily, "wg0", d, 1);
    ASSERT_TRUE(msgs.ok());
    ASSERT_EQ(msgs->size(), 1u);
    auto tb = top((*msgs)[0]);
    EXPECT_TRUE(key_at(tb[WGDEVICE_A_PRIVATE_KEY]).is_zero());  // all zeros removes the key
    EXPECT_EQ(nla_get_u16(tb[WGDEVICE_A_LISTEN_PORT]), 0);
    EXPECT_EQ(nla_get_u32(tb[WGDEVICE_A_FWMARK]), 0u);
    auto p = nested(entries(tb[WGDEVICE_A_PEERS])[0], WGPEER_A_MAX);
    EXPECT_FALSE(p[WGPEER_A_ENDPOINT]);
    EXPECT_TRUE(entries(p[WGPEER_A_ALLOWEDIPS]).empty());

    auto empty = genl_set_requests(kFamily, "wg0", DeviceConfig{}, 1);
    ASSERT_TRUE(empty.ok());
    EXPECT_FALSE(top((*empty)[0])[WGDEVICE_A_PEERS]);  // REPLACE_PEERS alone removes them all
}

TEST(WireguardGenlRequest, PatchAttributeByAttribute) {
    DeviceConfig desired = two_peer_device();  // A1 changes its endpoint and allowed IPs, B2 goes, 03 comes
    desired.peers[0].endpoint = "192.0.2.9:1";
    desired.peers[0].allowed_ips.pop_back();
    desired.peers.pop_back();
    PeerConfig c;
    c.public_key = key_of(0x03);
    desired.peers.push_back(c);
    desired.firewall_mark = 7;
    auto msgs = genl_set_requests(kFamily, "wg0", device_patch(desired, two_peer_device()), 1);
    ASSERT_TRUE(msgs.ok()) << msgs.error();
    ASSERT_EQ(msgs->size(), 1u);
    auto tb = top((*msgs)[0]);
    EXPECT_STREQ(nla_get_string(tb[WGDEVICE_A_IFNAME]), "wg0");
    EXPECT_FALSE(tb[WGDEVICE_A_FLAGS]);  // no WGDEVICE_F_REPLACE_PEERS: the other peers stay
    EXPECT_FALSE(tb[WGDEVICE_A_PRIVATE_KEY]);
    EXPECT_FALSE(tb[WGDEVICE_A_LISTEN_PORT]);
    EXPECT_EQ(nla_get_u32(tb[WGDEVICE_A_FWMARK]), 7u);
    auto peers = entries(tb[WGDEVICE_A_PEERS]);
    ASSERT_EQ(peers.size(), 3u);

    auto added = nested(peers[0], WGPEER_A_MAX);
    EXPECT_EQ(key_at(added[WGPEER_A_PUBLIC_KEY]), key_of(0x03));
    EXPECT_EQ(nla_get_u32(added[WGPEER_A_FLAGS]), static_cast<uint32_t>(WGPEER_F_REPLACE_ALLOWEDIPS));
    EXPECT_TRUE(key_at(added[WGPEER_A_PRESHARED_KEY]).is_zero());
    EXPECT_FALSE(added[WGPEER_A_ENDPOINT]);
    EXPECT_EQ(nla_get_u16(added[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 0);
    ASSERT_TRUE(added[WGPEER_A_ALLOWEDIPS]);
    EXPECT_TRUE(entries(added[WGPEER_A_ALLOWEDIPS]).empty());

    auto updated = nested(peers[1], WGPEER_A_MAX);
    EXPECT_EQ(key_at(updated[WGPEER_A_PUBLIC_KEY]), key_of(0xA1));
    EXPECT_EQ(nla_get_u32(updated[WGPEER_A_FLAGS]),
              static_cast<uint32_t>(WGPEER_F_REPLACE_ALLOWEDIPS | WGPEER_F_UPDATE_ONLY));
    EXPECT_FALSE(updated[WGPEER_A_PRESHARED_KEY]);
    EXPECT_FALSE(updated[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]);
    ASSERT_EQ(nla_len(updated[WGPEER_A_ENDPOINT]), static_cast<int>(sizeof(sockaddr_in)));
    sockaddr_in sin;
    std::memcpy(&sin, nla_data(updated[WGPEER_A_ENDPOINT]), sizeof sin);
    EXPECT_EQ(ntohs(sin.sin_port), 1);
    EXPECT_EQ(ntohl(sin.sin_addr.s_addr), 0xC0000209u);
    auto ips = entries(updated[WGPEER_A_ALLOWEDIPS]);
    ASSERT_EQ(ips.size(), 1u);
    EXPECT_EQ(nla_get_u8(nested(ips[0], WGALLOWEDIP_A_MAX)[WGALLOWEDIP_A_CIDR_MASK]), 16);

    auto removed = nested(peers[2], WGPEER_A_MAX);
    EXPECT_EQ(key_at(removed[WGPEER_A_PUBLIC_KEY]), key_of(0xB2));
    EXPECT_EQ(nla_get_u32(removed[WGPEER_A_FLAGS]), static_cast<uint32_t>(WGPEER_F_REMOVE_ME));
    for (int attr : {WGPEER_A_PRESHARED_KEY, WGPEER_A_ENDPOINT, WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL,
                     WGPEER_A_ALLOWEDIPS})
        EXPECT_FALSE(removed[attr]) << attr;

    // An update that keeps its allowed IPs has neither the flag nor the nest.
    desired = two_peer_device();
    desired.peers[1].persistent_keepalive_seconds = 9;
    msgs = genl_set_requests(kFamily, "wg0", device_patch(desired, two_peer_device()), 1);
    ASSERT_TRUE(msgs.ok()) << msgs.error();
    auto only = nested(entries(top((*msgs)[0])[WGDEVICE_A_PEERS])[0], WGPEER_A_MAX);
    EXPECT_EQ(nla_get_u32(only[WGPEER_A_FLAGS]), static_cast<uint32_t>(WGPEER_F_UPDATE_ONLY));
    EXPECT_EQ(nla_get_u16(only[WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL]), 9);
    EXPECT_FALSE(only[WGPEER_A_ALLOWEDIPS]);
}

TEST(WireguardGenlRequest, SetDeviceRefusesWhatItCannotEncode) {
    DeviceConfig d = two_peer_device();
    d.peers[1].endpoint = "vpn.example.com:51820";
    auto msgs = genl_set_requests(kFamily, "wg0", d, 1);
    ASSERT_FALSE(msgs.ok());
    EXPECT_EQ(msgs.error(), "peer srKysrKysrKysrKysrKysrKysrKysrKysrKysrKysrI=: endpoint \"vpn.example.com:51820\" is "
                            "not an IP address and port");
    auto tiny = genl_set_requests(kFamily, "wg0", two_peer_device(), 1, 100);
    ASSERT_FALSE(tiny.ok());
    EXPECT_EQ(tiny.error(), "netlink message limit of 100 bytes is too small");
}

DeviceConfig big_device(size_t peers, size_t ips_per_peer) {
    DeviceConfig d;
    d.private_key = key_of(9);
    for (size_t i = 0; i < peers; ++i) {
        PeerConfig p;
        p.public_key = key_of(static_cast<uint8_t>(0x20 + i));
        p.endpoint = "192.0.2." + std::to_string(i + 1) + ":51820";
        for (size_t j = 0; j < ips_per_peer; ++j)
            p.allowed_ips.push_back(
                prefix((j % 2 ? "fd00:" + std::to_string(i) + "::" + std::to_string(j) + "/128"
                              : "10." + std::to_string(i) + "." + std::to_string(j / 256) + "." + std::to_string(j % 256) + "/32")));
        d.peers.push_back(p);
    }
    return d;
}

// Turns SET requests into the dump the kernel would send, so that the dump decoder puts them back
// together: it ignores the flags and joins a peer continued in the next message.
std::vector<uint8_t> as_dump(std::vector<GenlMessage> msgs, uint32_t seq) {
    std::vector<uint8_t> out;
    for (GenlMessage& m : msgs) {
        header(m)->nlmsg_seq = seq;
        header(m)->nlmsg_flags = NLM_F_MULTI;
        genl(m)->cmd = WG_CMD_GET_DEVICE;
        out.insert(out.end(), m.begin(), m.end());
    }
    nlmsghdr done{static_cast<uint32_t>(NLMSG_LENGTH(sizeof(int))), NLMSG_DONE, NLM_F_MULTI, seq, 0};
    int status = 0;
    auto* h = reinterpret_cast<uint8_t*>(&done);
    out.insert(out.end(), h, h + sizeof done);
    auto* s = reinterpret_cast<uint8_t*>(&status);
    out.insert(out.end(), s, s + sizeof status);
    return out;
}

TEST(WireguardGenlRequest, SplitsLargeDevicesAsTheKernelExpects) {
    DeviceConfig d = big_device(3, 100);  // about 10 KiB of allowed IPs
    auto msgs = genl_set_requests(kFamily, "wg0", d, 50, 1024);
    ASSERT_TRUE(msgs.ok()) << msgs.error();
    ASSERT_GT(msgs->size(), 8u);
    std::map<Key, int> replace_flags, appearances;
    for (size_t i = 0; i < msgs->size(); ++i) {
        GenlMessage& m = (*msgs)[i];
        EXPECT_LE(m.size(), 1024u);
        EXPECT_EQ(header(m)->nlmsg_seq, 50 + i);
        EXPECT_EQ(header(m)->nlmsg_len, m.size());
        auto tb = top(m);
        EXPECT_STREQ(nla_get_string(tb[WGDEVICE_A_IFNAME]), "wg0");
        // Only the first request clears the peers and carries the device settings.
        EXPECT_EQ(tb[WGDEVICE_A_FLAGS] != nullptr, i == 0);
        EXPECT_EQ(tb[WGDEVICE_A_PRIVATE_KEY] != nullptr, i == 0);
        EXPECT_EQ(tb[WGDEVICE_A_LISTEN_PORT] != nullptr, i == 0);
        ASSERT_TRUE(tb[WGDEVICE_A_PEERS]);
        for (nlattr* pa : entries(tb[WGDEVICE_A_PEERS])) {
            auto p = nested(pa, WGPEER_A_MAX);
            Key k = key_at(p[WGPEER_A_PUBLIC_KEY]);
            bool first = appearances[k]++ == 0;
            if (p[WGPEER_A_FLAGS]) ++replace_flags[k];
            // A continued peer repeats its key, adds allowed IPs, and clears nothing.
            EXPECT_EQ(p[WGPEER_A_FLAGS] != nullptr, first);
            EXPECT_EQ(p[WGPEER_A_ENDPOINT] != nullptr, first);
            EXPECT_EQ(p[WGPEER_A_PRESHARED_KEY] != nullptr, first);
            EXPECT_FALSE(entries(p[WGPEER_A_ALLOWEDIPS]).empty());
        }
    }
    for (const PeerConfig& p : d.peers) {
        EXPECT_EQ(replace_flags[p.public_key], 1) << to_base64(p.public_key);
        EXPECT_GT(appearances[p.public_key], 1) << "each peer is cut at this size";
    }
    GenlDeviceDump dump(kFamily, 9);
    ASSERT_TRUE(dump.add(as_dump(*msgs, 9)).ok());
    ASSERT_TRUE(dump.done());
    auto back = dump.take();
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_EQ(*back, d);

    auto whole = genl_set_requests(kFamily, "wg0", d, 1);  // the default limit takes it in one
    ASSERT_TRUE(whole.ok());
    EXPECT_EQ(whole->size(), 1u);
}

TEST(WireguardGenlRequest, SplitUpdateKeepsUpdateOnlyAndReplacesOnce) {
    DeviceConfig actual = big_device(2, 100);
    DeviceConfig desired = actual;
    desired.peers[1].allowed_ips.pop_back();
    auto msgs = genl_set_requests(kFamily, "wg0", device_patch(desired, actual), 1, 1024);
    ASSERT_TRUE(msgs.ok()) << msgs.error();
    ASSERT_GT(msgs->size(), 1u);
    size_t ips = 0;
    for (size_t i = 0; i < msgs->size(); ++i) {
        auto tb = top((*msgs)[i]);
        for (nlattr* pa : entries(tb[WGDEVICE_A_PEERS])) {
            auto p = nested(pa, WGPEER_A_MAX);
            EXPECT_EQ(key_at(p[WGPEER_A_PUBLIC_KEY]), desired.peers[1].public_key);
            uint32_t want = WGPEER_F_UPDATE_ONLY | (i == 0 ? WGPEER_F_REPLACE_ALLOWEDIPS : 0);
            EXPECT_EQ(nla_get_u32(p[WGPEER_A_FLAGS]), want) << "request " << i;
            ips += entries(p[WGPEER_A_ALLOWEDIPS]).size();
        }
    }
    EXPECT_EQ(ips, 99u);
}

// ---- the dump, as the kernel sends it (built with libnl, independently of the code under test) ----

class KernelMessage {
public:
    KernelMessage(uint32_t seq, uint16_t flags = NLM_F_MULTI) : msg_(nlmsg_alloc(), nlmsg_free) {
        genlmsg_put(msg_.get(), 0, seq, kFamily, 0, flags, WG_CMD_GET_DEVICE, WG_GENL_VERSION);
    }
    nl_msg* get() { return msg_.get(); }
    void key(int type, const Key& k) { nla_put(msg_.get(), type, 32, k.bytes.data()); }
    nlattr* nest(int type) { return nla_nest_start(msg_.get(), type); }
    void end(nlattr* n) { nla_nest_end_keep_empty(msg_.get(), n); }  // nla_nest_end drops empty nests
    void allowed_ip(const std::string& text) {
        auto p = prefix(text);
        nlattr* n = nest(0);
        nla_put_u16(get(), WGALLOWEDIP_A_FAMILY, p.family() == state::Family::V4 ? AF_INET : AF_INET6);
        nla_put(get(), WGALLOWEDIP_A_IPADDR, static_cast<int>(p.addr.size()), p.addr.bytes.data());
        nla_put_u8(get(), WGALLOWEDIP_A_CIDR_MASK, p.len);
        end(n);
    }
    std::vector<uint8_t> bytes() {
        nlmsghdr* h = nlmsg_hdr(msg_.get());
        auto* b = reinterpret_cast<uint8_t*>(h);
        return std::vector<uint8_t>(b, b + NLMSG_ALIGN(h->nlmsg_len));
    }

private:
    std::unique_ptr<nl_msg, void (*)(nl_msg*)> msg_;
};

std::vector<uint8_t> done_message(uint32_t seq, int status, const std::string& ext_ack = "") {
    std::unique_ptr<nl_msg, void (*)(nl_msg*)> m(nlmsg_alloc_simple(NLMSG_DONE, NLM_F_MULTI), nlmsg_free);
    nlmsg_hdr(m.get())->nlmsg_seq = seq;
    nlmsg_append(m.get(), &status, sizeof status, NLMSG_ALIGNTO);
    if (!ext_ack.empty()) {
        nlmsg_hdr(m.get())->nlmsg_flags |= NLM_F_ACK_TLVS;
        nla_put_string(m.get(), NLMSGERR_ATTR_MSG, ext_ack.c_str());
    }
    auto* b = reinterpret_cast<uint8_t*>(nlmsg_hdr(m.get()));
    return std::vector<uint8_t>(b, b + nlmsg_hdr(m.get())->nlmsg_len);
}

std::vector<uint8_t> error_message(uint32_t seq, int error, const std::string& ext_ack = "") {
    std::unique_ptr<nl_msg, void (*)(nl_msg*)> m(nlmsg_alloc_simple(NLMSG_ERROR, NLM_F_CAPPED), nlmsg_free);
    nlmsg_hdr(m.get())->nlmsg_seq = seq;
    nlmsgerr err{};
    err.error = error;
    err.msg = nlmsghdr{64, kFamily, NLM_F_REQUEST | NLM_F_ACK, seq, 0};
    nlmsg_append(m.get(), &err, sizeof err, NLMSG_ALIGNTO);
    if (!ext_ack.empty()) {
        nlmsg_hdr(m.get())->nlmsg_flags |= NLM_F_ACK_TLVS;
        nla_put_string(m.get(), NLMSGERR_ATTR_MSG, ext_ack.c_str());
    }
    auto* b = reinterpret_cast<uint8_t*>(nlmsg_hdr(m.get()));
    return std::vector<uint8_t>(b, b + nlmsg_hdr(m.get())->nlmsg_len);
}

// The two_peer_device() as a kernel dump of two messages, the first peer's allowed IPs cut
// between them.
std::vector<std::vector<uint8_t>> kernel_dump(uint32_t seq) {
    KernelMessage first(seq);
    nla_put_u32(first.get(), WGDEVICE_A_IFINDEX, 5);
    nla_put_string(first.get(), WGDEVICE_A_IFNAME, "wg0");
    first.key(WGDEVICE_A_PRIVATE_KEY, key_of(0x11));
    first.key(WGDEVICE_A_PUBLIC_KEY, key_of(0x12));
    nla_put_u16(first.get(), WGDEVICE_A_LISTEN_PORT, 51820);
    nla_put_u32(first.get(), WGDEVICE_A_FWMARK, 0x42);
    nlattr* peers = first.nest(WGDEVICE_A_PEERS);
    nlattr* p = first.nest(0);
    first.key(WGPEER_A_PUBLIC_KEY, key_of(0xB2));
    first.key(WGPEER_A_PRESHARED_KEY, Key{});
    sockaddr_in6 sin6{};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = htons(4500);
    std::memcpy(&sin6.sin6_addr, prefix("2001:db8::1/128").addr.bytes.data(), 16);
    nla_put(first.get(), WGPEER_A_ENDPOINT, sizeof sin6, &sin6);
    nla_put_u16(first.get(), WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 0);
    __kernel_timespec hs{1700000000, 123456789};
    nla_put(first.get(), WGPEER_A_LAST_HANDSHAKE_TIME, sizeof hs, &hs);
    nla_put_u64(first.get(), WGPEER_A_RX_BYTES, 1);
    nla_put_u64(first.get(), WGPEER_A_TX_BYTES, 2);
    nlattr* ips = first.nest(WGPEER_A_ALLOWEDIPS);
    first.allowed_ip("fd00:1::/64");
    first.end(ips);
    nla_put_u32(first.get(), WGPEER_A_PROTOCOL_VERSION, 1);
    first.end(p);
    p = first.nest(0);
    first.key(WGPEER_A_PUBLIC_KEY, key_of(0xA1));
    first.key(WGPEER_A_PRESHARED_KEY, key_of(0x55));
    sockaddr_in sin{};
    sin.sin_family = AF_INET;
    sin.sin_port = htons(51820);
    sin.sin_addr.s_addr = htonl(0xC0000201);
    nla_put(first.get(), WGPEER_A_ENDPOINT, sizeof sin, &sin);
    nla_put_u16(first.get(), WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 25);
    ips = first.nest(WGPEER_A_ALLOWEDIPS);
    first.allowed_ip("10.1.0.0/16");
    first.end(ips);
    first.end(p);
    first.end(peers);

    KernelMessage second(seq);  // the device's name, and the rest of the last peer
    nla_put_string(second.get(), WGDEVICE_A_IFNAME, "wg0");
    peers = second.nest(WGDEVICE_A_PEERS);
    p = second.nest(0);
    second.key(WGPEER_A_PUBLIC_KEY, key_of(0xA1));
    ips = second.nest(WGPEER_A_ALLOWEDIPS);
    second.allowed_ip("10.2.3.4/32");
    second.end(ips);
    second.end(p);
    second.end(peers);
    return {first.bytes(), second.bytes(), done_message(seq, 0)};
}

TEST(WireguardGenlDump, JoinsPeersSplitOverMessages) {
    GenlDeviceDump dump(kFamily, 3);
    for (const auto& datagram : kernel_dump(3)) {
        EXPECT_FALSE(dump.done());
        ASSERT_TRUE(dump.add(datagram).ok());
    }
    ASSERT_TRUE(dump.done());
    auto d = dump.take();
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(*d, two_peer_device());
    ASSERT_EQ(d->peers.size(), 2u);
    EXPECT_EQ(d->peers[1].allowed_ips, (std::vector{prefix("10.1.0.0/16"), prefix("10.2.3.4/32")}));
    EXPECT_FALSE(d->peers[0].preshared_key);  // zero: none
    // The statistics, beside the configuration (the second peer's message has none).
    EXPECT_EQ(d->peers[0].stats, (PeerStats{1700000000, 123456789, 1, 2}));
    EXPECT_EQ(d->peers[1].stats, PeerStats{});
}

// The fuzzer's seed was written by a separate encoder (Python's struct): it must mean the device the
// hand-built dump above means, or the fuzzer starts from nothing.
TEST(WireguardGenlDump, FuzzSeedIsTheTwoPeerDevice) {
    std::ifstream in(std::string(NODENET_SOURCE_DIR) + "/fuzz/corpus/wireguard_genl/two-peers-split", std::ios::binary);
    std::vector<uint8_t> seed((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_FALSE(seed.empty());
    GenlDeviceDump dump(0x1d, 1);  // the family and sequence number fuzz_wireguard_genl uses
    ASSERT_TRUE(dump.add(seed).ok());
    auto d = dump.take();
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(*d, two_peer_device());
}

TEST(WireguardGenlDump, AllInOneDatagramAndStaleAnswersSkipped) {
    std::vector<uint8_t> all = error_message(2, -ENODEV);  // the answer to an abandoned request
    for (const auto& m : kernel_dump(3)) all.insert(all.end(), m.begin(), m.end());
    GenlDeviceDump dump(kFamily, 3);
    ASSERT_TRUE(dump.add(all).ok());
    auto d = dump.take();
    ASSERT_TRUE(d.ok()) << d.error();
    EXPECT_EQ(*d, two_peer_device());
}

TEST(WireguardGenlDump, KernelRefusals) {
    GenlDeviceDump refused(kFamily, 4);
    ASSERT_TRUE(refused.add(error_message(4, -ENODEV, "no such WireGuard device")).ok());
    EXPECT_TRUE(refused.done());
    EXPECT_EQ(refused.take().error(), "No such device (no such WireGuard device)");

    GenlDeviceDump failed(kFamily, 4);
    ASSERT_TRUE(failed.add(done_message(4, -EPERM)).ok());
    EXPECT_EQ(failed.take().error(), "Operation not permitted");

    GenlDeviceDump interrupted(kFamily, 4);
    auto msgs = kernel_dump(4);
    reinterpret_cast<nlmsghdr*>(msgs[1].data())->nlmsg_flags |= NLM_F_DUMP_INTR;
    for (const auto& m : msgs) ASSERT_TRUE(interrupted.add(m).ok());
    EXPECT_TRUE(interrupted.interrupted());
    EXPECT_EQ(interrupted.take().error(), "the device changed while it was read (NLM_F_DUMP_INTR)");

    GenlDeviceDump early(kFamily, 4);
    ASSERT_TRUE(early.add(kernel_dump(4)[0]).ok());
    EXPECT_EQ(early.take().error(), "the dump is incomplete");
}

// Hostile or broken dumps: each gives an error, and the dump stays failed.
TEST(WireguardGenlDump, EveryMalformedDump) {
    auto with = [](auto build) {
        KernelMessage m(1);
        build(m);
        return m.bytes();
    };
    auto peer = [](KernelMessage& m, auto body) {
        nlattr* peers = m.nest(WGDEVICE_A_PEERS);
        nlattr* p = m.nest(0);
        body(m);
        m.end(p);
        m.end(peers);
    };
    auto ip_attrs = [](KernelMessage& m, uint16_t family, std::vector<uint8_t> addr, uint8_t mask) {
        m.key(WGPEER_A_PUBLIC_KEY, key_of(1));
        nlattr* ips = m.nest(WGPEER_A_ALLOWEDIPS);
        nlattr* n = m.nest(0);
        nla_put_u16(m.get(), WGALLOWEDIP_A_FAMILY, family);
        nla_put(m.get(), WGALLOWEDIP_A_IPADDR, static_cast<int>(addr.size()), addr.data());
        nla_put_u8(m.get(), WGALLOWEDIP_A_CIDR_MASK, mask);
        m.end(n);
        m.end(ips);
    };
    std::vector<uint8_t> good = kernel_dump(1)[0];
    std::vector<uint8_t> overrun = good;
    reinterpret_cast<nlmsghdr*>(overrun.data())->nlmsg_len += 4;
    std::vector<uint8_t> bad_attr = good;
    reinterpret_cast<nlattr*>(bad_attr.data() + NLMSG_HDRLEN + GENL_HDRLEN)->nla_len = 2000;
    std::vector<uint8_t> wrong_cmd = good;
    reinterpret_cast<genlmsghdr*>(wrong_cmd.data() + NLMSG_HDRLEN)->cmd = WG_CMD_SET_DEVICE;
    std::vector<uint8_t> wrong_type = good;
    reinterpret_cast<nlmsghdr*>(wrong_type.data())->nlmsg_type = kFamily + 1;
    std::vector<uint8_t> short_header(good.begin(), good.begin() + 10);
    std::vector<uint8_t> no_genl(good.begin(), good.begin() + NLMSG_HDRLEN + 2);
    reinterpret_cast<nlmsghdr*>(no_genl.data())->nlmsg_len = NLMSG_HDRLEN + 2;

    const std::pair<std::vector<uint8_t>, std::string> cases[] = {
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nla_put_u64(k.get(), WGPEER_A_LAST_HANDSHAKE_TIME, 1);
             });
         }),
         "last handshake time of the wrong size"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 __kernel_timespec t{5, 1000000000};
                 nla_put(k.get(), WGPEER_A_LAST_HANDSHAKE_TIME, sizeof t, &t);
             });
         }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: last handshake time out of range"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nla_put_u32(k.get(), WGPEER_A_RX_BYTES, 1);
             });
         }),
         "rx bytes of the wrong size"},
        {short_header, "truncated netlink message"},
        {overrun, "netlink message overruns its datagram"},
        {no_genl, "truncated generic netlink message"},
        {bad_attr, "netlink attribute overruns its message"},
        {wrong_cmd, "generic netlink command 1 in a dump"},
        {wrong_type, "netlink message of type 30"},
        {with([](KernelMessage& m) { nla_put(m.get(), WGDEVICE_A_PRIVATE_KEY, 31, Key{}.bytes.data()); }),
         "private key of the wrong size"},
        {with([](KernelMessage& m) { nla_put_u32(m.get(), WGDEVICE_A_LISTEN_PORT, 1); }), "listen port of the wrong size"},
        {with([](KernelMessage& m) { nla_put_u16(m.get(), WGDEVICE_A_FWMARK, 1); }), "fwmark of the wrong size"},
        {with([&](KernelMessage& m) { peer(m, [](KernelMessage&) {}); }), "peer without a public key"},
        {with([&](KernelMessage& m) { peer(m, [](KernelMessage& k) { nla_put(k.get(), WGPEER_A_PUBLIC_KEY, 3, "abc"); }); }),
         "peer public key of the wrong size"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nla_put(k.get(), WGPEER_A_PRESHARED_KEY, 33, std::string(33, 'x').data());
             });
         }),
         "preshared key of the wrong size"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nla_put_u32(k.get(), WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, 1);
             });
         }),
         "persistent keepalive of the wrong size"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 sockaddr_in sin{};
                 sin.sin_family = AF_INET;
                 nla_put(k.get(), WGPEER_A_ENDPOINT, 8, &sin);
             });
         }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: endpoint of family 2 and 8 bytes is neither sockaddr_in "
         "nor sockaddr_in6"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 sockaddr_in6 sin6{};
                 sin6.sin6_family = AF_UNIX;
                 nla_put(k.get(), WGPEER_A_ENDPOINT, sizeof sin6, &sin6);
             });
         }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: endpoint of family 1 and 28 bytes is neither sockaddr_in "
         "nor sockaddr_in6"},
        {with([&](KernelMessage& m) { peer(m, [&](KernelMessage& k) { ip_attrs(k, AF_INET, {10, 0, 0, 0}, 33); }); }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: allowed IP of family 2, 4 address bytes and mask 33 is not "
         "an IP prefix"},
        {with([&](KernelMessage& m) { peer(m, [&](KernelMessage& k) { ip_attrs(k, AF_INET6, {10, 0, 0, 0}, 8); }); }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: allowed IP of family 10, 4 address bytes and mask 8 is not "
         "an IP prefix"},
        {with([&](KernelMessage& m) { peer(m, [&](KernelMessage& k) { ip_attrs(k, 7, {10, 0, 0, 0}, 8); }); }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: allowed IP of family 7, 4 address bytes and mask 8 is not "
         "an IP prefix"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nlattr* ips = k.nest(WGPEER_A_ALLOWEDIPS);
                 nlattr* n = k.nest(0);
                 nla_put_u16(k.get(), WGALLOWEDIP_A_FAMILY, AF_INET);
                 k.end(n);
                 k.end(ips);
             });
         }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: allowed IP without family, address or mask"},
        {with([&](KernelMessage& m) {
             peer(m, [](KernelMessage& k) {
                 k.key(WGPEER_A_PUBLIC_KEY, key_of(1));
                 nlattr* ips = k.nest(WGPEER_A_ALLOWEDIPS);
                 k.allowed_ip("10.0.0.0/8");
                 k.allowed_ip("10.9.9.9/8");
                 k.end(ips);
             });
         }),
         "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=: allowed IP 10.0.0.0/8 twice"},
    };
    for (const auto& [bytes, expected] : cases) {
        GenlDeviceDump dump(kFamily, 1);
        Status s = dump.add(bytes);
        ASSERT_FALSE(s.ok()) << expected;
        EXPECT_EQ(s.error(), expected);
        EXPECT_FALSE(dump.add(done_message(1, 0)).ok());  // a failed dump stays failed
        EXPECT_FALSE(dump.take().ok());
    }
}

TEST(WireguardGenlDump, APeerTwiceButNotInARow) {
    KernelMessage m(1);
    nlattr* peers = m.nest(WGDEVICE_A_PEERS);
    for (uint8_t k : {1, 2, 1}) {
        nlattr* p = m.nest(0);
        m.key(WGPEER_A_PUBLIC_KEY, key_of(k));
        m.end(p);
    }
    m.end(peers);
    GenlDeviceDump dump(kFamily, 1);
    Status s = dump.add(m.bytes());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error(), "peer AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE= twice");
}

TEST(WireguardGenlDump, DeviceSettingsMustAgreeBetweenMessages) {
    KernelMessage a(1), b(1);
    nla_put_u16(a.get(), WGDEVICE_A_LISTEN_PORT, 1);
    nla_put_u16(b.get(), WGDEVICE_A_LISTEN_PORT, 2);
    GenlDeviceDump dump(kFamily, 1);
    ASSERT_TRUE(dump.add(a.bytes()).ok());
    Status s = dump.add(b.bytes());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error(), "listen port differs between messages");
}

TEST(WireguardGenlDump, NothingAfterTheEnd) {
    GenlDeviceDump dump(kFamily, 1);
    ASSERT_TRUE(dump.add(done_message(1, 0)).ok());
    Status s = dump.add(kernel_dump(1)[0]);
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error(), "netlink message after the end of the dump");
}

TEST(WireguardGenlAck, FindsTheAnswerToItsRequest) {
    auto ok = genl_find_ack(error_message(5, 0), 5);
    ASSERT_TRUE(ok.ok()) << ok.error();
    ASSERT_TRUE(*ok);
    EXPECT_EQ((*ok)->error, 0);

    auto refused = genl_find_ack(error_message(5, -EINVAL, "Invalid peer"), 5);
    ASSERT_TRUE(refused.ok() && *refused);
    EXPECT_EQ((*refused)->error, EINVAL);
    EXPECT_EQ((*refused)->message, "Invalid peer");

    auto other = genl_find_ack(error_message(4, -EINVAL), 5);
    ASSERT_TRUE(other.ok());
    EXPECT_FALSE(*other);

    std::vector<uint8_t> two = error_message(4, -EINVAL);
    auto mine = error_message(5, -EEXIST);
    two.insert(two.end(), mine.begin(), mine.end());
    auto found = genl_find_ack(two, 5);
    ASSERT_TRUE(found.ok() && *found);
    EXPECT_EQ((*found)->error, EEXIST);

    auto absurd = genl_find_ack(error_message(5, 1), 5);
    ASSERT_FALSE(absurd.ok());
    EXPECT_EQ(absurd.error(), "netlink error 1 out of range");
    std::vector<uint8_t> cut = error_message(5, 0);
    cut.resize(NLMSG_HDRLEN + 4);
    reinterpret_cast<nlmsghdr*>(cut.data())->nlmsg_len = NLMSG_HDRLEN + 4;
    EXPECT_EQ(genl_find_ack(cut, 5).error(), "truncated netlink error message");
}

}  // namespace
}  // namespace nodenet::wireguard
