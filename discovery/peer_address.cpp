#include "discovery/peer_address.h"

#include <arpa/inet.h>

#include <algorithm>

namespace nodenet::discovery {

namespace {

// gRPC percent-encodes the peer URI in some versions (`ipv6:%5B::1%5D:5555`).
std::string percent_decoded(std::string_view text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            auto hex = [](char c) { return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1; };
            int high = hex(text[i + 1]), low = hex(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out += static_cast<char>(high * 16 + low);
                i += 2;
                continue;
            }
        }
        out += text[i];
    }
    return out;
}

}  // namespace

std::string peer_ip_bytes(std::string_view peer) {
    std::string text = percent_decoded(peer);
    std::string_view rest = text;
    int family;
    std::string host;
    if (rest.starts_with("ipv4:")) {
        family = AF_INET;
        rest.remove_prefix(5);
        host = std::string(rest.substr(0, rest.rfind(':')));
    } else if (rest.starts_with("ipv6:")) {
        family = AF_INET6;
        rest.remove_prefix(5);
        if (!rest.starts_with('[')) return {};
        auto close = rest.find(']');
        if (close == std::string_view::npos) return {};
        host = std::string(rest.substr(1, close - 1));
        if (auto zone = host.find('%'); zone != std::string::npos) host.resize(zone);  // fe80::1%eth0
    } else {
        return {};
    }
    unsigned char bytes[16];
    if (inet_pton(family, host.c_str(), bytes) != 1) return {};
    std::string out(reinterpret_cast<const char*>(bytes), family == AF_INET ? 4 : 16);
    // An IPv4 client of a dual-stack socket shows as ::ffff:a.b.c.d; Talos's Go server sees 4 bytes.
    static const unsigned char kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (out.size() == 16 && std::equal(kMapped, kMapped + 12, bytes)) out = out.substr(12);
    return out;
}

}  // namespace nodenet::discovery
