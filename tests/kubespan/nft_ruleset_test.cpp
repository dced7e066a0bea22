// KubeSpan's nftables table as libnftables JSON: the exact transaction, the set elements, and the
// normaliser that makes a listing comparable (including nft's real output, and odd input).
#include "kubespan/nft_ruleset.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace nodenet::kubespan {
namespace {

using json = nlohmann::json;

state::IpPrefix prefix(const char* text) { return *state::parse_ip_prefix(text); }

std::vector<std::string> strings(const std::vector<state::IpPrefix>& prefixes) {
    std::vector<std::string> out;
    for (const auto& p : prefixes) out.push_back(p.str());
    return out;
}

NftRuleset example() {
    NftRuleset r;
    r.routed_v4 = {prefix("192.0.2.7/32"), prefix("10.244.1.0/24"), prefix("10.244.0.9/24")};
    r.routed_v6 = {prefix("fd00:1::/64")};
    r.mtu = 1420;
    return r;
}

TEST(NftSetPrefixes, JoinsAdjacentAndDropsCoveredPrefixes) {
    using state::Family;
    EXPECT_EQ(strings(nft_set_prefixes(Family::V4, {prefix("10.0.1.0/24"), prefix("10.0.0.77/24"),
                                                    prefix("10.0.2.0/24"), prefix("10.0.2.128/25")})),
              (std::vector<std::string>{"10.0.0.0/23", "10.0.2.0/24"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V4, {prefix("10.1.2.3/32"), prefix("10.0.0.0/8")})),
              (std::vector<std::string>{"10.0.0.0/8"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V4, {prefix("0.0.0.0/1"), prefix("128.0.0.0/1")})),
              (std::vector<std::string>{"0.0.0.0/0"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V4, {prefix("255.255.255.255/32"), prefix("255.255.255.254/32")})),
              (std::vector<std::string>{"255.255.255.254/31"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V6, {prefix("::/1"), prefix("8000::/1"), prefix("fd00::/8")})),
              (std::vector<std::string>{"::/0"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V6, {prefix("fd00::1/128"), prefix("fd00::/128"),
                                                    prefix("fd00::2/127")})),
              (std::vector<std::string>{"fd00::/126"}));
    EXPECT_EQ(strings(nft_set_prefixes(Family::V6, {prefix("fd00::1/128"), prefix("fd00::2/127")})),
              (std::vector<std::string>{"fd00::1/128", "fd00::2/127"}));
    // Addresses of the other family are not this set's.
    EXPECT_EQ(strings(nft_set_prefixes(Family::V6, {prefix("10.0.0.0/8")})), std::vector<std::string>{});
    EXPECT_TRUE(nft_set_prefixes(Family::V4, {}).empty());
}

TEST(NftRuleset, ReplacesTheTableInOneTransaction) {
    json expected = json::parse(R"({"nftables": [
      {"add": {"table": {"family": "inet", "name": "nodenet"}}},
      {"delete": {"table": {"family": "inet", "name": "nodenet"}}},
      {"add": {"table": {"family": "inet", "name": "nodenet"}}},
      {"add": {"set": {"family": "inet", "table": "nodenet", "name": "kubespan_targets_ipv4",
        "type": "ipv4_addr", "flags": ["interval"],
        "elem": [{"prefix": {"addr": "10.244.0.0", "len": 23}}, {"prefix": {"addr": "192.0.2.7", "len": 32}}]}}},
      {"add": {"set": {"family": "inet", "table": "nodenet", "name": "kubespan_targets_ipv6",
        "type": "ipv6_addr", "flags": ["interval"], "elem": [{"prefix": {"addr": "fd00:1::", "len": 64}}]}}},
      {"add": {"chain": {"family": "inet", "table": "nodenet", "name": "kubespan_prerouting",
        "type": "filter", "hook": "prerouting", "prio": 0, "policy": "accept"}}},
      {"add": {"chain": {"family": "inet", "table": "nodenet", "name": "kubespan_outgoing",
        "type": "route", "hook": "output", "prio": 0, "policy": "accept"}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "expr": [
        {"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 96]}, "right": 32}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}},
        {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}},
        {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 96]}, "right": 32}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "lo"}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}},
        {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}},
        {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1368}},
        {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1368}}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}},
        {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}},
        {"accept": null}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}},
        {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}},
        {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1348}},
        {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1348}}]}}},
      {"add": {"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "expr": [
        {"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}},
        {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}},
        {"accept": null}]}}}
    ]})");
    Result<json> commands = nft_replace_commands(example());
    ASSERT_TRUE(commands.ok()) << commands.error();
    EXPECT_EQ(*commands, expected) << commands->dump(1);
    // The array order is the order of the transaction: the delete comes before any new object.
    EXPECT_EQ(commands->at("nftables").at(1), json::parse(R"({"delete": {"table": {"family": "inet", "name": "nodenet"}}})"));
}

