#include "schema/schema_check.h"

#include "schema/yaml_tree_adapter.h"

#include <gtest/gtest.h>

#include "tests/shared_dir.h"

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace nodenet::schema {
namespace {

// The checker is built once, as the program would; every test shares its lazily built schemas.
const SchemaChecker& checker() {
    static const SchemaChecker instance = [] {
        Result<SchemaChecker> loaded = SchemaChecker::load();
        if (!loaded) {
            ADD_FAILURE() << loaded.error();
            std::abort();
        }
        return std::move(loaded).value();
    }();
    return instance;
}

struct Parsed {
    yaml::Stream stream;
    const yaml::Node& root() const { return *stream.documents.at(0).root; }
};

std::unique_ptr<Parsed> parse(const std::string& text) {
    auto parsed = std::make_unique<Parsed>();
    yaml::SyntaxError error;
    EXPECT_TRUE(yaml::parse(text, parsed->stream, error)) << error.message << " at line " << error.mark.line;
    EXPECT_FALSE(parsed->stream.documents.empty());
    return parsed;
}

std::vector<config::Diagnostic> check(std::string_view kind, const std::string& text, std::string_view prefix = "") {
    auto parsed = parse(text);
    config::Diagnostics out;
    checker().check(kind, parsed->root(), prefix, out);
    return out.items();
}

std::string describe(const std::vector<config::Diagnostic>& items) {
    std::ostringstream s;
    for (const config::Diagnostic& d : items)
        s << d.mark.line << ":" << d.mark.column << " " << d.path << ": " << d.message << "\n";
    return s.str();
}

void expect_one(const std::vector<config::Diagnostic>& items, uint32_t line, uint32_t column, const std::string& path,
                const std::string& message) {
    ASSERT_EQ(items.size(), 1u) << describe(items);
    EXPECT_EQ(items[0].severity, config::Severity::Error);
    EXPECT_EQ(items[0].mark.line, line) << describe(items);
    EXPECT_EQ(items[0].mark.column, column) << describe(items);
    EXPECT_EQ(items[0].path, path);
    EXPECT_EQ(items[0].message, message);
}

// ---- adapter ----

TEST(YamlTreeAdapter, KindsMapToStrictJsonTypes) {
    auto parsed = parse("m: {a: 1}\ns: [x, y]\nscalar: 1500\nquoted: \"true\"\nnothing: ~\n");
    const yaml::Node& root = parsed->root();
    YamlTreeAdapter m(root.get("m")), s(root.get("s")), scalar(root.get("scalar")), quoted(root.get("quoted")),
        nothing(root.get("nothing"));

    EXPECT_TRUE(m.hasStrictTypes());
    EXPECT_TRUE(m.isObject());
    EXPECT_FALSE(m.isArray());
    EXPECT_TRUE(s.isArray());
    EXPECT_FALSE(s.isObject());
    EXPECT_TRUE(nothing.isNull());
    EXPECT_FALSE(nothing.isString());
    // Scalars are strings of their raw text, never numbers or booleans.
    EXPECT_TRUE(scalar.isString());
    EXPECT_FALSE(scalar.isNumber());
    EXPECT_FALSE(scalar.isInteger());
    EXPECT_FALSE(quoted.isBool());
    EXPECT_EQ(scalar.getString(), "1500");
    EXPECT_EQ(quoted.getString(), "true");
    std::string text;
    EXPECT_FALSE(m.getString(text));
}

TEST(YamlTreeAdapter, IteratesAndFinds) {
    auto parsed = parse("first: 1\nsecond: [a, b, c]\n");
    YamlTreeAdapter root(parsed->root());
    ASSERT_EQ(root.getObjectSize(), 2u);

    std::vector<std::string> keys;
    for (const YamlTreeObjectMember& member : root.getObject()) keys.push_back(member.first);
    EXPECT_EQ(keys, (std::vector<std::string>{"first", "second"}));

    YamlTreeObject object = root.getObject();
    auto found = object.find("second");
    ASSERT_NE(found, object.end());
    EXPECT_TRUE(found->second.isArray());
    EXPECT_EQ(object.find("third"), object.end());

    std::vector<std::string> items;
    for (const YamlTreeAdapter item : found->second.getArray()) items.push_back(item.getString());
    EXPECT_EQ(items, (std::vector<std::string>{"a", "b", "c"}));
    EXPECT_EQ(found->second.getArraySize(), 3u);
}

TEST(YamlTreeAdapter, FrozenValueOutlivesTheTree) {
    std::unique_ptr<valijson::adapters::FrozenValue> frozen;
    {
        auto parsed = parse("v: {a: [1, x]}\n");
        frozen.reset(YamlTreeAdapter(parsed->root().get("v")).freeze());
    }
    auto again = parse("v: {a: [1, x]}\nw: {a: [1, y]}\n");
    EXPECT_TRUE(frozen->equalTo(YamlTreeAdapter(again->root().get("v")), true));
    EXPECT_FALSE(frozen->equalTo(YamlTreeAdapter(again->root().get("w")), true));
    std::unique_ptr<valijson::adapters::FrozenValue> copy(frozen->clone());
    EXPECT_TRUE(copy->equalTo(YamlTreeAdapter(again->root().get("v")), true));
}

// ---- unknown keys ----

TEST(SchemaCheck, UnknownKeyWithCaseSuggestion) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: eth0\n"
                       "        vlans:\n"
                       "          - vlanID: 100\n");
    expect_one(items, 6, 13, "machine.network.interfaces[0].vlans[0].vlanID",
               "unknown key \"vlanID\"; did you mean \"vlanId\"?");
}

