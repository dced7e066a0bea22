// `nodenet get` run as a program inside a throwaway namespace, its output compared with ip's.
#include <gtest/gtest.h>

#include <map>
#include <set>
#include <sstream>
#include <string>

#include "config/yaml_tree.h"
#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

using nlohmann::json;

void build_scenario(const TestNetns& ns) {
    ns.must("link set lo up");
    ns.must("link add eth0 type veth peer name eth1");
    ns.must("link add br0 type bridge");
    ns.must("link set eth0 master br0");
    for (const char* l : {"eth0", "eth1", "br0"}) ns.must(std::string("link set ") + l + " up");
    ns.must("addr add 10.1.0.5/24 dev br0");
    ns.must("addr add 2001:db8:1::5/64 dev br0 nodad");
    add_address_with_protocol(ns, "eth1", "10.9.0.1/24", 110);
    ns.must("route add 10.10.0.0/16 via 10.1.0.1 metric 100");
    ns.must("route add 10.12.0.0/16 via 10.1.0.1 table 100 proto 110");
    ns.must("route add default via 10.1.0.1");
}

json get(const TestNetns& ns, const std::string& kind, const std::string& format = "json") {
    CommandResult r = ns.run({NODENET_BINARY, "get", kind, "-o", format});
    if (r.exit_code != 0) throw std::runtime_error("nodenet get " + kind + " exited " + std::to_string(r.exit_code) + ": " + r.err);
    if (!r.err.empty()) throw std::runtime_error("nodenet get wrote to stderr: " + r.err);
    return format == "json" ? json::parse(r.out) : json(r.out);
}

std::map<std::string, json> by_name(const json& array, const char* key) {
    std::map<std::string, json> m;
    for (const auto& o : array) m[o.at(key).get<std::string>()] = o;
    return m;
}

TEST(GetCommand, LinksAsJsonMatchIp) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    auto ours = by_name(get(ns, "links"), "name"), theirs = by_name(ns.ip_json("-d link show"), "ifname");
    ASSERT_EQ(ours.size(), theirs.size());
    for (const auto& [name, l] : theirs) {
        SCOPED_TRACE(name);
        ASSERT_TRUE(ours.count(name));
        const json& m = ours[name];
        EXPECT_EQ(m["index"], l["ifindex"]);
        EXPECT_EQ(m["mtu"], l["mtu"]);
        bool up = false;
        for (const auto& f : l["flags"]) up = up || f == "UP";
        EXPECT_EQ(m["up"], up);
        EXPECT_EQ(m["master"], l.contains("master") ? l["master"] : json(nullptr));
        EXPECT_EQ(m["kind"], l.contains("linkinfo") ? l["linkinfo"]["info_kind"] : json(nullptr));
        EXPECT_EQ(m["hardware_addr"], l.value("address", json(nullptr)));
    }
    EXPECT_EQ(ours["br0"]["bridge"], (json{{"stp", false}, {"vlan_filtering", false}}));
    EXPECT_EQ(ours["eth0"]["parent"], "eth1");
}

TEST(GetCommand, AddressesAsJsonMatchIp) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    std::set<std::string> ours, theirs;
    json addresses = get(ns, "addresses");
    for (const auto& a : addresses) ours.insert(a["link"].get<std::string>() + " " + a["address"].get<std::string>());
    for (const auto& l : ns.ip_json("address show"))
        for (const auto& a : l["addr_info"])
            theirs.insert(l["ifname"].get<std::string>() + " " + a["local"].get<std::string>() + "/" +
                          std::to_string(a["prefixlen"].get<int>()));
    EXPECT_EQ(ours, theirs);
    for (const auto& a : addresses) {
        if (a["address"] == "10.9.0.1/24") {
            EXPECT_EQ(a["protocol"], "nodenet");
        }
        if (a["address"] == "10.1.0.5/24") {
            EXPECT_EQ(a["protocol"], nullptr);
            EXPECT_EQ(a["flags"], json::array({"permanent"}));
            EXPECT_EQ(a["scope"], "global");
            EXPECT_EQ(a["family"], "inet");
        }
    }
}