TEST(NftRuleset, EmptySetsHaveNoElementsAndMssFollowsTheMtu) {
    NftRuleset r;
    r.mtu = 1280;
    Result<json> commands = nft_replace_commands(r);
    ASSERT_TRUE(commands.ok()) << commands.error();
    const json& items = commands->at("nftables");
    EXPECT_FALSE(items.at(3).at("add").at("set").contains("elem"));
    EXPECT_FALSE(items.at(4).at("add").at("set").contains("elem"));
    EXPECT_EQ(items.at(12).at("add").at("rule").at("expr").at(3).at("mangle").at("value"), 1280 - 52);
    EXPECT_EQ(items.at(14).at("add").at("rule").at("expr").at(3).at("mangle").at("value"), 1280 - 72);
    EXPECT_EQ(items.size(), 16u);
}

TEST(NftRuleset, RefusesAnMtuOutOfRangeAndPrefixesOfTheOtherFamily) {
    NftRuleset r = example();
    r.mtu = 1279;
    Result<json> low = nft_replace_commands(r);
    ASSERT_FALSE(low.ok());
    EXPECT_EQ(low.error(), "nftables table inet nodenet: KubeSpan MTU 1279 is outside [1280, 65535]");
    r.mtu = 65536;
    EXPECT_FALSE(nft_replace_commands(r).ok());
    EXPECT_FALSE(nft_desired_table(r).ok());

    r = example();
    r.routed_v4.push_back(prefix("fd00::/8"));
    Result<json> mixed = nft_replace_commands(r);
    ASSERT_FALSE(mixed.ok());
    EXPECT_EQ(mixed.error(), "nftables table inet nodenet: routed prefix fd00::/8 in the IPv4 set");
}

TEST(NftRuleset, DeleteAndListCommands) {
    EXPECT_EQ(nft_delete_commands(), json::parse(R"({"nftables": [
      {"add": {"table": {"family": "inet", "name": "nodenet"}}},
      {"delete": {"table": {"family": "inet", "name": "nodenet"}}}]})"));
    EXPECT_EQ(nft_list_commands(), json::parse(R"({"nftables": [{"list": {"table": {"family": "inet", "name": "nodenet"}}}]})"));
    EXPECT_EQ(nft_list_tables_commands(), json::parse(R"({"nftables": [{"list": {"tables": {"family": "inet"}}}]})"));
}

// What `nft -j list table inet nodenet` (nftables 1.0.6) printed after the transaction of
// example(): handles, metainfo, a /32 as a bare address.
constexpr const char* kListedExample = R"({"nftables": [
{"metainfo": {"version": "1.0.6", "release_name": "Lester Gooch #5", "json_schema_version": 1}},
{"table": {"family": "inet", "name": "nodenet", "handle": 2}},
{"set": {"family": "inet", "name": "kubespan_targets_ipv4", "table": "nodenet", "type": "ipv4_addr", "handle": 1, "flags": ["interval"], "elem": [{"prefix": {"addr": "10.244.0.0", "len": 23}}, "192.0.2.7"]}},
{"set": {"family": "inet", "name": "kubespan_targets_ipv6", "table": "nodenet", "type": "ipv6_addr", "handle": 2, "flags": ["interval"], "elem": [{"prefix": {"addr": "fd00:1::", "len": 64}}]}},
{"chain": {"family": "inet", "table": "nodenet", "name": "kubespan_prerouting", "handle": 3, "type": "filter", "hook": "prerouting", "prio": 0, "policy": "accept"}},
{"chain": {"family": "inet", "table": "nodenet", "name": "kubespan_outgoing", "handle": 4, "type": "route", "hook": "output", "prio": 0, "policy": "accept"}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "handle": 5, "expr": [{"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 96]}, "right": 32}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "handle": 6, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_prerouting", "handle": 7, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 8, "expr": [{"match": {"op": "==", "left": {"&": [{"meta": {"key": "mark"}}, 96]}, "right": 32}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 9, "expr": [{"match": {"op": "==", "left": {"meta": {"key": "oifname"}}, "right": "lo"}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 10, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1368}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1368}}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 11, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "daddr"}}, "right": "@kubespan_targets_ipv4"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}}, {"accept": null}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 12, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}}, {"match": {"op": "==", "left": {"&": [{"payload": {"protocol": "tcp", "field": "flags"}}, ["syn", "rst"]]}, "right": "syn"}}, {"match": {"op": ">", "left": {"tcp option": {"name": "maxseg", "field": "size"}}, "right": 1348}}, {"mangle": {"key": {"tcp option": {"name": "maxseg", "field": "size"}}, "value": 1348}}]}},
{"rule": {"family": "inet", "table": "nodenet", "chain": "kubespan_outgoing", "handle": 13, "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip6", "field": "daddr"}}, "right": "@kubespan_targets_ipv6"}}, {"mangle": {"key": {"meta": {"key": "mark"}}, "value": {"|": [{"&": [{"meta": {"key": "mark"}}, 4294967263]}, 64]}}}, {"accept": null}]}}
]})";

