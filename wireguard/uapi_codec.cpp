#include "wireguard/uapi_codec.h"

#include <charconv>
#include <cstring>
#include <limits>
#include <set>

namespace nodenet::wireguard {

namespace {

// Decimal without sign, up to `max`.
std::optional<uint64_t> parse_number(std::string_view text, uint64_t max) {
    uint64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

std::optional<Key> nonzero(const Key& key) { return key.is_zero() ? std::nullopt : std::optional<Key>(key); }

std::string errno_text(int64_t value) {
    int code = static_cast<int>(value < 0 ? -value : value);
    return "errno=" + std::to_string(value) + " (" + std::strerror(code) + ")";
}

// A link-local endpoint a peer roamed from carries its zone ("[fe80::1%eth0]:51820"); the config
// cannot name zones, so the address and port are kept and the zone dropped, as the kernel's
// sockaddr_in6 scope id is.
std::optional<Endpoint> reply_endpoint(std::string_view text) {
    size_t percent = text.find('%'), bracket = text.find(']');
    if (percent != std::string_view::npos && bracket != std::string_view::npos && percent < bracket)
        return parse_endpoint(std::string(text.substr(0, percent)) + std::string(text.substr(bracket)));
    return parse_endpoint(text);
}

// Reads a get reply line by line; the first error stops it.
class GetReplyParser {
public:
    Result<DeviceConfig> run(std::string_view reply) {
        size_t pos = 0;
        while (pos < reply.size()) {
            size_t nl = reply.find('\n', pos);
            if (nl == std::string_view::npos) return fail("the reply ends without an empty line");
            std::string_view line = reply.substr(pos, nl - pos);
            pos = nl + 1;
            ++line_no_;
            if (line.empty()) {
                if (!errno_) return fail("the reply ends before errno");
                if (pos != reply.size()) return fail("data after the end of the reply");
                if (*errno_ != 0) return Error{"the device answered " + errno_text(*errno_)};
                return std::move(config_);
            }
            if (errno_) return fail("data after errno");
            size_t eq = line.find('=');
            if (eq == std::string_view::npos) return fail("no '=' in " + quote(line));
            Status s = take(line.substr(0, eq), line.substr(eq + 1));
            if (!s) return Error{s.error()};
        }
        return fail(errno_ ? "the reply ends without an empty line" : "the reply ends before errno");
    }

private:
    Status take(std::string_view key, std::string_view value) {
        if (key == "errno") {
            auto magnitude = parse_number(value.substr(value.starts_with('-') ? 1 : 0), 4095);
            if (!magnitude) return fail("errno " + quote(value) + " is not a number from -4095 to 4095");
            errno_ = value.starts_with('-') ? -static_cast<int64_t>(*magnitude) : static_cast<int64_t>(*magnitude);
            return success();
        }
        if (key == "public_key") return start_peer(value);
        if (key == "private_key" || key == "listen_port" || key == "fwmark") {
            if (peer_) return fail(std::string(key) + " after the first peer");
            if (!seen_device_.insert(std::string(key)).second) return fail(std::string(key) + " twice");
            if (key == "private_key") {
                auto k = parse_key_hex(value);
                if (!k) return fail("private_key: " + k.error());
                config_.private_key = nonzero(*k);
            } else if (key == "listen_port") {
                auto port = parse_number(value, std::numeric_limits<uint16_t>::max());
                if (!port) return fail("listen_port " + quote(value) + " is not a port number");
                config_.listen_port = static_cast<uint16_t>(*port);
            } else {
                auto mark = parse_number(value, std::numeric_limits<uint32_t>::max());
                if (!mark) return fail("fwmark " + quote(value) + " is not a 32-bit number");
                config_.firewall_mark = static_cast<uint32_t>(*mark);
            }
            return success();
        }
        if (peer_) return take_peer(key, value);
        if (key == "allowed_ip" || known_peer_key(key)) return fail(std::string(key) + " before the first public_key");
        return success();  // a device key of a newer version
    }

    static bool known_peer_key(std::string_view key) {
        static constexpr std::string_view kKnown[] = {"preshared_key",
                                                      "endpoint",
                                                      "persistent_keepalive_interval",
                                                      "protocol_version",
                                                      "last_handshake_time_sec",
                                                      "last_handshake_time_nsec",
                                                      "rx_bytes",
                                                      "tx_bytes"};
        for (std::string_view k : kKnown)
            if (key == k) return true;
        return false;
    }

    Status start_peer(std::string_view value) {
        auto k = parse_key_hex(value);
        if (!k) return fail("public_key: " + k.error());
        if (config_.peers.size() >= kMaxPeers) return fail("more than " + std::to_string(kMaxPeers) + " peers");
        if (!peer_keys_.insert(*k).second) return fail("peer " + to_base64(*k) + " twice");
        config_.peers.emplace_back().public_key = *k;
        peer_ = &config_.peers.back();
        seen_peer_.clear();
        peer_ips_.clear();
        return success();
    }

    Status take_peer(std::string_view key, std::string_view value) {
        if (key == "allowed_ip") {
            auto prefix = value.find('/') == std::string_view::npos ? std::nullopt : state::parse_ip_prefix(value);
            if (!prefix) return fail("allowed_ip " + quote(value) + " is not an IP prefix");
            if (peer_->allowed_ips.size() >= kMaxAllowedIpsPerPeer || ++total_ips_ > kMaxAllowedIps)
                return fail("too many allowed IPs");
            if (!peer_ips_.insert(prefix->masked()).second) return fail("allowed_ip " + quote(value) + " twice");
            peer_->allowed_ips.push_back(prefix->masked());
            return success();
        }
        if (!known_peer_key(key)) return success();  // a peer key of a newer version
        if (!seen_peer_.insert(std::string(key)).second) return fail(std::string(key) + " twice in one peer");
        if (key == "preshared_key") {
            auto k = parse_key_hex(value);
            if (!k) return fail("preshared_key: " + k.error());
            peer_->preshared_key = nonzero(*k);
        } else if (key == "endpoint") {
            auto endpoint = reply_endpoint(value);
            if (!endpoint) return fail("endpoint " + quote(value) + " is not an IP address and port");
            peer_->endpoint = endpoint->str();
        } else if (key == "persistent_keepalive_interval") {
            auto secs = parse_number(value, std::numeric_limits<uint16_t>::max());
            if (!secs) return fail("persistent_keepalive_interval " + quote(value) + " is out of range");
            peer_->persistent_keepalive_seconds = static_cast<uint16_t>(*secs);
        } else if (key == "last_handshake_time_sec") {
            auto secs = parse_number(value, std::numeric_limits<int64_t>::max());
            if (!secs) return fail("last_handshake_time_sec " + quote(value) + " is not a number");
            peer_->stats.last_handshake_sec = static_cast<int64_t>(*secs);
        } else if (key == "last_handshake_time_nsec") {
            auto nsecs = parse_number(value, 999999999);
            if (!nsecs) return fail("last_handshake_time_nsec " + quote(value) + " is not a number from 0 to 999999999");
            peer_->stats.last_handshake_nsec = static_cast<uint32_t>(*nsecs);
        } else {
            auto number = parse_number(value, std::numeric_limits<uint64_t>::max());
            if (!number) return fail(std::string(key) + " " + quote(value) + " is not a number");
            if (key == "rx_bytes") peer_->stats.rx_bytes = *number;
            if (key == "tx_bytes") peer_->stats.tx_bytes = *number;
        }
        return success();
    }

    Error fail(const std::string& what) const { return Error{"reply line " + std::to_string(line_no_) + ": " + what}; }

    DeviceConfig config_;
    PeerConfig* peer_ = nullptr;  // the peer the lines describe; null before the first public_key
    std::optional<int64_t> errno_;
    std::set<std::string> seen_device_, seen_peer_;
    std::set<Key> peer_keys_;
    std::set<state::IpPrefix> peer_ips_;
    size_t total_ips_ = 0;
    size_t line_no_ = 0;
};

void line(std::string& out, std::string_view key, std::string_view value) {
    out.append(key).append("=").append(value).append("\n");
}

}  // namespace

Result<std::string> set_request(const DevicePatch& patch) {
    std::string out = "set=1\n";
    if (patch.private_key) line(out, "private_key", to_hex(*patch.private_key));
    if (patch.listen_port) line(out, "listen_port", std::to_string(*patch.listen_port));
    if (patch.firewall_mark) line(out, "fwmark", std::to_string(*patch.firewall_mark));
    if (patch.replace_peers) line(out, "replace_peers", "true");
    for (const PeerPatch& peer : patch.peers) {
        line(out, "public_key", to_hex(peer.public_key));
        // Right after public_key: wireguard-go acts on these before the lines that follow.
        if (peer.remove) {
            line(out, "remove", "true");
            continue;
        }
        if (peer.update_only) line(out, "update_only", "true");
        if (peer.preshared_key) line(out, "preshared_key", to_hex(*peer.preshared_key));
        if (peer.endpoint) {
            auto endpoint = parse_endpoint(*peer.endpoint);
            if (!endpoint)
                return Error{"peer " + to_base64(peer.public_key) + ": endpoint " + quote(*peer.endpoint) +
                             " is not an IP address and port"};
            line(out, "endpoint", endpoint->str());
        }
        if (peer.persistent_keepalive_seconds)
            line(out, "persistent_keepalive_interval", std::to_string(*peer.persistent_keepalive_seconds));
        if (peer.allowed_ips) {
            line(out, "replace_allowed_ips", "true");
            for (const state::IpPrefix& prefix : *peer.allowed_ips) line(out, "allowed_ip", prefix.str());
        }
    }
    out += "\n";
    return out;
}

Result<std::string> set_request(const DeviceConfig& config) { return set_request(replacement(config)); }

Result<DeviceConfig> parse_get_reply(std::string_view reply) { return GetReplyParser().run(reply); }

Status parse_set_reply(std::string_view reply) {
    constexpr std::string_view kKey = "errno=";
    if (!reply.starts_with(kKey) || !reply.ends_with("\n\n"))
        return Error{"reply: expected \"errno=N\" and an empty line, got " + quote(reply)};
    std::string_view value = reply.substr(kKey.size(), reply.size() - kKey.size() - 2);
    bool negative = value.starts_with('-');
    auto magnitude = parse_number(value.substr(negative ? 1 : 0), 4095);
    if (!magnitude) return Error{"reply: errno " + quote(value) + " is not a number from -4095 to 4095"};
    if (*magnitude != 0)
        return Error{"the device answered " +
                     errno_text(negative ? -static_cast<int64_t>(*magnitude) : static_cast<int64_t>(*magnitude))};
    return success();
}

std::string format_get_reply(const DeviceConfig& config) {
    std::string out;
    if (config.private_key) line(out, "private_key", to_hex(*config.private_key));
    if (config.listen_port) line(out, "listen_port", std::to_string(config.listen_port));
    if (config.firewall_mark) line(out, "fwmark", std::to_string(config.firewall_mark));
    for (const PeerConfig& peer : config.peers) {
        line(out, "public_key", to_hex(peer.public_key));
        line(out, "preshared_key", to_hex(peer.preshared_key.value_or(Key{})));
        line(out, "protocol_version", "1");
        if (!peer.endpoint.empty()) line(out, "endpoint", peer.endpoint);
        line(out, "last_handshake_time_sec", std::to_string(peer.stats.last_handshake_sec));
        line(out, "last_handshake_time_nsec", std::to_string(peer.stats.last_handshake_nsec));
        line(out, "tx_bytes", std::to_string(peer.stats.tx_bytes));
        line(out, "rx_bytes", std::to_string(peer.stats.rx_bytes));
        line(out, "persistent_keepalive_interval", std::to_string(peer.persistent_keepalive_seconds));
        for (const state::IpPrefix& prefix : peer.allowed_ips) line(out, "allowed_ip", prefix.str());
    }
    out += "errno=0\n\n";
    return out;
}

size_t reply_end(std::string_view received) {
    if (received.starts_with('\n')) return 1;
    size_t end = received.find("\n\n");
    return end == std::string_view::npos ? std::string_view::npos : end + 2;
}

}  // namespace nodenet::wireguard
