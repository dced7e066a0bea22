#include "kubespan/kubespan_address.h"

#include <dlfcn.h>

#include <array>
#include <vector>

#include "kubespan/constants.h"

namespace nodenet::kubespan {

namespace {

// OpenSSL's SHA-256 through EVP_Digest, loaded on first use: linking libcrypto would cost every
// nodenet run its dynamic loading, for a hash that only KubeSpan needs.
struct Sha256 {
    using Digest = int (*)(const void*, size_t, unsigned char*, unsigned int*, const void*, void*);
    using Md = const void* (*)();
    Digest digest = nullptr;
    Md sha256 = nullptr;

    static const Sha256* load() {
        static const Sha256 loaded = [] {
            Sha256 s;
            void* lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
            if (!lib) return s;
            s.digest = reinterpret_cast<Digest>(dlsym(lib, "EVP_Digest"));
            s.sha256 = reinterpret_cast<Md>(dlsym(lib, "EVP_sha256"));
            return s;
        }();
        return loaded.digest && loaded.sha256 ? &loaded : nullptr;
    }
};

constexpr size_t kSha256Size = 32;

Result<std::array<uint8_t, kSha256Size>> sha256(std::string_view data) {
    const Sha256* s = Sha256::load();
    if (!s) return Error{"SHA-256: cannot load libcrypto.so.3 (OpenSSL 3)"};
    std::array<uint8_t, kSha256Size> out{};
    unsigned int len = 0;
    if (s->digest(data.data(), data.size(), out.data(), &len, s->sha256(), nullptr) != 1 || len != kSha256Size)
        return Error{"SHA-256: OpenSSL's EVP_Digest failed"};
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// "aa:bb:cc:dd:ee:ff": pairs of hex digits between single separators.
std::optional<std::vector<uint8_t>> parse_mac(std::string_view mac) {
    std::vector<uint8_t> out;
    size_t i = 0;
    while (i < mac.size()) {
        if (i + 2 > mac.size()) return std::nullopt;
        int hi = hex_value(mac[i]), lo = hex_value(mac[i + 1]);
        if (hi < 0 || lo < 0) return std::nullopt;
        out.push_back(static_cast<uint8_t>(hi << 4 | lo));
        i += 2;
        if (i == mac.size()) break;
        if (mac[i] != ':' && mac[i] != '-') return std::nullopt;
        if (++i == mac.size()) return std::nullopt;
    }
    return out;
}

}  // namespace

Result<state::IpPrefix> ula_prefix(std::string_view cluster_id, uint8_t purpose) {
    auto hash = sha256(cluster_id);
    if (!hash.ok()) return Error{hash.error()};
    state::IpPrefix p;
    p.addr.family = state::Family::V6;
    std::copy(hash->end() - 16, hash->end(), p.addr.bytes.begin());
    p.addr.bytes[0] = 0xfd;
    p.addr.bytes[7] = purpose;
    p.len = kKubeSpanPrefixLength;
    return p.masked();
}

Result<state::IpPrefix> kubespan_prefix(std::string_view cluster_id) { return ula_prefix(cluster_id, kUlaKubeSpan); }

std::optional<state::IpAddress> kubespan_address(const state::IpPrefix& prefix, std::string_view mac) {
    if (prefix.family() != state::Family::V6) return std::nullopt;
    auto bytes = parse_mac(mac);
    if (!bytes || (bytes->size() != 6 && bytes->size() != 8)) return std::nullopt;
    state::IpAddress ip = prefix.addr;
    auto& b = ip.bytes;
    if (bytes->size() == 8) {
        std::copy(bytes->begin(), bytes->end(), b.begin() + 8);
    } else {
        std::copy(bytes->begin(), bytes->begin() + 3, b.begin() + 8);
        b[11] = 0xff;
        b[12] = 0xfe;
        std::copy(bytes->begin() + 3, bytes->end(), b.begin() + 13);
    }
    b[8] ^= 0x02;  // the universal/local bit, inverted (RFC 4291 §2.5.1)
    return ip;
}

bool is_ula(const state::IpAddress& ip, uint8_t purpose) {
    return ip.family == state::Family::V6 && ip.bytes[0] == 0xfd && ip.bytes[7] == purpose;
}

bool is_kubespan_ula(const state::IpAddress& ip) { return is_ula(ip, kUlaKubeSpan); }

}  // namespace nodenet::kubespan