TEST(NftNormalise, RealListingEqualsTheDesiredTable) {
    Result<json> listed = normalise_nft_table(std::string_view(kListedExample));
    ASSERT_TRUE(listed.ok()) << listed.error();
    Result<json> desired = nft_desired_table(example());
    ASSERT_TRUE(desired.ok()) << desired.error();
    EXPECT_EQ(*listed, *desired) << listed->dump(1) << "\n" << desired->dump(1);
    EXPECT_EQ(listed->at("sets").at("kubespan_targets_ipv4").at("elem"), json::parse(R"(["10.244.0.0/23", "192.0.2.7/32"])"));
    EXPECT_EQ(listed->at("chains").at("kubespan_outgoing").at("rules").size(), 6u);
    EXPECT_FALSE(listed->at("table").contains("handle"));
}

json listed_example() { return json::parse(kListedExample); }

// The listing with `change` applied to its array of objects, normalised.
template <class Change>
json normalised_after(Change change) {
    json listing = listed_example();
    change(listing["nftables"]);
    Result<json> n = normalise_nft_table(listing);
    EXPECT_TRUE(n.ok()) << n.error();
    return n.ok() ? *n : json();
}

TEST(NftNormalise, SameAddressesInOtherElementsCompareEqual) {
    json desired = *nft_desired_table(example());
    // 10.244.0.0/23 as two /24 and a range; the order of elements and of keys does not matter.
    EXPECT_EQ(normalised_after([](json& items) {
                  items[2]["set"]["elem"] = json::parse(R"(["192.0.2.7", {"range": ["10.244.1.0", "10.244.1.255"]},
                                                            {"prefix": {"addr": "10.244.0.0", "len": 24}}])");
              }),
              desired);
    EXPECT_EQ(normalised_after([](json& items) {
                  items[2]["set"]["elem"] = json::parse(R"([{"elem": {"val": "192.0.2.7", "comment": "x"}},
                                                            {"prefix": {"addr": "10.244.0.0", "len": 23}}])");
              }),
              desired);
}

TEST(NftNormalise, TellsEveryDifferenceThatMatters) {
    json desired = *nft_desired_table(example());
    // Another address in a set, or one fewer.
    EXPECT_NE(normalised_after([](json& items) { items[2]["set"]["elem"].push_back("192.0.2.8"); }), desired);
    EXPECT_NE(normalised_after([](json& items) { items[3]["set"].erase("elem"); }), desired);
    // A chain's hook, priority or policy.
    EXPECT_NE(normalised_after([](json& items) { items[4]["chain"]["prio"] = -150; }), desired);
    EXPECT_NE(normalised_after([](json& items) { items[5]["chain"]["type"] = "filter"; }), desired);
    // A rule fewer, more, changed, or in another order.
    EXPECT_NE(normalised_after([](json& items) { items.erase(items.size() - 1); }), desired);
    EXPECT_NE(normalised_after([](json& items) { items.push_back(items[items.size() - 1]); }), desired);
    EXPECT_NE(normalised_after([](json& items) { items[items.size() - 3]["rule"]["expr"][2]["match"]["right"] = 1400; }),
              desired);
    EXPECT_NE(normalised_after([](json& items) { std::swap(items[6], items[7]); }), desired);
    EXPECT_NE(normalised_after([](json& items) { std::swap(items[9], items[10]); }), desired);
    // Something someone else put into the table.
    EXPECT_NE(normalised_after([](json& items) {
                  items.push_back({{"counter", {{"family", "inet"}, {"table", "nodenet"}, {"name", "c"}, {"handle", 9},
                                                {"packets", 0}, {"bytes", 0}}}});
              }),
              desired);
    // Handles alone are no difference.
    EXPECT_EQ(normalised_after([](json& items) {
                  for (json& item : items)
                      if (item.begin()->contains("handle")) (*item.begin())["handle"] = 1000;
              }),
              desired);
}

