#include "kubespan/nft_ruleset.h"

#include <algorithm>
#include <optional>
#include <string>
#include <utility>

namespace nodenet::kubespan {

namespace {

using json = nlohmann::json;
using state::Family;
using state::IpAddress;
using state::IpPrefix;
using Uint128 = unsigned __int128;

// ---- addresses as numbers, for interval arithmetic ----

unsigned width(Family family) { return family == Family::V4 ? 32 : 128; }

Uint128 to_number(const IpAddress& ip) {
    Uint128 n = 0;
    for (size_t i = 0; i < ip.size(); ++i) n = (n << 8) | ip.bytes[i];
    return n;
}

IpAddress to_address(Family family, Uint128 n) {
    IpAddress ip;
    ip.family = family;
    for (size_t i = ip.size(); i-- > 0;) {
        ip.bytes[i] = static_cast<uint8_t>(n & 0xFF);
        n >>= 8;
    }
    return ip;
}

// 2^bits - 1, also for bits = 128.
Uint128 low_mask(unsigned bits) { return bits >= 128 ? ~Uint128{0} : (Uint128{1} << bits) - 1; }

struct Interval {
    Uint128 first, last;  // inclusive
};

Interval interval_of(const IpPrefix& p) {
    unsigned host_bits = width(p.family()) - std::min<unsigned>(p.len, width(p.family()));
    Uint128 first = to_number(p.addr) & ~low_mask(host_bits);
    return {first, first | low_mask(host_bits)};
}

// Sorted, disjoint, adjacent ones joined.
std::vector<Interval> merged(std::vector<Interval> intervals) {
    std::sort(intervals.begin(), intervals.end(),
              [](const Interval& a, const Interval& b) { return a.first < b.first; });
    std::vector<Interval> out;
    for (const Interval& i : intervals) {
        if (!out.empty() && (out.back().last == ~Uint128{0} || i.first <= out.back().last + 1)) {
            out.back().last = std::max(out.back().last, i.last);
        } else {
            out.push_back(i);
        }
    }
    return out;
}

// The fewest prefixes covering [first, last]: from `first`, each time the largest aligned block
// that still fits.
void append_prefixes(Family family, Interval range, std::vector<IpPrefix>& out) {
    const unsigned bits = width(family);
    Uint128 first = range.first;
    for (;;) {
        unsigned host_bits = 0;
        while (host_bits < bits && (first & low_mask(host_bits + 1)) == 0 &&
               low_mask(host_bits + 1) <= range.last - first)
            ++host_bits;
        out.push_back(IpPrefix{to_address(family, first), static_cast<uint8_t>(bits - host_bits)});
        Uint128 block_last = first + low_mask(host_bits);
        if (block_last >= range.last) return;
        first = block_last + 1;
    }
}

// ---- the objects of the table, in the form `nft -j list` shows them ----

json table_ref() { return {{"family", kNftFamily}, {"name", kNftTable}}; }

json set_object(std::string_view name, Family family, const std::vector<IpPrefix>& prefixes) {
    json set{{"family", kNftFamily},
             {"table", kNftTable},
             {"name", name},
             {"type", family == Family::V4 ? "ipv4_addr" : "ipv6_addr"},
             {"flags", json::array({"interval"})}};
    // nft lists an empty set without "elem"; libnftables takes it either way.
    if (!prefixes.empty()) {
        json elem = json::array();
        for (const IpPrefix& p : prefixes) elem.push_back({{"prefix", {{"addr", p.addr.str()}, {"len", p.len}}}});
        set["elem"] = std::move(elem);
    }
    return set;
}

json chain_object(std::string_view name, const char* type, const char* hook) {
    // priority filter is 0; policy accept: the chains only mark, they never drop.
    return {{"family", kNftFamily}, {"table", kNftTable}, {"name", name}, {"type", type},
            {"hook", hook},         {"prio", 0},          {"policy", "accept"}};
}

json rule_object(std::string_view chain, json expr) {
    return {{"family", kNftFamily}, {"table", kNftTable}, {"chain", chain}, {"expr", std::move(expr)}};
}

json meta(const char* key) { return {{"meta", {{"key", key}}}}; }
json match(json left, json right, const char* op = "==") {
    return {{"match", {{"op", op}, {"left", std::move(left)}, {"right", std::move(right)}}}};
}
json accept() { return {{"accept", nullptr}}; }

// meta mark & 0x60 == 0x20
json is_wireguard_packet() { return match({{"&", json::array({meta("mark"), kMarkMask})}}, kWireguardMark); }

// ip daddr @kubespan_targets_ipv4 (ip6 for v6)
json daddr_in_set(Family family) {
    bool v4 = family == Family::V4;
    return match({{"payload", {{"protocol", v4 ? "ip" : "ip6"}, {"field", "daddr"}}}},
                 std::string("@") + std::string(v4 ? kNftSetV4 : kNftSetV6));
}

// meta mark set meta mark & 0xffffffdf | 0x40: Talos's (mark & ~0x60) ^ 0x40 as nft lists it
// (bit 0x40 ends up set either way, so only 0x20 needs clearing).
json set_force_mark() {
    uint32_t keep = ~(kMarkMask & ~kForceMark);
    return {{"mangle", {{"key", meta("mark")}, {"value", {{"|", json::array({{{"&", json::array({meta("mark"), keep})}}, kForceMark})}}}}}};
}

// tcp flags syn / syn,rst  tcp option maxseg size > MSS  tcp option maxseg size set MSS
json clamp_mss(uint32_t mss) {
    json tcp_flags = {{"payload", {{"protocol", "tcp"}, {"field", "flags"}}}};
    json maxseg = {{"tcp option", {{"name", "maxseg"}, {"field", "size"}}}};
    return json::array({match({{"&", json::array({tcp_flags, json::array({"syn", "rst"})})}}, "syn"),
                        match(maxseg, mss, ">"),
                        {{"mangle", {{"key", maxseg}, {"value", mss}}}}});
}

json concat(json a, const json& b) {
    for (const json& item : b) a.push_back(item);
    return a;
}

// Every object of the table but the table itself, in creation order (sets before the rules that
// name them), as `nft -j list table` would list them.
Result<json> table_objects(const NftRuleset& ruleset) {
    if (ruleset.mtu < kMinMtu || ruleset.mtu > kMaxMtu)
        return Error{"nftables table inet nodenet: KubeSpan MTU " + std::to_string(ruleset.mtu) + " is outside [" +
                     std::to_string(kMinMtu) + ", " + std::to_string(kMaxMtu) + "]"};
    for (auto [prefixes, family] : {std::pair{&ruleset.routed_v4, Family::V4}, std::pair{&ruleset.routed_v6, Family::V6}})
        for (const IpPrefix& p : *prefixes)
            if (p.family() != family || p.len > width(family))
                return Error{"nftables table inet nodenet: routed prefix " + p.str() + " in the IPv" +
                             (family == Family::V4 ? "4" : "6") + " set"};

    json objects = json::array();
    objects.push_back({{"set", set_object(kNftSetV4, Family::V4, nft_set_prefixes(Family::V4, ruleset.routed_v4))}});
    objects.push_back({{"set", set_object(kNftSetV6, Family::V6, nft_set_prefixes(Family::V6, ruleset.routed_v6))}});
    objects.push_back({{"chain", chain_object(kNftPreroutingChain, "filter", "prerouting")}});
    objects.push_back({{"chain", chain_object(kNftOutgoingChain, "route", "output")}});

    auto rule = [&objects](std::string_view chain, json expr) {
        objects.push_back({{"rule", rule_object(chain, std::move(expr))}});
    };
    const json mark_and_accept = json::array({set_force_mark(), accept()});
    rule(kNftPreroutingChain, json::array({is_wireguard_packet(), accept()}));
    rule(kNftPreroutingChain, concat(json::array({daddr_in_set(Family::V4)}), mark_and_accept));
    rule(kNftPreroutingChain, concat(json::array({daddr_in_set(Family::V6)}), mark_and_accept));

    rule(kNftOutgoingChain, json::array({is_wireguard_packet(), accept()}));
    rule(kNftOutgoingChain, json::array({match(meta("oifname"), "lo"), accept()}));
    for (Family family : {Family::V4, Family::V6}) {
        uint32_t mss = ruleset.mtu - (family == Family::V4 ? kMssOverheadV4 : kMssOverheadV6);
        // No verdict: a SYN goes on to the next rule, which marks it.
        rule(kNftOutgoingChain, concat(json::array({daddr_in_set(family)}), clamp_mss(mss)));
        rule(kNftOutgoingChain, concat(json::array({daddr_in_set(family)}), mark_and_accept));
    }
    return objects;
}

// ---- reading a listing ----

Error listing_error(const std::string& what) { return Error{"nftables table inet nodenet: listing: " + what}; }

json without(json object, std::initializer_list<const char*> keys) {
    for (const char* key : keys) object.erase(key);
    return object;
}

const json* string_field(const json& object, const char* key) {
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? &*it : nullptr;
}

// One element of an address set as an interval: "10.0.0.5", {"prefix": {"addr", "len"}},
// {"range": [first, last]}, or any of these wrapped in {"elem": {"val": ...}} (an element with a
// timeout or comment).
Result<Interval> element_interval(const json& element, Family family) {
    auto address = [family](const json& value) -> std::optional<IpAddress> {
        if (!value.is_string()) return std::nullopt;
        auto ip = state::parse_ip_address(value.get<std::string>());
        if (!ip || ip->family != family) return std::nullopt;
        return ip;
    };
    if (auto ip = address(element)) return interval_of(IpPrefix{*ip, static_cast<uint8_t>(width(family))});
    if (element.is_object() && element.size() == 1) {
        // The iterator, not items(): a binding into items()' temporary proxy dangles.
        auto it = element.begin();
        const std::string& key = it.key();
        const json& value = it.value();
        if (key == "elem" && value.is_object() && value.contains("val")) return element_interval(value["val"], family);
        if (key == "prefix" && value.is_object() && value.contains("addr") && value.contains("len")) {
            const json& len = value["len"];
            auto ip = address(value["addr"]);
            if (ip && len.is_number_unsigned() && len.get<uint64_t>() <= width(family))
                return interval_of(IpPrefix{*ip, static_cast<uint8_t>(len.get<uint64_t>())});
        }
        if (key == "range" && value.is_array() && value.size() == 2) {
            auto first = address(value[0]), last = address(value[1]);
            if (first && last && to_number(*first) <= to_number(*last))
                return Interval{to_number(*first), to_number(*last)};
        }
    }
    return listing_error("set element " + element.dump() + " is not an IPv" + (family == Family::V4 ? "4" : "6") +
                         " address, prefix or range");
}

// A set without its handle; an address set's elements as nft_set_prefixes().
Result<json> normalised_set(const json& set, const std::string& name) {
    json out = without(set, {"handle"});
    const json* type = string_field(set, "type");
    if (!type || (*type != "ipv4_addr" && *type != "ipv6_addr") || !set.contains("elem")) return out;
    Family family = *type == "ipv4_addr" ? Family::V4 : Family::V6;
    const json& elem = set["elem"];
    if (!elem.is_array()) return listing_error("elements of set " + name + " are not a list");
    std::vector<Interval> intervals;
    for (const json& e : elem) {
        Result<Interval> i = element_interval(e, family);
        if (!i) return Error{i.error()};
        intervals.push_back(*i);
    }
    std::vector<IpPrefix> prefixes;
    for (const Interval& i : merged(std::move(intervals))) append_prefixes(family, i, prefixes);
    out["elem"] = json::array();
    for (const IpPrefix& p : prefixes) out["elem"].push_back(p.str());
    if (out["elem"].empty()) out.erase("elem");
    return out;
}

}  // namespace

std::vector<IpPrefix> nft_set_prefixes(Family family, const std::vector<IpPrefix>& prefixes) {
    std::vector<Interval> intervals;
    for (const IpPrefix& p : prefixes)
        if (p.family() == family) intervals.push_back(interval_of(p));
    std::vector<IpPrefix> out;
    for (const Interval& i : merged(std::move(intervals))) append_prefixes(family, i, out);
    return out;
}

Result<json> nft_replace_commands(const NftRuleset& ruleset) {
    Result<json> objects = table_objects(ruleset);
    if (!objects) return Error{objects.error()};
    json commands = json::array({{{"add", {{"table", table_ref()}}}},
                                 {{"delete", {{"table", table_ref()}}}},
                                 {{"add", {{"table", table_ref()}}}}});
    for (json& object : *objects) commands.push_back({{"add", std::move(object)}});
    return json{{"nftables", std::move(commands)}};
}

json nft_delete_commands() {
    return {{"nftables", json::array({{{"add", {{"table", table_ref()}}}}, {{"delete", {{"table", table_ref()}}}}})}};
}

json nft_list_commands() { return {{"nftables", json::array({{{"list", {{"table", table_ref()}}}}})}}; }

json nft_list_tables_commands() {
    return {{"nftables", json::array({{{"list", {{"tables", {{"family", kNftFamily}}}}}}})}};
}

Result<json> normalise_nft_table(const json& listing) {
    if (!listing.is_object() || !listing.contains("nftables") || !listing["nftables"].is_array())
        return listing_error("not an object {\"nftables\": [...]}");
    json out{{"table", nullptr}, {"sets", json::object()}, {"chains", json::object()}, {"objects", json::array()}};
    std::vector<json> rules;
    for (const json& item : listing["nftables"]) {
        if (!item.is_object() || item.size() != 1 || !item.begin().value().is_object())
            return listing_error("item " + item.dump() + " is not {\"<kind>\": {...}}");
        const std::string& kind = item.begin().key();
        const json& object = item.begin().value();
        if (kind == "metainfo") continue;
        const json* family = string_field(object, "family");
        const json* table = string_field(object, kind == "table" ? "name" : "table");
        if (!family || !table || *family != kNftFamily || *table != kNftTable)
            return listing_error(kind + " " + object.dump() + " is not of table inet nodenet");
        if (kind == "table") {
            if (!out["table"].is_null()) return listing_error("table listed twice");
            out["table"] = without(object, {"handle"});
            continue;
        }
        const json* name = string_field(object, "name");
        if (kind == "set" && name) {
            Result<json> set = normalised_set(object, name->get<std::string>());
            if (!set) return Error{set.error()};
            out["sets"][name->get<std::string>()] = std::move(*set);
        } else if (kind == "chain" && name) {
            json chain = without(object, {"handle"});
            chain["rules"] = json::array();
            out["chains"][name->get<std::string>()] = std::move(chain);
        } else if (kind == "rule") {
            if (!string_field(object, "chain")) return listing_error("rule " + object.dump() + " names no chain");
            rules.push_back(object);  // after the chains: nft lists every chain before the rules
        } else {
            out["objects"].push_back({{kind, without(object, {"handle"})}});
        }
    }
    if (out["table"].is_null()) return listing_error("no table inet nodenet in it");
    for (const json& rule : rules) {
        std::string chain = rule["chain"].get<std::string>();
        if (!out["chains"].contains(chain)) return listing_error("rule of chain " + chain + ", which is not listed");
        out["chains"][chain]["rules"].push_back(without(rule, {"handle", "family", "table", "chain"}));
    }
    return out;
}

Result<json> normalise_nft_table(std::string_view listing_text) {
    json listing = json::parse(listing_text, nullptr, /*allow_exceptions=*/false);
    if (listing.is_discarded()) return listing_error("not JSON");
    return normalise_nft_table(listing);
}

Result<json> nft_desired_table(const NftRuleset& ruleset) {
    Result<json> objects = table_objects(ruleset);
    if (!objects) return Error{objects.error()};
    json listing = json::array({{{"table", table_ref()}}});
    for (json& object : *objects) listing.push_back(std::move(object));
    return normalise_nft_table(json{{"nftables", std::move(listing)}});
}

}  // namespace nodenet::kubespan