TEST(SchemaCheck, UnknownKeyWithEditDistanceSuggestion) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: eth0\n"
                       "        adresses: [10.0.0.1/24]\n");
    expect_one(items, 5, 9, "machine.network.interfaces[0].adresses",
               "unknown key \"adresses\"; did you mean \"addresses\"?");
}

TEST(SchemaCheck, V1alpha1RoutesHaveNoTable) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: eth0\n"
                       "        dhcp: true\n"
                       "      - interface: eth1\n"
                       "        routes:\n"
                       "          - network: 10.0.0.0/8\n"
                       "            gateway: 10.0.0.1\n"
                       "            table: 100\n");
    expect_one(items, 10, 13, "machine.network.interfaces[1].routes[0].table", "unknown key \"table\"");
}

TEST(SchemaCheck, EveryUnknownKeyOfAnObjectIsReported) {
    // valijson names only the first stray key of an object; the checker lists them all.
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    hostnme: a\n"
                       "    foo: 1\n"
                       "    kubespan:\n"
                       "      enable: true\n"
                       "    nameserver: [1.1.1.1]\n");
    ASSERT_EQ(items.size(), 4u) << describe(items);
    EXPECT_EQ(items[0].path, "machine.network.hostnme");
    EXPECT_EQ(items[0].message, "unknown key \"hostnme\"; did you mean \"hostname\"?");
    EXPECT_EQ(items[1].path, "machine.network.foo");
    EXPECT_EQ(items[1].message, "unknown key \"foo\"");
    EXPECT_EQ(items[2].path, "machine.network.kubespan.enable");
    EXPECT_EQ(items[2].message, "unknown key \"enable\"; did you mean \"enabled\"?");
    EXPECT_EQ(items[3].path, "machine.network.nameserver");
    EXPECT_EQ(items[3].message, "unknown key \"nameserver\"; did you mean \"nameservers\"?");
    EXPECT_EQ(items[3].mark.line, 7u);
    EXPECT_EQ(items[3].mark.column, 5u);
}

TEST(SchemaCheck, NumericLookingKeyIsAKeyNotAnIndex) {
    auto items = check("v1alpha1", "machine:\n  network:\n    \"0\": x\n");
    expect_one(items, 3, 5, "machine.network.0", "unknown key \"0\"");
}

TEST(SchemaCheck, KeyIsGoQuoted) {
    auto items = check("v1alpha1", "machine:\n  network:\n    \"a\\\"b\\tc\": x\n");
    ASSERT_EQ(items.size(), 1u) << describe(items);
    EXPECT_EQ(items[0].message, "unknown key \"a\\\"b\\tc\"");
}

TEST(SchemaCheck, ClusterDiscoveryIsStrict) {
    auto items = check("v1alpha1",
                       "cluster:\n"
                       "  discovery:\n"
                       "    enabled: true\n"
                       "    registries:\n"
                       "      service:\n"
                       "        endpont: https://example.com/\n");
    expect_one(items, 6, 9, "cluster.discovery.registries.service.endpont",
               "unknown key \"endpont\"; did you mean \"endpoint\"?");
}

