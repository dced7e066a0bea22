#include "discovery/affiliate_crypto.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

#include "config/go_syntax.h"

namespace nodenet::discovery {
namespace {

struct CtxFree {
    void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* bytes_of(std::string_view s) {
    // EVP wants a valid pointer even for zero bytes.
    static const unsigned char kNothing = 0;
    return s.empty() ? &kNothing : reinterpret_cast<const unsigned char*>(s.data());
}

unsigned char* bytes_of(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

std::string size_text(size_t n) { return std::to_string(n) + (n == 1 ? " byte" : " bytes"); }

// Both ECB directions: whole blocks in, the same number of bytes out, no padding of OpenSSL's own.
Result<std::string> aes_ecb(const ClusterKey& key, std::string_view in, bool encrypt) {
    Ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return Error{"AES: out of memory"};
    if (EVP_CipherInit_ex(ctx.get(), EVP_aes_256_ecb(), nullptr, key.bytes.data(), nullptr, encrypt ? 1 : 0) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
        return Error{"AES-ECB: OpenSSL refused the key"};
    std::string out(in.size() + kAesBlockBytes, '\0');
    int n = 0;
    int tail = 0;
    if (EVP_CipherUpdate(ctx.get(), bytes_of(out), &n, bytes_of(in), static_cast<int>(in.size())) != 1 ||
        EVP_CipherFinal_ex(ctx.get(), bytes_of(out) + n, &tail) != 1)
        return Error{"AES-ECB: OpenSSL failed"};
    out.resize(static_cast<size_t>(n + tail));
    return out;
}

}  // namespace

Result<ClusterKey> parse_cluster_secret(std::string_view base64) {
    auto raw = config::go::base64_std_decode(base64);
    if (!raw.ok()) return Error{"cluster secret: not base64 (" + raw.error() + ")"};
    if (raw->size() != kClusterKeyBytes)
        return Error{"cluster secret: " + size_text(raw->size()) + ", an AES-256 key needs 32"};
    ClusterKey key;
    std::copy(raw->begin(), raw->end(), key.bytes.begin());
    return key;
}

Result<std::string> seal_affiliate_data(const ClusterKey& key, std::string_view plaintext, const Nonce& nonce) {
    size_t sealed_size = kNonceBytes + plaintext.size() + kTagBytes;
    if (sealed_size > kMaxSealedDataBytes)
        return Error{"affiliate data: " + size_text(sealed_size) + " encrypted, more than the " +
                     std::to_string(kMaxSealedDataBytes) + " a discovery service keeps"};
    Ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return Error{"AES-GCM: out of memory"};
    // GCM's default nonce length is the 12 bytes Go's cipher.NewGCM uses.
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), nonce.data()) != 1)
        return Error{"AES-GCM: OpenSSL refused the key"};
    std::string out(sealed_size, '\0');
    std::copy(nonce.begin(), nonce.end(), out.begin());
    unsigned char* body = bytes_of(out) + kNonceBytes;
    int n = 0;
    int tail = 0;
    if (EVP_EncryptUpdate(ctx.get(), body, &n, bytes_of(plaintext), static_cast<int>(plaintext.size())) != 1 ||
        EVP_EncryptFinal_ex(ctx.get(), body + n, &tail) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), body + n + tail) != 1)
        return Error{"AES-GCM: OpenSSL failed"};
    return out;
}

Result<std::string> open_affiliate_data(const ClusterKey& key, std::string_view sealed) {
    if (sealed.empty()) return Error{"no data"};
    if (sealed.size() > kMaxSealedDataBytes)
        return Error{size_text(sealed.size()) + ", more than the " + std::to_string(kMaxSealedDataBytes) +
                     " a discovery service keeps"};
    if (sealed.size() < kNonceBytes + kTagBytes)
        return Error{size_text(sealed.size()) + ", too short for AES-GCM (a 12-byte nonce and a 16-byte tag)"};
    std::string_view nonce = sealed.substr(0, kNonceBytes);
    std::string_view body = sealed.substr(kNonceBytes, sealed.size() - kNonceBytes - kTagBytes);
    std::string tag(sealed.substr(sealed.size() - kTagBytes));
    Ctx ctx(EVP_CIPHER_CTX_new());
    if (!ctx) return Error{"AES-GCM: out of memory"};
    if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, key.bytes.data(), bytes_of(nonce)) != 1)
        return Error{"AES-GCM: OpenSSL refused the key"};
    std::string out(body.size() + kAesBlockBytes, '\0');
    int n = 0;
    int tail = 0;
    if (EVP_DecryptUpdate(ctx.get(), bytes_of(out), &n, bytes_of(body), static_cast<int>(body.size())) != 1 ||
        EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), tag.data()) != 1)
        return Error{"AES-GCM: OpenSSL failed"};
    if (EVP_DecryptFinal_ex(ctx.get(), bytes_of(out) + n, &tail) != 1)
        return Error{"authentication failed (AES-GCM): another cluster's secret, or damaged data"};
    out.resize(static_cast<size_t>(n + tail));
    return out;
}

Result<std::string> seal_endpoint(const ClusterKey& key, std::string_view plaintext) {
    if (plaintext.size() > 255) return Error{"endpoint: " + size_text(plaintext.size()) + ", one length byte holds 255"};
    std::string block(1, static_cast<char>(plaintext.size()));
    block += plaintext;
    block.resize((block.size() + kAesBlockBytes - 1) / kAesBlockBytes * kAesBlockBytes, '\0');
    if (block.size() > kMaxSealedEndpointBytes)
        return Error{"endpoint: " + size_text(block.size()) + " encrypted, more than the " +
                     std::to_string(kMaxSealedEndpointBytes) + " a discovery service keeps"};
    return aes_ecb(key, block, true);
}

Result<std::string> open_endpoint(const ClusterKey& key, std::string_view sealed) {
    if (sealed.empty()) return Error{"empty"};
    if (sealed.size() % kAesBlockBytes != 0)
        return Error{size_text(sealed.size()) + ", not a whole number of 16-byte AES blocks"};
    if (sealed.size() > kMaxSealedEndpointBytes)
        return Error{size_text(sealed.size()) + ", more than the " + std::to_string(kMaxSealedEndpointBytes) +
                     " a discovery service keeps"};
    auto plain = aes_ecb(key, sealed, false);
    if (!plain.ok()) return plain;
    auto length = static_cast<uint8_t>((*plain)[0]);
    if (length > plain->size() - 1)
        return Error{"its length byte says " + size_text(length) + " but " + std::to_string(plain->size() - 1) +
                     " follow: another cluster's secret, or damaged data"};
    std::string_view padding = std::string_view(*plain).substr(1 + length);
    if (std::any_of(padding.begin(), padding.end(), [](char c) { return c != 0; }))
        return Error{"the padding after its " + size_text(length) +
                     " is not zero: another cluster's secret, or damaged data"};
    return plain->substr(1, length);
}

}  // namespace nodenet::discovery
