#include "wireguard/genl_codec.h"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/time_types.h>
#include <linux/wireguard.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <limits>

#include "wireguard/uapi_codec.h"  // the bounds on peers and allowed IPs

namespace nodenet::wireguard {

namespace {

// ---- writing ----

// A request under construction; attributes are 4-byte aligned, nests patched when closed.
class Writer {
public:
    Writer(uint16_t family, uint8_t cmd, uint16_t flags, uint32_t seq) {
        nlmsghdr h{};
        h.nlmsg_type = family;
        h.nlmsg_flags = flags;
        h.nlmsg_seq = seq;
        append(&h, sizeof h);
        genlmsghdr g{};
        g.cmd = cmd;
        g.version = WG_GENL_VERSION;
        append(&g, sizeof g);
    }

    size_t size() const { return buf_.size(); }
    void put(uint16_t type, const void* data, size_t len) {
        nlattr a{static_cast<uint16_t>(NLA_HDRLEN + len), type};
        append(&a, sizeof a);
        append(data, len);
        buf_.resize(NLA_ALIGN(buf_.size()));
    }
    template <class T>
    void put(uint16_t type, T value) {
        put(type, &value, sizeof value);
    }
    size_t open(uint16_t type) {
        size_t at = buf_.size();
        nlattr a{0, static_cast<uint16_t>(type | NLA_F_NESTED)};
        append(&a, sizeof a);
        return at;
    }
    void close(size_t at) {
        auto len = static_cast<uint16_t>(buf_.size() - at);
        std::memcpy(buf_.data() + at, &len, sizeof len);
    }
    GenlMessage finish() {
        auto len = static_cast<uint32_t>(buf_.size());
        std::memcpy(buf_.data(), &len, sizeof len);
        return std::move(buf_);
    }

private:
    void append(const void* data, size_t len) {
        auto* p = static_cast<const uint8_t*>(data);
        buf_.insert(buf_.end(), p, p + len);
    }
    GenlMessage buf_;
};

// Sizes of what a request holds, to know before writing whether it still fits.
constexpr size_t attr_size(size_t payload) { return NLA_ALIGN(NLA_HDRLEN + payload); }
constexpr size_t kNest = NLA_HDRLEN;
constexpr size_t kKeyAttr = attr_size(kKeyLength);

size_t allowed_ip_size(const state::IpPrefix& p) {
    return kNest + attr_size(sizeof(uint16_t)) + attr_size(p.addr.size()) + attr_size(sizeof(uint8_t));
}

// A peer's nest up to its first allowed IP: what it sets, and the allowed IPs nest if it has one.
size_t peer_head_size(const PeerPatch& peer, const std::optional<Endpoint>& endpoint) {
    size_t size = kNest + kKeyAttr + attr_size(sizeof(uint32_t));
    if (peer.preshared_key) size += kKeyAttr;
    if (endpoint)
        size += attr_size(endpoint->address.family == state::Family::V6 ? sizeof(sockaddr_in6) : sizeof(sockaddr_in));
    if (peer.persistent_keepalive_seconds) size += attr_size(sizeof(uint16_t));
    if (peer.allowed_ips) size += kNest;
    return size;
}

uint32_t peer_flags(const PeerPatch& peer) {
    if (peer.remove) return WGPEER_F_REMOVE_ME;
    uint32_t flags = 0;
    if (peer.allowed_ips) flags |= WGPEER_F_REPLACE_ALLOWEDIPS;
    if (peer.update_only) flags |= WGPEER_F_UPDATE_ONLY;
    return flags;
}

// A peer continued in the next request: its key, the flags it keeps (see continued_flags), the
// allowed IPs nest.
uint32_t continued_flags(const PeerPatch& peer) {
    return peer_flags(peer) & ~static_cast<uint32_t>(WGPEER_F_REPLACE_ALLOWEDIPS);
}
size_t continued_peer_head_size(const PeerPatch& peer) {
    return kNest + kKeyAttr + (continued_flags(peer) ? attr_size(sizeof(uint32_t)) : 0) + kNest;
}

void put_endpoint(Writer& w, const Endpoint& e) {
    if (e.address.family == state::Family::V4) {
        sockaddr_in sa{};
        sa.sin_family = AF_INET;
        sa.sin_port = htons(e.port);
        std::memcpy(&sa.sin_addr, e.address.bytes.data(), 4);
        w.put(WGPEER_A_ENDPOINT, sa);
    } else {
        sockaddr_in6 sa{};
        sa.sin6_family = AF_INET6;
        sa.sin6_port = htons(e.port);
        std::memcpy(&sa.sin6_addr, e.address.bytes.data(), 16);
        w.put(WGPEER_A_ENDPOINT, sa);
    }
}

void put_allowed_ip(Writer& w, const state::IpPrefix& p) {
    size_t nest = w.open(0);
    w.put(WGALLOWEDIP_A_FAMILY, static_cast<uint16_t>(p.family() == state::Family::V4 ? AF_INET : AF_INET6));
    w.put(WGALLOWEDIP_A_IPADDR, p.addr.bytes.data(), p.addr.size());
    w.put(WGALLOWEDIP_A_CIDR_MASK, p.len);
    w.close(nest);
}

// Fills requests up to the limit, then goes on in the next one (linux/wireguard.h, SET_DEVICE).
class SetRequests {
public:
    SetRequests(uint16_t family, std::string_view iface, const DevicePatch& patch, uint32_t first_seq, size_t limit)
        : family_(family),
          iface_(iface),
          first_seq_(first_seq),
          // Attribute lengths are 16 bits: no nest, hence no request, may pass 64 KiB.
          limit_(std::min<size_t>(limit, std::numeric_limits<uint16_t>::max())) {
        start();
        if (patch.replace_peers) w_->put(WGDEVICE_A_FLAGS, static_cast<uint32_t>(WGDEVICE_F_REPLACE_PEERS));
        if (patch.private_key) w_->put(WGDEVICE_A_PRIVATE_KEY, patch.private_key->bytes.data(), kKeyLength);
        if (patch.listen_port) w_->put(WGDEVICE_A_LISTEN_PORT, *patch.listen_port);
        if (patch.firewall_mark) w_->put(WGDEVICE_A_FWMARK, *patch.firewall_mark);
        fresh_ = false;
    }