TEST(SchemaCheck, BondAndWireguardKeys) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: bond0\n"
                       "        bond:\n"
                       "          mode: 802.3ad\n"
                       "          deviceSelectors: [{driver: e1000, pciId: x}]\n"
                       "          miimon: 100\n"
                       "      - interface: wg0\n"
                       "        wireguard:\n"
                       "          peers:\n"
                       "            - publicKey: k\n"
                       "              allowedIps: [10.0.0.0/8]\n");
    ASSERT_EQ(items.size(), 2u) << describe(items);
    EXPECT_EQ(items[0].path, "machine.network.interfaces[0].bond.deviceSelectors[0].pciId");
    EXPECT_EQ(items[0].message, "unknown key \"pciId\"; did you mean \"pciID\"?");
    EXPECT_EQ(items[1].path, "machine.network.interfaces[1].wireguard.peers[0].allowedIps");
    EXPECT_EQ(items[1].message, "unknown key \"allowedIps\"; did you mean \"allowedIPs\"?");
}

TEST(SchemaCheck, ValidNetworkSectionPasses) {
    auto items = check("v1alpha1",
                       "version: v1alpha1\n"
                       "machine:\n"
                       "  type: controlplane\n"
                       "  network:\n"
                       "    hostname: node1\n"
                       "    interfaces:\n"
                       "      - deviceSelector: {hardwareAddr: \"aa:*\", physical: true}\n"
                       "        addresses: [192.168.1.2/24]\n"
                       "        routes: [{network: 0.0.0.0/0, gateway: 192.168.1.1, metric: 1024}]\n"
                       "        vip: {ip: 192.168.1.10, hcloud: {apiToken: t}}\n"
                       "        dhcpOptions: {routeMetric: 10, ipv4: true}\n"
                       "      - interface: br0\n"
                       "        bridge: {interfaces: [eth1], stp: {enabled: true}, vlan: {vlanFiltering: false}}\n"
                       "      - interface: eth1\n"
                       "        bridgePort: {master: br0}\n"
                       "        vlans: [{vlanId: 5, mtu: 1400, dhcp: true, cidr: 10.5.0.1/24}]\n"
                       "      - interface: dummy0\n"
                       "        dummy: true\n"
                       "        interfaces: ~\n"
                       "    nameservers: [1.1.1.1]\n"
                       "    searchDomains: ~\n"
                       "    extraHostEntries: [{ip: 10.0.0.1, aliases: [a, b]}]\n"
                       "    kubespan: {enabled: true, filters: {endpoints: [\"!10.0.0.0/8\"]}}\n"
                       "    disableSearchDomain: false\n"
                       "  features:\n"
                       "    stableHostname: true\n"
                       "    hostDNS: {enabled: true, somethingNew: 1}\n"
                       "cluster:\n"
                       "  id: abc\n"
                       "  secret: def\n"
                       "  discovery: {enabled: true, registries: {kubernetes: {disabled: true}}}\n");
    // `interfaces: ~` inside a device is not a Device key: exactly that one finding.
    expect_one(items, 19, 9, "machine.network.interfaces[3].interfaces",
               "unknown key \"interfaces\"; did you mean \"interface\"?");
}

// ---- wrong shapes ----

TEST(SchemaCheck, WrongShapes) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: eth0\n"
                       "        mtu: [1500]\n"
                       "        bond: abc\n"
                       "        routes: {network: 10.0.0.0/8}\n"
                       "    nameservers: 1.1.1.1\n"
                       "    kubespan: {}\n");
    ASSERT_EQ(items.size(), 4u) << describe(items);
    EXPECT_EQ(items[0].path, "machine.network.interfaces[0].mtu");
    EXPECT_EQ(items[0].message, "expected a scalar, found a sequence");
    EXPECT_EQ(items[0].mark.line, 5u);
    EXPECT_EQ(items[0].mark.column, 14u);
    EXPECT_EQ(items[1].path, "machine.network.interfaces[0].bond");
    EXPECT_EQ(items[1].message, "expected a mapping, found a scalar \"abc\"");
    EXPECT_EQ(items[2].path, "machine.network.interfaces[0].routes");
    EXPECT_EQ(items[2].message, "expected a sequence, found a mapping");
    EXPECT_EQ(items[3].path, "machine.network.nameservers");
    EXPECT_EQ(items[3].message, "expected a sequence, found a scalar \"1.1.1.1\"");
    EXPECT_EQ(items[3].mark.line, 8u);
    EXPECT_EQ(items[3].mark.column, 18u);
}

