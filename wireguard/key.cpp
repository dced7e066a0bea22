#include "wireguard/key.h"

#include <dlfcn.h>

#include <algorithm>

namespace nodenet::wireguard {

namespace {

constexpr size_t kBase64Length = 44;  // 4 * ceil(32 / 3)
constexpr std::string_view kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int base64_value(char c) {
    size_t i = kAlphabet.find(c);
    return i == std::string_view::npos ? -1 : static_cast<int>(i);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

}  // namespace

bool Key::is_zero() const {
    return std::all_of(bytes.begin(), bytes.end(), [](uint8_t b) { return b == 0; });
}

Result<Key> parse_key_base64(std::string_view text) {
    if (text.size() != kBase64Length)
        return Error{"not a WireGuard key: " + std::to_string(text.size()) +
                     " characters, expected 44 (32 bytes in base64)"};
    if (text[43] != '=' || text[42] == '=') return Error{"not a WireGuard key: it must end with exactly one '='"};
    // 43 digits carry 258 bits: 256 of the key and 2 that canonical base64 leaves zero. Talos decodes
    // keys with Go's lenient decoder, which ignores those 2 bits, so a config may set them; `wg`
    // would refuse such a key, but it means the same 32 bytes.
    Key key;
    uint32_t acc = 0;
    int bits = 0;
    size_t out = 0;
    for (size_t i = 0; i < 43; ++i) {
        int v = base64_value(text[i]);
        if (v < 0) return Error{"not a WireGuard key: character " + std::to_string(i + 1) + " is not base64"};
        acc = (acc << 6) | static_cast<uint32_t>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            key.bytes[out++] = static_cast<uint8_t>(acc >> bits);
            acc &= (1u << bits) - 1;
        }
    }
    return key;
}

std::string to_base64(const Key& key) {
    std::string text;
    text.reserve(kBase64Length);
    uint32_t acc = 0;
    int bits = 0;
    for (uint8_t b : key.bytes) {
        acc = (acc << 8) | b;
        bits += 8;
        while (bits >= 6) {
            bits -= 6;
            text += kAlphabet[(acc >> bits) & 63];
        }
    }
    text += kAlphabet[(acc << (6 - bits)) & 63];  // the last 2 bits of the key, then zeros
    text += '=';
    return text;
}

Result<Key> parse_key_hex(std::string_view text) {
    if (text.size() != 2 * kKeyLength)
        return Error{"not a WireGuard key: " + std::to_string(text.size()) + " characters, expected 64 hex digits"};
    Key key;
    for (size_t i = 0; i < kKeyLength; ++i) {
        int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
        if (hi < 0 || lo < 0) return Error{"not a WireGuard key: not hexadecimal"};
        key.bytes[i] = static_cast<uint8_t>(hi << 4 | lo);
    }
    return key;
}

std::string to_hex(const Key& key) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string text;
    text.reserve(2 * kKeyLength);
    for (uint8_t b : key.bytes) {
        text += kDigits[b >> 4];
        text += kDigits[b & 15];
    }
    return text;
}

Key clamped(const Key& private_key) {
    Key k = private_key;
    k.bytes[0] &= 248;
    k.bytes[31] = static_cast<uint8_t>((k.bytes[31] & 127) | 64);
    return k;
}

namespace {

// OpenSSL's X25519, loaded on first use: linking libcrypto would cost every nodenet run about a
// millisecond of dynamic loading, for a key derivation only WireGuard configs need.
struct X25519 {
    using NewKey = void* (*)(int, void*, const unsigned char*, size_t);
    using GetPublic = int (*)(const void*, unsigned char*, size_t*);
    using Free = void (*)(void*);
    static constexpr int kEvpPkeyX25519 = 1034;  // EVP_PKEY_X25519 (NID_X25519), stable ABI
    NewKey new_key = nullptr;
    GetPublic get_public = nullptr;
    Free free_key = nullptr;

    static const X25519* load() {
        static const X25519 loaded = [] {
            X25519 x;
            void* lib = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
            if (!lib) return x;
            x.new_key = reinterpret_cast<NewKey>(dlsym(lib, "EVP_PKEY_new_raw_private_key"));
            x.get_public = reinterpret_cast<GetPublic>(dlsym(lib, "EVP_PKEY_get_raw_public_key"));
            x.free_key = reinterpret_cast<Free>(dlsym(lib, "EVP_PKEY_free"));
            return x;
        }();
        return loaded.new_key && loaded.get_public && loaded.free_key ? &loaded : nullptr;
    }
};

}  // namespace

Result<Key> public_key(const Key& private_key) {
    const X25519* x = X25519::load();
    if (!x) return Error{"X25519: cannot load libcrypto.so.3 (OpenSSL 3)"};
    void* pkey = x->new_key(X25519::kEvpPkeyX25519, nullptr, private_key.bytes.data(), kKeyLength);
    if (!pkey) return Error{"X25519: cannot load the private key (OpenSSL)"};
    Key pub;
    size_t len = kKeyLength;
    int ok = x->get_public(pkey, pub.bytes.data(), &len);
    x->free_key(pkey);
    if (ok != 1 || len != kKeyLength) return Error{"X25519: cannot derive the public key (OpenSSL)"};
    return pub;
}

}  // namespace nodenet::wireguard