    Status add_peer(const PeerPatch& peer) {
        std::optional<Endpoint> endpoint;
        if (!peer.remove && peer.endpoint && !(endpoint = parse_endpoint(*peer.endpoint)))
            return Error{"peer " + to_base64(peer.public_key) + ": endpoint " + quote(*peer.endpoint) +
                         " is not an IP address and port"};
        if (peer.remove) {
            if (Status s = room(kNest + kKeyAttr + attr_size(sizeof(uint32_t))); !s) return s;
            size_t peer_nest = w_->open(0);
            w_->put(WGPEER_A_PUBLIC_KEY, peer.public_key.bytes.data(), kKeyLength);
            w_->put(WGPEER_A_FLAGS, peer_flags(peer));
            w_->close(peer_nest);
            return success();
        }
        const std::vector<state::IpPrefix> no_ips;
        const std::vector<state::IpPrefix>& ips = peer.allowed_ips ? *peer.allowed_ips : no_ips;
        size_t first_ip = ips.empty() ? 0 : allowed_ip_size(ips[0]);
        if (Status s = room(peer_head_size(peer, endpoint) + first_ip); !s) return s;
        size_t peer_nest = w_->open(0);
        w_->put(WGPEER_A_PUBLIC_KEY, peer.public_key.bytes.data(), kKeyLength);
        w_->put(WGPEER_A_FLAGS, peer_flags(peer));
        if (peer.preshared_key) w_->put(WGPEER_A_PRESHARED_KEY, peer.preshared_key->bytes.data(), kKeyLength);
        if (endpoint) put_endpoint(*w_, *endpoint);
        if (peer.persistent_keepalive_seconds)
            w_->put(WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL, *peer.persistent_keepalive_seconds);
        if (!peer.allowed_ips) {
            w_->close(peer_nest);
            return success();
        }
        size_t ips_nest = w_->open(WGPEER_A_ALLOWEDIPS);
        for (const state::IpPrefix& prefix : ips) {
            if (w_->size() + allowed_ip_size(prefix) > limit_) {
                // The peer goes on in the next request: its key again, more allowed IPs, and
                // UPDATE_ONLY if it had it, but not REPLACE_ALLOWEDIPS (that would drop the part
                // already sent).
                w_->close(ips_nest);
                w_->close(peer_nest);
                flush();
                if (Status s = room(continued_peer_head_size(peer) + allowed_ip_size(prefix)); !s) return s;
                peer_nest = w_->open(0);
                w_->put(WGPEER_A_PUBLIC_KEY, peer.public_key.bytes.data(), kKeyLength);
                if (uint32_t flags = continued_flags(peer)) w_->put(WGPEER_A_FLAGS, flags);
                ips_nest = w_->open(WGPEER_A_ALLOWEDIPS);
            }
            put_allowed_ip(*w_, prefix);
        }
        w_->close(ips_nest);
        w_->close(peer_nest);
        return success();
    }

