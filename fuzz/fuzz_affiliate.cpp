// What a discovery service hands a node, from arbitrary bytes: affiliate data and endpoints opened
// with a fixed cluster key, decoded and checked; node-identity.yaml parsed. Nothing may crash, leak
// or hang; what is accepted must survive encoding again unchanged; every refusal and warning is one
// printable line (hostile text never reaches a log as it is).
//
// Input: the first byte picks the path, the rest is its input.
//   0  sealed affiliate data (AES-GCM): random bytes rarely authenticate, so 2 covers decoding
//   1  one sealed endpoint (AES-ECB blocks)
//   2  affiliate protobuf, sealed here with the key, then opened
//   3  endpoint protobuf, sealed here, then opened
//   4  a whole affiliate from a Watch: id, data (sealed here) and endpoints, each as a length byte
//      and that many bytes; an endpoint chunk of up to 31 bytes is sealed here, a longer one is
//      given as it is
//   5  node-identity.yaml
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/affiliate_seal.h"
#include "discovery/node_identity.h"
#include "fuzz/fuzz_check.h"

namespace {

using nodenet::fuzz::check;
using nodenet::fuzz::one_printable_line;
using namespace nodenet::discovery;

template <class T>
void check_refusal(const nodenet::Result<T>& r) {
    if (!r.ok()) check(!r.error().empty() && one_printable_line(r.error()));
}

ClusterKey fixed_key() {
    ClusterKey k;
    for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(i + 1);  // vectors.py's KEY
    return k;
}

const ClusterKey kKey = fixed_key();
const Nonce kNonce{};

// An accepted affiliate is a fixed point of encode/decode and passes its own checks.
void check_affiliate_round_trip(const Affiliate& a) {
    check(check_affiliate(a).ok());
    Affiliate data_only = a;
    data_only.kubespan.endpoints.clear();
    auto again = decode_affiliate_data(encode_affiliate_data(data_only));
    check(again.ok() && *again == data_only);
}

void open_data(std::string_view sealed) {
    auto plain = open_affiliate_data(kKey, sealed);
    check_refusal(plain);
    if (!plain.ok()) return;
    auto a = decode_affiliate_data(*plain);
    check_refusal(a);
    if (a.ok()) check_affiliate_round_trip(*a);
}

void open_one_endpoint(std::string_view sealed) {
    auto plain = open_endpoint(kKey, sealed);
    check_refusal(plain);
    if (!plain.ok()) return;
    // Length byte and zero padding are checked, so the blob is the only one for its plaintext.
    check(*seal_endpoint(kKey, *plain) == sealed);
    auto e = decode_endpoint(*plain);
    check_refusal(e);
    if (!e.ok()) return;
    check(check_endpoint(*e).ok());
    auto again = open_endpoint(kKey, *seal_endpoint(kKey, encode_endpoint(*e)));
    check(again.ok() && decode_endpoint(*again).ok() && *decode_endpoint(*again) == *e);
}

void open_watched(std::string_view in) {
    auto take = [&in]() {
        if (in.empty()) return std::string_view();
        size_t n = std::min<size_t>(static_cast<uint8_t>(in[0]), in.size() - 1);
        std::string_view chunk = in.substr(1, n);
        in.remove_prefix(1 + n);
        return chunk;
    };
    std::string_view id = take();
    auto sealed = seal_affiliate_data(kKey, take(), kNonce);
    check(sealed.ok());
    std::vector<std::string> endpoints;
    while (!in.empty()) {
        std::string_view chunk = take();
        auto blob = chunk.size() <= 31 ? seal_endpoint(kKey, chunk) : nodenet::Result<std::string>(std::string(chunk));
        check(blob.ok());
        endpoints.push_back(*blob);
    }
    auto opened = open_affiliate(kKey, id, *sealed, endpoints);
    check_refusal(opened);
    if (!opened.ok()) return;
    check(opened->affiliate.node_id == id);
    check(opened->affiliate.kubespan.endpoints.size() <= kMaxEndpoints);
    for (const auto& w : opened->warnings) check(one_printable_line(w));
    check_affiliate_round_trip(opened->affiliate);
    // The node's own affiliate, were it this one, seals (bounds permitting) and opens unchanged.
    auto resealed = seal_affiliate(kKey, opened->affiliate, kNonce);
    check_refusal(resealed);
    if (resealed.ok() && opened->affiliate.has_kubespan()) {
        auto back = open_affiliate(kKey, id, resealed->data, resealed->endpoints);
        check(back.ok() && back->affiliate == opened->affiliate);
    }
}

void parse_identity(std::string_view text) {
    auto id = parse_node_identity(text, "node-identity.yaml");
    check_refusal(id);
    if (!id.ok()) return;
    check(check_node_id(*id).ok());
    auto again = parse_node_identity(render_node_identity(*id), "node-identity.yaml");
    check(again.ok() && *again == *id);
    check(machine_id_from_node_id(*id).ok());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 6) {
        case 0: open_data(in); break;
        case 1: open_one_endpoint(in); break;
        case 2: {
            auto sealed = seal_affiliate_data(kKey, in, kNonce);
            check_refusal(sealed);
            if (sealed.ok()) open_data(*sealed);
            break;
        }
        case 3: {
            auto sealed = seal_endpoint(kKey, in);
            check_refusal(sealed);
            if (sealed.ok()) open_one_endpoint(*sealed);
            break;
        }
        case 4: open_watched(in); break;
        default: parse_identity(in); break;
    }
    return 0;
}