TEST(SchemaCheck, SequenceItemOfWrongShape) {
    auto items = check("v1alpha1", "machine:\n  network:\n    interfaces:\n      - eth0\n");
    expect_one(items, 4, 9, "machine.network.interfaces[0]", "expected a mapping, found a scalar \"eth0\"");
}

TEST(SchemaCheck, MachineTypeAndFeaturesShapes) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  type: {a: b}\n"
                       "  features:\n"
                       "    stableHostname: [true]\n"
                       "    hostDNS: yes\n");
    ASSERT_EQ(items.size(), 3u) << describe(items);
    EXPECT_EQ(items[0].path, "machine.type");
    EXPECT_EQ(items[0].message, "expected a scalar, found a mapping");
    EXPECT_EQ(items[1].path, "machine.features.stableHostname");
    EXPECT_EQ(items[1].message, "expected a scalar, found a sequence");
    EXPECT_EQ(items[2].path, "machine.features.hostDNS");
    EXPECT_EQ(items[2].message, "expected a mapping, found a scalar \"yes\"");
}

TEST(SchemaCheck, RootOfWrongShape) {
    auto items = check("LinkConfig", "[a]\n", "documents[2]");
    expect_one(items, 1, 1, "documents[2]", "expected a mapping, found a sequence");
}

// ---- permissive outside the network part ----

TEST(SchemaCheck, NonNetworkSectionsAcceptAnything) {
    auto items = check("v1alpha1",
                       "version: v1alpha1\n"
                       "debug: false\n"
                       "persist: true\n"
                       "anythingElse: {x: [1]}\n"
                       "machine:\n"
                       "  install: {disk: /dev/sda, foo: bar}\n"
                       "  kubelet: [not, even, a, mapping]\n"
                       "  somethingNew: 1\n"
                       "  features: {kubePrism: {enabled: true}, brandNew: x}\n"
                       "  network: ~\n"
                       "cluster:\n"
                       "  etcd: {bar: baz}\n"
                       "  proxy: {extraArgs: {$patch: delete}}\n"
                       "  discovery: ~\n");
    EXPECT_TRUE(items.empty()) << describe(items);
}

// ---- multi-document kinds ----

TEST(SchemaCheck, LinkConfigUnknownKey) {
    auto items = check("LinkConfig",
                       "apiVersion: v1alpha1\n"
                       "kind: LinkConfig\n"
                       "name: enp0s1\n"
                       "mtu: 9000\n"
                       "addresses:\n"
                       "  - address: 192.168.1.100/24\n"
                       "routes:\n"
                       "  - destination: 10.3.5.0/24\n"
                       "    tabel: main\n",
                       "documents[1]");
    expect_one(items, 9, 5, "documents[1].routes[0].tabel", "unknown key \"tabel\"; did you mean \"table\"?");
}

TEST(SchemaCheck, MultiDocumentKindsAreStrictAtTheRoot) {
    auto items = check("HostnameConfig", "apiVersion: v1alpha1\nkind: HostnameConfig\nname: x\nauto: stable\n");
    expect_one(items, 3, 1, "name", "unknown key \"name\"");

    items = check("ResolverConfig",
                  "apiVersion: v1alpha1\nkind: ResolverConfig\nnameservers:\n  - 1.1.1.1\n"
                  "searchDomains:\n  domains: [a]\n  disableDefaults: true\n");
    ASSERT_EQ(items.size(), 2u) << describe(items);
    EXPECT_EQ(items[0].message, "expected a mapping, found a scalar \"1.1.1.1\"");
    EXPECT_EQ(items[0].path, "nameservers[0]");
    EXPECT_EQ(items[1].message, "unknown key \"disableDefaults\"; did you mean \"disableDefault\"?");

    items = check("DHCPv4Config", "apiVersion: v1alpha1\nkind: DHCPv4Config\nname: eth0\nrouteMetrics: 5\n");
    expect_one(items, 4, 1, "routeMetrics", "unknown key \"routeMetrics\"; did you mean \"routeMetric\"?");

    items = check("KubeSpanConfig", "apiVersion: v1alpha1\nkind: KubeSpanConfig\nfilters: {endpoint: []}\n");
    expect_one(items, 3, 11, "filters.endpoint", "unknown key \"endpoint\"; did you mean \"endpoints\"?");
}