    std::vector<GenlMessage> finish() {
        if (peers_open_) w_->close(peers_nest_);
        out_.push_back(w_->finish());
        return std::move(out_);
    }

private:
    // A request that names the device; only the first one carries more of it.
    void start() {
        w_.emplace(family_, WG_CMD_SET_DEVICE, NLM_F_REQUEST | NLM_F_ACK,
                   first_seq_ + static_cast<uint32_t>(out_.size()));
        w_->put(WGDEVICE_A_IFNAME, iface_.c_str(), iface_.size() + 1);
        peers_open_ = false;
        fresh_ = true;
    }
    void flush() {
        if (peers_open_) w_->close(peers_nest_);
        out_.push_back(w_->finish());
        start();
    }
    // Room for `need` more bytes inside the peers nest, in a new request if need be.
    Status room(size_t need) {
        auto fits = [&] { return w_->size() + (peers_open_ ? 0 : kNest) + need <= limit_; };
        if (!fits() && !fresh_) flush();
        if (!fits()) return Error{"netlink message limit of " + std::to_string(limit_) + " bytes is too small"};
        if (!peers_open_) {
            peers_nest_ = w_->open(WGDEVICE_A_PEERS);
            peers_open_ = true;
        }
        fresh_ = false;
        return success();
    }

