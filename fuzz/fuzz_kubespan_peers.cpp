// KubeSpan from what the discovery service hands a node: affiliates decoded from arbitrary bytes
// become peers, allowed IPs and the mesh's specs; kubespan-identity.yaml and endpoint filters are
// parsed from arbitrary text. Nothing may crash, leak or hang; peers never share an address (the
// overlap rule); the routed set holds no KubeSpan ULA; every warning or refusal is one printable line.
//
// Input: the first byte picks the path, the rest is its input.
//   0  up to 16 affiliates, each a length byte and that many bytes of affiliate protobuf
//   1  kubespan-identity.yaml
//   2  endpoint filter rules, one a line, applied to a few addresses
#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "discovery/affiliate.h"
#include "discovery/affiliate_codec.h"
#include "fuzz/fuzz_check.h"
#include "kubespan/endpoint_filter.h"
#include "kubespan/kubespan_address.h"
#include "kubespan/kubespan_identity.h"
#include "kubespan/mesh.h"
#include "kubespan/peer_spec.h"
#include "kubespan/prefix_set.h"

namespace {

using nodenet::fuzz::check;
using nodenet::fuzz::one_printable_line;
using namespace nodenet;

const kubespan::Identity& fixed_identity() {
    static const kubespan::Identity identity = [] {
        std::array<uint8_t, wireguard::kKeyLength> random{};
        for (size_t i = 0; i < random.size(); ++i) random[i] = static_cast<uint8_t>(i * 7 + 1);
        auto fresh = kubespan::new_identity(random);
        check(fresh.ok());
        auto placed = kubespan::with_address(*fresh, *kubespan::kubespan_prefix("fuzz-cluster"), "02:00:00:00:00:01");
        check(placed.ok());
        return *placed;
    }();
    return identity;
}

void peers(std::string_view in) {
    std::vector<discovery::Affiliate> affiliates;
    for (size_t i = 0; !in.empty() && affiliates.size() < 16; ++i) {
        size_t n = std::min<size_t>(static_cast<uint8_t>(in[0]), in.size() - 1);
        auto a = discovery::decode_affiliate_data(in.substr(1, n));
        in.remove_prefix(1 + n);
        if (!a.ok()) continue;
        a->node_id = "node-" + std::to_string(i);
        if (!discovery::check_affiliate(*a).ok()) continue;
        affiliates.push_back(*a);
    }
    kubespan::PeerSpecs specs = kubespan::peer_specs(affiliates, "node-0");
    for (const std::string& w : specs.warnings) check(one_printable_line(w));
    // The first peer keeps an address another claims too: no two peers allow the same address.
    for (size_t i = 0; i < specs.peers.size(); ++i)
        for (size_t j = i + 1; j < specs.peers.size(); ++j)
            check(!kubespan::PrefixSet(specs.peers[i].allowed_ips).overlaps(kubespan::PrefixSet(specs.peers[j].allowed_ips)));
    kubespan::KubeSpanSettings settings;
    settings.enabled = true;
    settings.cluster_id = "fuzz-cluster";
    std::map<std::string, kubespan::PeerStatus> statuses;
    kubespan::Mesh mesh = kubespan::build_mesh({settings, fixed_identity(), specs.peers, statuses});
    for (const state::IpPrefix& p : mesh.routed.v4) check(p.family() == state::Family::V4);
    for (const state::IpPrefix& p : mesh.routed.v6) check(!kubespan::is_kubespan_ula(p.addr));
    for (const std::string& w : mesh.specs.warnings) check(one_printable_line(w));
}

void identity_file(std::string_view text) {
    auto parsed = kubespan::parse_identity_file(text, "kubespan-identity.yaml");
    if (!parsed.ok()) {
        check(one_printable_line(parsed.error()));
        return;
    }
    auto again = kubespan::parse_identity_file(kubespan::render_identity_file(*parsed), "again");
    check(again.ok() && again->public_key == parsed->public_key && again->private_key == parsed->private_key);
}

void filters(std::string_view text) {
    std::vector<std::string> rules;
    for (size_t pos = 0; pos <= text.size() && rules.size() < 32;) {
        size_t end = text.find('\n', pos);
        if (end == std::string_view::npos) end = text.size();
        rules.emplace_back(text.substr(pos, end - pos));
        pos = end + 1;
    }
    std::vector<state::IpAddress> addresses;
    for (const char* a : {"10.0.0.1", "192.168.1.5", "fd00::1", "2001:db8::7", "100.64.0.1"})
        addresses.push_back(*state::parse_ip_address(a));
    auto kept = kubespan::filter_ips(addresses, rules);
    if (!kept.ok()) {
        check(one_printable_line(kept.error()));
        return;
    }
    for (const state::IpAddress& ip : *kept) check(std::find(addresses.begin(), addresses.end(), ip) != addresses.end());
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size == 0) return 0;
    std::string_view in(reinterpret_cast<const char*>(data) + 1, size - 1);
    switch (data[0] % 3) {
        case 0: peers(in); break;
        case 1: identity_file(in); break;
        default: filters(in); break;
    }
    return 0;
}