TEST(SchemaCheck, EveryNetworkKindHasAWorkingSchema) {
    for (const char* kind : {"v1alpha1", "HostnameConfig", "ResolverConfig", "StaticHostConfig", "LinkConfig",
                             "DHCPv4Config", "DHCPv6Config", "KubeSpanConfig", "KubeSpanEndpointsConfig",
                             "DiscoveryServiceConfig", "DiscoveryIdentityConfig"}) {
        EXPECT_EQ(checker().classify(kind), KindClass::Network) << kind;
        auto items = check(kind, "apiVersion: v1alpha1\nkind: x\n");
        EXPECT_TRUE(items.empty()) << kind << "\n" << describe(items);
        items = check(kind, "apiVersion: v1alpha1\nkind: x\nnotAKey: 1\n");
        if (std::string(kind) != "v1alpha1") {
            EXPECT_EQ(items.size(), 1u) << kind << "\n" << describe(items);
        }
    }
}

TEST(SchemaCheck, KindWithoutSchemaPasses) {
    EXPECT_TRUE(check("BondConfig", "apiVersion: v1alpha1\nkind: BondConfig\nwhatever: 1\n").empty());
    EXPECT_TRUE(check("NoSuchKind", "a: 1\n").empty());
}

// ---- determinism ----

TEST(SchemaCheck, AliasedNodeIsReportedOnce) {
    auto items = check("v1alpha1",
                       "machine:\n"
                       "  network:\n"
                       "    interfaces:\n"
                       "      - interface: eth0\n"
                       "        vlans: &v\n"
                       "          - vlanID: 1\n"
                       "      - interface: eth1\n"
                       "        vlans: *v\n");
    expect_one(items, 6, 13, "machine.network.interfaces[0].vlans[0].vlanID",
               "unknown key \"vlanID\"; did you mean \"vlanId\"?");
}

TEST(SchemaCheck, DiagnosticsAreDeterministicAndInSourceOrder) {
    const std::string text =
        "machine:\n"
        "  network:\n"
        "    zzz: 1\n"
        "    interfaces:\n"
        "      - {interface: eth0, mtu: {}, aaa: 1}\n"
        "    aaa: 2\n";
    auto first = check("v1alpha1", text);
    auto second = check("v1alpha1", text);
    EXPECT_EQ(describe(first), describe(second));
    ASSERT_EQ(first.size(), 4u) << describe(first);
    for (size_t i = 1; i < first.size(); ++i) {
        auto before = std::make_pair(first[i - 1].mark.line, first[i - 1].mark.column);
        auto after = std::make_pair(first[i].mark.line, first[i].mark.column);
        EXPECT_LT(before, after) << describe(first);
    }
}

// ---- classify and load ----

TEST(SchemaCheck, Classify) {
    EXPECT_EQ(checker().classify("LinkConfig"), KindClass::Network);
    EXPECT_EQ(checker().classify("KubeSpanEndpointsConfig"), KindClass::Network);
    EXPECT_EQ(checker().classify("BondConfig"), KindClass::NetworkUnapplied);
    EXPECT_EQ(checker().classify("DiscoveryServiceConfig"), KindClass::Network);
    EXPECT_EQ(checker().classify("DiscoveryIdentityConfig"), KindClass::Network);
    EXPECT_EQ(checker().classify("TimeSyncConfig"), KindClass::NetworkUnapplied);
    EXPECT_EQ(checker().classify("SideroLinkConfig"), KindClass::Other);
    EXPECT_EQ(checker().classify("UserVolumeConfig"), KindClass::Other);
    EXPECT_EQ(checker().classify("UnattendedInstallConfig"), KindClass::Other);
    EXPECT_EQ(checker().classify("linkconfig"), KindClass::Unknown);
    EXPECT_EQ(checker().classify("KubeSpanEndpoints"), KindClass::Unknown);
    EXPECT_EQ(checker().classify(""), KindClass::Unknown);
}