    uint16_t family_;
    std::string iface_;
    uint32_t first_seq_;
    size_t limit_;
    std::vector<GenlMessage> out_;
    std::optional<Writer> w_;
    size_t peers_nest_ = 0;
    bool peers_open_ = false;
    bool fresh_ = true;  // the request names the device and holds nothing else yet
};

// ---- reading ----

struct Attr {
    uint16_t type = 0;  // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
    std::span<const uint8_t> payload;
};

// The attributes in `bytes`; an error when one overruns or the space left is no attribute.
Result<std::vector<Attr>> attributes(std::span<const uint8_t> bytes) {
    std::vector<Attr> out;
    while (!bytes.empty()) {
        nlattr a;
        if (bytes.size() < sizeof a) return Error{"truncated netlink attribute"};
        std::memcpy(&a, bytes.data(), sizeof a);
        if (a.nla_len < NLA_HDRLEN || a.nla_len > bytes.size()) return Error{"netlink attribute overruns its message"};
        out.push_back(
            {static_cast<uint16_t>(a.nla_type & NLA_TYPE_MASK), bytes.subspan(NLA_HDRLEN, a.nla_len - NLA_HDRLEN)});
        bytes = bytes.subspan(std::min<size_t>(NLA_ALIGN(a.nla_len), bytes.size()));
    }
    return out;
}

template <class T>
std::optional<T> read_exact(const Attr& a) {
    if (a.payload.size() != sizeof(T)) return std::nullopt;
    T value;
    std::memcpy(&value, a.payload.data(), sizeof value);
    return value;
}

std::optional<Key> read_key(const Attr& a) {
    if (a.payload.size() != kKeyLength) return std::nullopt;
    Key k;
    std::memcpy(k.bytes.data(), a.payload.data(), kKeyLength);
    return k;
}

Result<std::string> read_endpoint(const Attr& a) {
    sa_family_t family = 0;
    if (a.payload.size() < sizeof family) return Error{"endpoint too short"};
    std::memcpy(&family, a.payload.data(), sizeof family);
    Endpoint e;
    if (family == AF_INET && a.payload.size() >= sizeof(sockaddr_in)) {
        sockaddr_in sa;
        std::memcpy(&sa, a.payload.data(), sizeof sa);
        e.address.family = state::Family::V4;
        std::memcpy(e.address.bytes.data(), &sa.sin_addr, 4);
        e.port = ntohs(sa.sin_port);
    } else if (family == AF_INET6 && a.payload.size() >= sizeof(sockaddr_in6)) {
        sockaddr_in6 sa;  // the scope id of a link-local endpoint is dropped: configs cannot name one
        std::memcpy(&sa, a.payload.data(), sizeof sa);
        e.address.family = state::Family::V6;
        std::memcpy(e.address.bytes.data(), &sa.sin6_addr, 16);
        e.port = ntohs(sa.sin6_port);
    } else {
        return Error{"endpoint of family " + std::to_string(family) + " and " + std::to_string(a.payload.size()) +
                     " bytes is neither sockaddr_in nor sockaddr_in6"};
    }
    return e.str();
}

Result<state::IpPrefix> read_allowed_ip(std::span<const uint8_t> bytes) {
    auto attrs = attributes(bytes);
    if (!attrs) return Error{attrs.error()};
    std::optional<uint16_t> family;
    std::optional<uint8_t> mask;
    std::span<const uint8_t> addr;
    for (const Attr& a : *attrs) {
        if (a.type == WGALLOWEDIP_A_FAMILY) family = read_exact<uint16_t>(a);
        if (a.type == WGALLOWEDIP_A_CIDR_MASK) mask = read_exact<uint8_t>(a);
        if (a.type == WGALLOWEDIP_A_IPADDR) addr = a.payload;
    }
    if (!family || !mask || addr.empty()) return Error{"allowed IP without family, address or mask"};
    state::IpPrefix p;
    p.addr.family = *family == AF_INET ? state::Family::V4 : state::Family::V6;
    if ((*family != AF_INET && *family != AF_INET6) || addr.size() != p.addr.size() || *mask > p.addr.size() * 8)
        return Error{"allowed IP of family " + std::to_string(*family) + ", " + std::to_string(addr.size()) +
                     " address bytes and mask " + std::to_string(*mask) + " is not an IP prefix"};
    std::memcpy(p.addr.bytes.data(), addr.data(), addr.size());
    p.len = *mask;
    return p.masked();
}

// Walks the netlink messages of one datagram.
template <class F>
Status each_message(std::span<const uint8_t> datagram, F&& on_message) {
    while (!datagram.empty()) {
        nlmsghdr h;
        if (datagram.size() < sizeof h) return Error{"truncated netlink message"};
        std::memcpy(&h, datagram.data(), sizeof h);
        if (h.nlmsg_len < sizeof h || h.nlmsg_len > datagram.size())
            return Error{"netlink message overruns its datagram"};
        Status s = on_message(h, datagram.subspan(0, h.nlmsg_len));
        if (!s) return s;
        datagram = datagram.subspan(std::min<size_t>(NLMSG_ALIGN(h.nlmsg_len), datagram.size()));
    }
    return success();
}

// The extended-ack message (NLMSGERR_ATTR_MSG) that follows `offset` bytes of a message.
std::string extended_ack(const nlmsghdr& h, std::span<const uint8_t> message, size_t offset) {
    if (!(h.nlmsg_flags & NLM_F_ACK_TLVS) || offset >= message.size()) return "";
    auto attrs = attributes(message.subspan(offset));
    if (!attrs) return "";
    for (const Attr& a : *attrs) {
        if (a.type != NLMSGERR_ATTR_MSG) continue;
        auto* text = reinterpret_cast<const char*>(a.payload.data());
        return std::string(text, strnlen(text, a.payload.size()));
    }
    return "";
}

// NLMSG_ERROR: the errno and, after the request it echoes (whole, or its header when capped), the
// extended ack.
Result<GenlAck> read_error(const nlmsghdr& h, std::span<const uint8_t> message) {
    nlmsgerr err;
    if (message.size() < NLMSG_HDRLEN + sizeof err) return Error{"truncated netlink error message"};
    std::memcpy(&err, message.data() + NLMSG_HDRLEN, sizeof err);
    size_t echoed = (h.nlmsg_flags & NLM_F_CAPPED) || err.msg.nlmsg_len < NLMSG_HDRLEN
                        ? 0
                        : NLMSG_ALIGN(err.msg.nlmsg_len - NLMSG_HDRLEN);
    size_t offset = NLMSG_HDRLEN + sizeof err + echoed;
    if (err.error > 0 || err.error < -4095)
        return Error{"netlink error " + std::to_string(err.error) + " out of range"};
    return GenlAck{-err.error, extended_ack(h, message, offset)};
}

}  // namespace

GenlMessage genl_get_request(uint16_t family, std::string_view iface, uint32_t seq) {
    Writer w(family, WG_CMD_GET_DEVICE, NLM_F_REQUEST | NLM_F_DUMP, seq);
    std::string name(iface);
    w.put(WGDEVICE_A_IFNAME, name.c_str(), name.size() + 1);
    return w.finish();
}

Result<std::vector<GenlMessage>> genl_set_requests(uint16_t family, std::string_view iface, const DevicePatch& patch,
                                                   uint32_t first_seq, size_t limit) {
    SetRequests requests(family, iface, patch, first_seq, limit);
    for (const PeerPatch& peer : patch.peers)
        if (Status s = requests.add_peer(peer); !s) return Error{s.error()};
    return requests.finish();
}

Result<std::vector<GenlMessage>> genl_set_requests(uint16_t family, std::string_view iface, const DeviceConfig& config,
                                                   uint32_t first_seq, size_t limit) {
    return genl_set_requests(family, iface, replacement(config), first_seq, limit);
}

Result<std::optional<GenlAck>> genl_find_ack(std::span<const uint8_t> datagram, uint32_t seq) {
    std::optional<GenlAck> ack;
    Status s = each_message(datagram, [&](const nlmsghdr& h, std::span<const uint8_t> message) -> Status {
        if (h.nlmsg_seq != seq || h.nlmsg_type != NLMSG_ERROR || ack) return success();
        auto r = read_error(h, message);
        if (!r) return Error{r.error()};
        ack = *r;
        return success();
    });
    if (!s) return Error{s.error()};
    return ack;
}

Status GenlDeviceDump::add(std::span<const uint8_t> datagram) {
    if (!config_) return Error{"the dump already failed"};
    Status s = each_message(datagram, [&](const nlmsghdr& h, std::span<const uint8_t> message) -> Status {
        if (h.nlmsg_seq != seq_ || h.nlmsg_type == NLMSG_NOOP) return success();  // a stale answer
        if (done_) return Error{"netlink message after the end of the dump"};
        if (h.nlmsg_flags & NLM_F_DUMP_INTR) interrupted_ = true;
        if (h.nlmsg_type == NLMSG_ERROR) {
            auto ack = read_error(h, message);
            if (!ack) return Error{ack.error()};
            done_ = true;
            if (ack->error != 0) refused_ = *ack;
            return success();
        }
        if (h.nlmsg_type == NLMSG_DONE) {
            int status = 0;
            if (message.size() >= NLMSG_HDRLEN + sizeof status)
                std::memcpy(&status, message.data() + NLMSG_HDRLEN, sizeof status);
            done_ = true;
            if (status < 0 && status >= -4095)
                refused_ = GenlAck{-status, extended_ack(h, message, NLMSG_HDRLEN + NLMSG_ALIGN(sizeof status))};
            else if (status != 0)
                return Error{"dump status " + std::to_string(status) + " out of range"};
            return success();
        }
        if (h.nlmsg_type != family_) return Error{"netlink message of type " + std::to_string(h.nlmsg_type)};
        return add_message(message);
    });
    if (!s) config_.reset();
    return s;
}

Status GenlDeviceDump::add_message(std::span<const uint8_t> message) {
    genlmsghdr g;
    if (message.size() < NLMSG_HDRLEN + sizeof g) return Error{"truncated generic netlink message"};
    std::memcpy(&g, message.data() + NLMSG_HDRLEN, sizeof g);
    if (g.cmd != WG_CMD_GET_DEVICE) return Error{"generic netlink command " + std::to_string(g.cmd) + " in a dump"};
    auto attrs = attributes(message.subspan(NLMSG_HDRLEN + GENL_HDRLEN));
    if (!attrs) return Error{attrs.error()};
    // Device settings come once; a repetition in a later message must agree with the first.
    auto same = [](auto& slot, auto value, const char* what) -> Status {
        if (!value) return Error{std::string(what) + " of the wrong size"};
        if (slot && *slot != *value) return Error{std::string(what) + " differs between messages"};
        slot = value;
        return success();
    };
    for (const Attr& a : *attrs) {
        Status s = success();
        if (a.type == WGDEVICE_A_PRIVATE_KEY) s = same(private_key_, read_key(a), "private key");
        if (a.type == WGDEVICE_A_LISTEN_PORT) s = same(listen_port_, read_exact<uint16_t>(a), "listen port");
        if (a.type == WGDEVICE_A_FWMARK) s = same(fwmark_, read_exact<uint32_t>(a), "fwmark");
        if (a.type == WGDEVICE_A_PEERS) {
            auto peers = attributes(a.payload);
            if (!peers) return Error{peers.error()};
            for (const Attr& p : *peers)
                if (Status r = add_peer(p.payload); !r) return r;
        }
        if (!s) return s;
    }
    return success();
}

Status GenlDeviceDump::add_peer(std::span<const uint8_t> bytes) {
    auto attrs = attributes(bytes);
    if (!attrs) return Error{attrs.error()};
    std::optional<Key> key;
    for (const Attr& a : *attrs)
        if (a.type == WGPEER_A_PUBLIC_KEY && !(key = read_key(a))) return Error{"peer public key of the wrong size"};
    if (!key) return Error{"peer without a public key"};
    std::vector<PeerConfig>& peers = config_->peers;
    // The kernel repeats a peer whose allowed IPs did not fit at the start of the next message.
    bool continued = !peers.empty() && peers.back().public_key == *key;
    if (!continued) {
        if (peers.size() >= kMaxPeers) return Error{"more than " + std::to_string(kMaxPeers) + " peers"};
        if (!peer_keys_.insert(*key).second) return Error{"peer " + to_base64(*key) + " twice"};
        peers.emplace_back().public_key = *key;
        last_peer_ips_.clear();
    }
    PeerConfig& peer = peers.back();
    for (const Attr& a : *attrs) {
        if (a.type == WGPEER_A_PRESHARED_KEY) {
            auto psk = read_key(a);
            if (!psk) return Error{"preshared key of the wrong size"};
            peer.preshared_key = psk->is_zero() ? std::nullopt : psk;
        } else if (a.type == WGPEER_A_ENDPOINT) {
            auto endpoint = read_endpoint(a);
            if (!endpoint) return Error{"peer " + to_base64(*key) + ": " + endpoint.error()};
            peer.endpoint = *endpoint;
        } else if (a.type == WGPEER_A_PERSISTENT_KEEPALIVE_INTERVAL) {
            auto secs = read_exact<uint16_t>(a);
            if (!secs) return Error{"persistent keepalive of the wrong size"};
            peer.persistent_keepalive_seconds = *secs;
        } else if (a.type == WGPEER_A_LAST_HANDSHAKE_TIME) {
            auto time = read_exact<__kernel_timespec>(a);
            if (!time) return Error{"last handshake time of the wrong size"};
            if (time->tv_sec < 0 || time->tv_nsec < 0 || time->tv_nsec >= 1000000000)
                return Error{"peer " + to_base64(*key) + ": last handshake time out of range"};
            peer.stats.last_handshake_sec = time->tv_sec;
            peer.stats.last_handshake_nsec = static_cast<uint32_t>(time->tv_nsec);
        } else if (a.type == WGPEER_A_RX_BYTES || a.type == WGPEER_A_TX_BYTES) {
            auto bytes = read_exact<uint64_t>(a);
            if (!bytes) return Error{std::string(a.type == WGPEER_A_RX_BYTES ? "rx" : "tx") + " bytes of the wrong size"};
            (a.type == WGPEER_A_RX_BYTES ? peer.stats.rx_bytes : peer.stats.tx_bytes) = *bytes;
        } else if (a.type == WGPEER_A_ALLOWEDIPS) {
            auto ips = attributes(a.payload);
            if (!ips) return Error{ips.error()};
            for (const Attr& ip : *ips) {
                auto prefix = read_allowed_ip(ip.payload);
                if (!prefix) return Error{"peer " + to_base64(*key) + ": " + prefix.error()};
                if (peer.allowed_ips.size() >= kMaxAllowedIpsPerPeer || ++total_ips_ > kMaxAllowedIps)
                    return Error{"too many allowed IPs"};
                if (!last_peer_ips_.insert(*prefix).second)
                    return Error{"peer " + to_base64(*key) + ": allowed IP " + prefix->str() + " twice"};
                peer.allowed_ips.push_back(*prefix);
            }
        }
    }
    return success();
}

Result<DeviceConfig> GenlDeviceDump::take() {
    if (!config_) return Error{"the dump failed"};
    if (!done_) return Error{"the dump is incomplete"};
    if (refused_) {
        std::string reason = std::strerror(refused_->error);
        return Error{refused_->message.empty() ? reason : reason + " (" + refused_->message + ")"};
    }
    if (interrupted_) return Error{"the device changed while it was read (NLM_F_DUMP_INTR)"};
    DeviceConfig config = std::move(*config_);
    config_.reset();
    if (private_key_ && !private_key_->is_zero()) config.private_key = private_key_;
    config.listen_port = listen_port_.value_or(0);
    config.firewall_mark = fwmark_.value_or(0);
    return config;
}

}  // namespace nodenet::wireguard