TEST(NftNormalise, OddListingsAreErrorsNotCrashes) {
    auto error_of = [](const json& listing) {
        Result<json> n = normalise_nft_table(listing);
        return n.ok() ? std::string("(ok)") : n.error();
    };
    EXPECT_EQ(normalise_nft_table(std::string_view("{")).error(), "nftables table inet nodenet: listing: not JSON");
    for (const char* text : {"[]", "{}", R"({"nftables": {}})", "null", "7"})
        EXPECT_EQ(error_of(json::parse(text)), "nftables table inet nodenet: listing: not an object {\"nftables\": [...]}")
            << text;
    EXPECT_EQ(error_of(json::parse(R"({"nftables": []})")), "nftables table inet nodenet: listing: no table inet nodenet in it");
    EXPECT_EQ(error_of(json::parse(R"({"nftables": [7]})")),
              "nftables table inet nodenet: listing: item 7 is not {\"<kind>\": {...}}");
    EXPECT_EQ(error_of(json::parse(R"({"nftables": [{"table": {"family": "inet", "name": "other"}}]})")),
              "nftables table inet nodenet: listing: table {\"family\":\"inet\",\"name\":\"other\"} is not of table "
              "inet nodenet");

    auto error_after = [&](auto change) {
        json listing = listed_example();
        change(listing["nftables"]);
        return error_of(listing);
    };
    EXPECT_EQ(error_after([](json& items) { items.push_back(items[1]); }),
              "nftables table inet nodenet: listing: table listed twice");
    EXPECT_EQ(error_after([](json& items) { items.erase(5); }),
              "nftables table inet nodenet: listing: rule of chain kubespan_outgoing, which is not listed");
    EXPECT_EQ(error_after([](json& items) { items[2]["set"]["elem"].push_back("fd00::1"); }),
              "nftables table inet nodenet: listing: set element \"fd00::1\" is not an IPv4 address, prefix or range");
    EXPECT_EQ(error_after([](json& items) { items[2]["set"]["elem"] = "10.0.0.0"; }),
              "nftables table inet nodenet: listing: elements of set kubespan_targets_ipv4 are not a list");
    EXPECT_EQ(error_after([](json& items) { items[6]["rule"].erase("chain"); }).substr(0, 50),
              "nftables table inet nodenet: listing: rule {\"expr\"");
    // Wrong types anywhere: errors, never an exception.
    for (const char* element : {R"({"prefix": {"addr": "10.0.0.0", "len": 33}})", R"({"prefix": {"addr": "10.0.0.0", "len": -1}})",
                                R"({"prefix": {"addr": 7, "len": 8}})", R"({"prefix": "10.0.0.0/8"})",
                                R"({"range": ["10.0.0.9", "10.0.0.1"]})", R"({"range": ["10.0.0.1"]})", R"({"elem": {}})",
                                R"({"elem": {"val": {"elem": {"val": null}}}})", "null", "[]", R"({"a": 1, "b": 2})"}) {
        EXPECT_NE(error_after([&](json& items) { items[2]["set"]["elem"] = json::array({json::parse(element)}); }), "(ok)")
            << element;
    }
    for (const char* item : {R"({"table": 1})", R"({"set": {"family": 4, "table": "nodenet"}})",
                             R"({"chain": {"family": "inet", "table": ["nodenet"]}})", R"({"rule": {"family": "inet", "table": "nodenet", "chain": 5}})",
                             R"({"set": {}, "chain": {}})"}) {
        EXPECT_NE(error_after([&](json& items) { items.push_back(json::parse(item)); }), "(ok)") << item;
    }
    // A set of another type keeps its elements as listed; a chain or set without a name is kept
    // as an object (and so differs from the desired table), not an error.
    EXPECT_EQ(error_after([](json& items) {
                  items.push_back(json::parse(R"({"set": {"family": "inet", "table": "nodenet", "name": "ports",
                                                   "type": "inet_service", "elem": [22, {"range": [1, 9]}]}})"));
                  items.push_back(json::parse(R"({"chain": {"family": "inet", "table": "nodenet"}})"));
              }),
              "(ok)");
}

}  // namespace
}  // namespace nodenet::kubespan
