// What a discovery service (or a config) hands the discovery client, apart from the affiliates'
// contents (fuzz_affiliate.cpp): endpoints as the config names them, a Hello redirect's endpoint,
// and a WatchResponse as protobuf bytes turned into events. Nothing may crash, leak or hang; an
// accepted endpoint is "host:port" with a port 1-65535; every refusal and every event message is
// one printable line (hostile text never reaches a log as it is); the node's own ID never comes
// back in an event.
//
// Input: the first byte picks the path, the rest is its input.
//   0  the config's endpoint
//   1  a redirect's endpoint, from a plaintext service
//   2  WatchResponse bytes as the snapshot; 3 as a later message
#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "discovery/proto/cluster.pb.h"
#include "discovery/service_endpoint.h"
#include "discovery/watch_events.h"
#include "fuzz/fuzz_check.h"

namespace {

using nodenet::fuzz::check;
using nodenet::fuzz::one_printable_line;
using namespace nodenet::discovery;

void check_endpoint(const nodenet::Result<ServiceEndpoint>& parsed) {
    if (!parsed.ok()) {
        check(!parsed.error().empty() && one_printable_line(parsed.error()));
        return;
    }
    const std::string& target = parsed->target;
    check(one_printable_line(target));
    size_t colon = target.rfind(':');
    check(colon != std::string::npos && colon > 0);
    unsigned port = 0;
    auto [end, ec] = std::from_chars(target.data() + colon + 1, target.data() + target.size(), port);
    check(ec == std::errc() && end == target.data() + target.size() && port >= 1 && port <= 65535);
}

ClusterKey fixed_key() {
    ClusterKey k;
    for (size_t i = 0; i < k.bytes.size(); ++i) k.bytes[i] = static_cast<uint8_t>(i + 1);  // vectors.py's KEY
    return k;
}

const ClusterKey kKey = fixed_key();
constexpr std::string_view kOwnId = "own-node";

void watch(std::string_view bytes, bool snapshot) {
    sidero::discovery::server::WatchResponse response;
    if (!response.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return;
    for (const ClientEvent& e : watch_events(kKey, kOwnId, "svc:443", response, snapshot)) {
        check(one_printable_line(e.message));
        for (const auto& w : e.warnings) check(one_printable_line(w));
        check(e.node_id != kOwnId);
        for (const auto& a : e.affiliates) check(a.node_id != kOwnId && check_affiliate(a).ok());
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view input(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 4) {
        case 0: check_endpoint(parse_service_endpoint(input)); break;
        case 1: check_endpoint(parse_redirect_endpoint(input, ServiceEndpoint{"10.0.0.1:3000", false})); break;
        case 2: watch(input, true); break;
        default: watch(input, false); break;
    }
    return 0;
}