TEST(SchemaCheck, BrokenSchemasAreErrors) {
    EXPECT_FALSE(SchemaChecker::load_from("{"));
    EXPECT_FALSE(SchemaChecker::load_from("{\"x-nodenet-kinds\": {}}"));
    EXPECT_FALSE(SchemaChecker::load_from("{\"definitions\": {}, \"x-nodenet-kinds\": {\"A\": \"nope\"}}"));
    Result<SchemaChecker> missing =
        SchemaChecker::load_from("{\"definitions\": {}, \"x-nodenet-kinds\": {\"A\": \"network\"}}");
    ASSERT_FALSE(missing);
    EXPECT_NE(missing.error().find("\"A\""), std::string::npos) << missing.error();

    Result<SchemaChecker> bad_ref = SchemaChecker::load_from(
        "{\"definitions\": {\"A\": {\"$ref\": \"#/definitions/B\"}}, \"x-nodenet-kinds\": {\"A\": \"network\"}}");
    ASSERT_TRUE(bad_ref) << bad_ref.error();
    auto parsed = parse("a: 1\n");
    config::Diagnostics out;
    bad_ref->check("A", parsed->root(), "", out);
    ASSERT_EQ(out.items().size(), 1u);
    EXPECT_NE(out.items()[0].message.find("internal error"), std::string::npos) << out.items()[0].message;
}

// ---- the Talos corpus ----

std::filesystem::path corpus_dir() { return testing_support::talos_corpus_dir(); }

std::string read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// The kind a document is checked as, or "" when it is not one nodenet applies; v1alpha1 is
// recognised by its top-level keys as in Talos's decoder.
std::string network_kind(const yaml::Node& root) {
    if (!root.is_mapping()) return "";
    for (const char* key : {"machine", "cluster", "debug", "persist"})
        if (root.get(key)) return "v1alpha1";
    const yaml::Node* kind = root.get("kind");
    if (kind == nullptr || !kind->is_scalar()) return "";
    return checker().classify(kind->value) == KindClass::Network ? kind->value : "";
}

TEST(SchemaCheck, TalosCorpusHasNoShapeErrors) {
    if (!std::filesystem::is_directory(corpus_dir())) GTEST_SKIP() << "corpus not found at " << corpus_dir();
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(corpus_dir()))
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty());

    size_t checked = 0;
    for (const auto& file : files) {
        const std::string name = file.filename().string();
        yaml::Stream stream;
        yaml::SyntaxError error;
        ASSERT_TRUE(yaml::parse(read_file(file), stream, error)) << name << ": " << error.message;
        config::Diagnostics out;
        for (size_t i = 0; i < stream.documents.size(); ++i) {
            const yaml::Node& root = *stream.documents[i].root;
            std::string kind = network_kind(root);
            if (kind.empty()) continue;
            checker().check(kind, root, "", out);
            ++checked;
        }
        // A strategic-merge patch: `$patch: delete` directives are not config keys.
        if (name == "configpatcher-patchdelete-strategic1.yaml") {
            EXPECT_FALSE(out.items().empty()) << name;
            continue;
        }
        EXPECT_TRUE(out.items().empty()) << name << "\n" << describe(out.items());
    }
    std::printf("[ corpus   ] %zu network documents checked\n", checked);
    EXPECT_GT(checked, 30u);
}

TEST(SchemaCheck, ControlPlaneCheckTime) {
    const auto file = corpus_dir() / "decoder-controlplane.yaml";
    if (!std::filesystem::exists(file)) GTEST_SKIP() << "corpus not found at " << corpus_dir();
    auto parsed = parse(read_file(file));
    const yaml::Node& root = parsed->root();
    config::Diagnostics out;
    for (int i = 0; i < 20; ++i) checker().check("v1alpha1", root, "", out);  // warm-up
    ASSERT_TRUE(out.items().empty()) << describe(out.items());

    constexpr int kRuns = 2000;
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < kRuns; ++i) checker().check("v1alpha1", root, "", out);
    std::chrono::duration<double, std::micro> total = std::chrono::steady_clock::now() - start;
    std::printf("[ timing   ] schema check of decoder-controlplane.yaml: %.1f us per document\n",
                total.count() / kRuns);
    RecordProperty("check_us", std::to_string(total.count() / kRuns));
    EXPECT_TRUE(out.items().empty());
}

}  // namespace
}  // namespace nodenet::schema
