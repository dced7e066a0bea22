// KubeSpan's nftables rules as libnftables JSON (libnftables-json(5)). No I/O: the adapter
// (kubespan/io/nft_table.h) runs what this renders, and compares what it reads back through
// normalise_nft_table().
//
// Talos installs two chains in its table `talos` (reference §3.2, Talos's
// controllers/kubespan/manager.go and adapters/network/nftables_rule.go). On a machine that is not
// Talos nodenet owns a table of its own, `inet nodenet`, and never touches another:
//
//   table inet nodenet {
//     set kubespan_targets_ipv4 { type ipv4_addr; flags interval; elements = { <routed v4> } }
//     set kubespan_targets_ipv6 { type ipv6_addr; flags interval; elements = { <routed v6> } }
//     chain kubespan_prerouting {
//       type filter hook prerouting priority filter; policy accept;
//       meta mark & 0x60 == 0x20 accept                                   # already WireGuard's
//       ip  daddr @kubespan_targets_ipv4 meta mark set meta mark & 0xffffffdf | 0x40 accept
//       ip6 daddr @kubespan_targets_ipv6 meta mark set meta mark & 0xffffffdf | 0x40 accept
//     }
//     chain kubespan_outgoing {
//       type route hook output priority filter; policy accept;
//       meta mark & 0x60 == 0x20 accept
//       oifname "lo" accept
//       ip  daddr @kubespan_targets_ipv4 tcp flags syn / syn,rst tcp option maxseg size > MTU-52
//           tcp option maxseg size set MTU-52
//       ip  daddr @kubespan_targets_ipv4 meta mark set meta mark & 0xffffffdf | 0x40 accept
//       (the same two for ip6 with MTU-72)
//     }
//   }
//
// The mark rule is Talos's `mark = (mark & ~0x60) ^ 0x40`; nft lists that bitwise operation as
// `& 0xffffffdf | 0x40` (the same function: bit 0x40 is set either way), so it is written in the
// form nft lists, and a read-back compares equal to what was written. The `type route` output
// chain makes the kernel route a locally sent packet again when the chain changed its mark, so
// that the policy rule `fwmark 0x40/0x60 lookup 180` sends it into the kubespan link.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "state/ip.h"

namespace nodenet::kubespan {

// Marks (Talos's constants.KubeSpanDefault*): WireGuard marks its own encrypted packets with 0x20
// (they must leave through the normal routes); the chains mark traffic for the peers with 0x40.
constexpr uint32_t kWireguardMark = 0x20;
constexpr uint32_t kForceMark = 0x40;
constexpr uint32_t kMarkMask = 0x60;

// The largest TCP segment that fits the kubespan link: MTU minus the IP header (20 or 40 bytes),
// the TCP header (20) and 12 bytes assumed for TCP options (timestamps).
constexpr uint32_t kMssOverheadV4 = 52;
constexpr uint32_t kMssOverheadV6 = 72;
// KubeSpan's MTU is validated to be at least this (reference §3.1); below it the MSS arithmetic
// would not mean anything.
constexpr uint32_t kMinMtu = 1280;
constexpr uint32_t kMaxMtu = 65535;

inline constexpr std::string_view kNftFamily = "inet";
inline constexpr std::string_view kNftTable = "nodenet";
inline constexpr std::string_view kNftSetV4 = "kubespan_targets_ipv4";
inline constexpr std::string_view kNftSetV6 = "kubespan_targets_ipv6";
inline constexpr std::string_view kNftPreroutingChain = "kubespan_prerouting";
inline constexpr std::string_view kNftOutgoingChain = "kubespan_outgoing";

struct NftRuleset {
    std::vector<state::IpPrefix> routed_v4, routed_v6;  // the routed set (reference §3.2), any order
    uint32_t mtu = 1420;                                // the kubespan link's MTU
};

// The prefixes that cover exactly the addresses of `prefixes` (host bits ignored), sorted,
// disjoint, adjacent ranges joined and cut again into the fewest prefixes: what an interval set
// holds. An interval set refuses overlapping elements, and this form is also how two sets with the
// same addresses compare equal. All of `prefixes` must be of `family`.
std::vector<state::IpPrefix> nft_set_prefixes(state::Family family, const std::vector<state::IpPrefix>& prefixes);

// The transaction that makes the table exactly `ruleset`, as one libnftables JSON command buffer:
//
//   add table (creates it if absent, so that the delete cannot fail), delete table (with every set,
//   chain and rule in it, also ones someone else added), add table, add set x2 (with their
//   elements), add chain x2, add rule x N.
//
// libnftables sends the whole buffer as one netlink batch, which the kernel commits atomically:
// packets see either the old table or the new one, never a table without its rules or a set
// without its elements. Deleting and recreating (instead of flushing the chains and sets) also
// repairs a chain someone changed the hook or type of, which a flush would keep.
// Fails when the MTU is outside [kMinMtu, kMaxMtu] or a prefix is of the other family.
Result<nlohmann::json> nft_replace_commands(const NftRuleset& ruleset);

// Deletes the table. Preceded by `add table` so that it succeeds (and changes nothing) when the
// table is already gone.
nlohmann::json nft_delete_commands();

// Lists the table (`nft -j list table inet nodenet`).
nlohmann::json nft_list_commands();

// Lists the names of the inet tables: tells an absent table from a failed listing.
nlohmann::json nft_list_tables_commands();

// A listing of the table in a form that compares equal exactly when the table does the same:
// handles (which change with every write) and libnftables' metainfo are left out, sets are keyed by
// name with their elements as nft_set_prefixes(), chains keyed by name with their rules in order.
//
//   {"table": {...}, "sets": {name: {..., "elem": ["10.0.0.0/8", ...]}},
//    "chains": {name: {..., "rules": [{"expr": [...]}, ...]}}, "objects": [...]}
//
// Anything else the table holds (a counter, a map, a set of another type) is kept, so that it
// differs from the desired table and is removed by the next write. Fails, naming what is wrong, on
// a listing of another shape: not {"nftables": [...]}, an object of another table, a rule of a
// chain that is not listed, an element that is not an address, prefix or range of the set's type.
Result<nlohmann::json> normalise_nft_table(const nlohmann::json& listing);
// The same from text; a parse error is an error value too.
Result<nlohmann::json> normalise_nft_table(std::string_view listing_text);

// The normalised form of the table that nft_replace_commands(ruleset) writes.
Result<nlohmann::json> nft_desired_table(const NftRuleset& ruleset);

}  // namespace nodenet::kubespan
