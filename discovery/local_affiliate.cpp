#include "discovery/local_affiliate.h"

#include <algorithm>
#include <cctype>

namespace nodenet::discovery {

namespace {

constexpr uint8_t kScopeUniverse = 0;  // RT_SCOPE_UNIVERSE

bool link_local_or_special(const IpAddress& ip) {
    const auto& b = ip.bytes;
    if (ip.family == state::Family::V4)
        return b[0] == 127 || (b[0] == 169 && b[1] == 254) || (b[0] >= 224 && b[0] <= 239) ||
               (b[0] == 0 && b[1] == 0 && b[2] == 0 && b[3] == 0);
    bool loopback = std::all_of(b.begin(), b.begin() + 15, [](uint8_t x) { return x == 0; }) && b[15] == 1;
    return loopback || b[0] == 0xff || (b[0] == 0xfe && (b[1] & 0xc0) == 0x80);
}

// SideroLink's ULA: Talos never publishes it.
bool sidero_link(const IpAddress& ip) {
    static constexpr uint8_t kPrefix[8] = {0xfd, 0xae, 0x41, 0xe4, 0x64, 0x9b, 0x93, 0x03};
    return ip.family == state::Family::V6 && std::equal(std::begin(kPrefix), std::end(kPrefix), ip.bytes.begin());
}

// netip.Addr.Compare: by bit length (IPv4 first), then by bytes.
bool addr_less(const IpPrefix& a, const IpPrefix& b) {
    if (a.addr.family != b.addr.family) return a.addr.family == state::Family::V4;
    if (a.addr.bytes != b.addr.bytes) return a.addr.bytes < b.addr.bytes;
    return a.len < b.len;
}

void sort_unique(std::vector<IpPrefix>& list) {
    std::sort(list.begin(), list.end(), addr_less);
    list.erase(std::unique(list.begin(), list.end(), [](const IpPrefix& a, const IpPrefix& b) { return a.addr == b.addr; }),
               list.end());
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

}  // namespace

NodeAddresses node_addresses(const state::KernelState& kernel, std::string_view kubespan_link) {
    NodeAddresses out;
    for (const state::ObservedAddress& a : kernel.addresses) {
        const state::ObservedLink* link = kernel.link(a.link_index);
        if (!link || a.scope != kScopeUniverse || link_local_or_special(a.prefix.addr)) continue;
        if (!link->up || (link->physical && !link->carrier)) continue;
        out.current.push_back(a.prefix);
        if (link->name != kubespan_link && !sidero_link(a.prefix.addr)) out.routed.push_back(a.prefix);
    }
    sort_unique(out.current);
    sort_unique(out.routed);
    return out;
}

std::string os_pretty_name(std::string_view os_release) {
    size_t pos = 0;
    while (pos < os_release.size()) {
        size_t end = os_release.find('\n', pos);
        std::string_view line = os_release.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos);
        pos = end == std::string_view::npos ? os_release.size() : end + 1;
        if (!line.starts_with("PRETTY_NAME=")) continue;
        std::string_view v = line.substr(12);
        std::string out;
        // os-release(5): a shell-compatible assignment; quotes and backslash escapes are undone.
        char quote = 0;
        for (size_t i = 0; i < v.size(); ++i) {
            char c = v[i];
            if (!quote && (c == '"' || c == '\'')) {
                quote = c;
            } else if (quote && c == quote) {
                quote = 0;
            } else if (c == '\\' && quote != '\'' && i + 1 < v.size()) {
                out += v[++i];
            } else {
                out += c;
            }
        }
        // What a broken file could put there must not break a table or a log line.
        out.erase(std::remove_if(out.begin(), out.end(), [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7f; }),
                  out.end());
        if (out.size() > kMaxOsBytes) out.resize(kMaxOsBytes);
        if (!out.empty()) return out;
    }
    return "Linux";
}

Affiliate local_affiliate(const LocalFacts& facts) {
    Affiliate a;
    a.node_id = facts.node_id;
    for (const IpPrefix& p : facts.routed_addresses) a.addresses.push_back(p.addr);
    a.hostname = facts.fqdn;
    a.nodename = lower(facts.fqdn.substr(0, facts.fqdn.find('.')));
    a.machine_type = parse_machine_type(facts.machine_type);
    a.operating_system = facts.operating_system;
    if (a.machine_type == MachineType::Init || a.machine_type == MachineType::ControlPlane)
        a.api_server_port = kDefaultApiServerPort;
    return a;
}

}  // namespace nodenet::discovery