TEST(GetCommand, RoutesAsJsonMatchIp) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    json routes = get(ns, "routes");
    std::set<std::string> ours, theirs;
    for (const auto& r : routes)
        ours.insert(std::to_string(r["table"].get<int>()) + " " + r["destination"].get<std::string>() + " " +
                    r["dev"].get<std::string>());
    static const std::map<std::string, std::string> kTables = {{"main", "254"}, {"local", "255"}};
    for (int family : {4, 6})
        for (const auto& r : ns.ip_json("-" + std::to_string(family) + " -d route show table all")) {
            std::string dst = r["dst"];
            if (dst == "default") dst = family == 4 ? "0.0.0.0/0" : "::/0";
            if (dst.find('/') == std::string::npos) dst += family == 4 ? "/32" : "/128";
            std::string table = r["table"];
            theirs.insert((kTables.count(table) ? kTables.at(table) : table) + " " + dst + " " + r["dev"].get<std::string>());
        }
    EXPECT_EQ(ours, theirs);
    bool seen = false;
    for (const auto& r : routes) {
        if (r["destination"] != "10.12.0.0/16") continue;
        seen = true;
        EXPECT_EQ(r, (json{{"table", 100}, {"family", "inet"}, {"type", "unicast"}, {"destination", "10.12.0.0/16"},
                           {"gateway", "10.1.0.1"}, {"source", nullptr}, {"dev", "br0"}, {"metric", 0},
                           {"protocol", "nodenet"}, {"scope", "global"}, {"mtu", nullptr}}));
    }
    EXPECT_TRUE(seen);
}

// YAML with the types a YAML 1.1 reader (go-yaml, PyYAML) would give it.
json yaml_to_json(const yaml::Node* node) {
    switch (node->kind) {
        case yaml::Kind::Null: return nullptr;
        case yaml::Kind::Mapping: {
            json o = json::object();
            for (const auto& e : node->entries) o[e.key->value] = yaml_to_json(e.value);
            return o;
        }
        case yaml::Kind::Sequence: {
            json a = json::array();
            for (const auto* item : node->items) a.push_back(yaml_to_json(item));
            return a;
        }
        case yaml::Kind::Scalar: break;
    }
    const std::string& v = node->value;
    if (node->style != yaml::Style::Plain) return v;
    if (v == "true" || v == "false") return v == "true";
    if (!v.empty() && v.find_first_not_of("0123456789") == std::string::npos) return std::stoll(v);
    return v;
}

TEST(GetCommand, YamlSaysWhatJsonSays) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    for (const char* kind : {"links", "addresses", "routes"}) {
        SCOPED_TRACE(kind);
        std::string text = get(ns, kind, "yaml");
        yaml::Stream stream;
        yaml::SyntaxError error;
        ASSERT_TRUE(yaml::parse(text, stream, error)) << error.message << "\n" << text;
        ASSERT_EQ(stream.documents.size(), 1u);
        EXPECT_EQ(yaml_to_json(stream.documents[0].root), get(ns, kind)) << text;
    }
}

TEST(GetCommand, TableHasAHeaderAndOneAlignedRowPerLink) {
    NODENET_NETNS_OR_SKIP(ns);
    build_scenario(ns);
    CommandResult r = ns.run({NODENET_BINARY, "get", "links"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> lines;
    std::istringstream in(r.out);
    for (std::string line; std::getline(in, line);) lines.push_back(line);
    ASSERT_EQ(lines.size(), ns.ip_json("link show").size() + 1) << r.out;
    EXPECT_EQ(lines[0].rfind("NAME", 0), 0u) << lines[0];
    size_t mtu_column = lines[0].find("MTU");
    bool bridge_row = false;
    for (size_t i = 1; i < lines.size(); ++i) {
        EXPECT_NE(lines[i][mtu_column], ' ') << "MTU column not aligned:\n" << r.out;
        bridge_row = bridge_row || (lines[i].rfind("br0 ", 0) == 0 && lines[i].find(" bridge ") != std::string::npos);
    }
    EXPECT_TRUE(bridge_row) << r.out;
    CommandResult routes = ns.run({NODENET_BINARY, "get", "routes", "-o", "table"});
    ASSERT_EQ(routes.exit_code, 0) << routes.err;
    EXPECT_NE(routes.out.find("nodenet"), std::string::npos) << routes.out;
    EXPECT_NE(routes.out.find("default"), std::string::npos) << routes.out;
}

TEST(GetCommand, WrongUsageExitsTwo) {
    NODENET_NETNS_OR_SKIP(ns);
    for (std::vector<std::string> args : {std::vector<std::string>{"get", "neighbours"},
                                          std::vector<std::string>{"get", "links", "-o", "xml"},
                                          std::vector<std::string>{"get"}}) {
        args.insert(args.begin(), NODENET_BINARY);
        CommandResult r = ns.run(args);
        EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
        EXPECT_EQ(r.out, "");
    }
}

}  // namespace
}  // namespace nodenet::netlink_test
