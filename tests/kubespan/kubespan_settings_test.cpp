// What the daemon runs of the config's KubeSpan: machine.network.kubespan or a KubeSpanConfig
// document, KubeSpanEndpointsConfig, and the cluster identity (reference §3.1).
#include "kubespan/kubespan_settings.h"

#include <gtest/gtest.h>

#include "schema/schema_check.h"

namespace nodenet::kubespan {
namespace {

constexpr const char* kClusterId = "OXkqDOjhAIRNYpb1hM+ugqxvlvV9R9/IjIJIPV8wHmI=";
constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";

KubeSpanSettings settings(const std::string& text) {
    static const auto schema = schema::SchemaChecker::load();
    EXPECT_TRUE(schema.ok());
    return kubespan_settings(config::validate(text, *schema, {}).config);
}

std::string v1alpha1(const std::string& kubespan, const std::string& cluster) {
    return "version: v1alpha1\nmachine:\n  type: worker\n  network:\n    kubespan:\n" + kubespan + "cluster:\n" + cluster;
}

std::string identity() { return "  id: " + std::string(kClusterId) + "\n  secret: " + kSecret + "\n  discovery:\n    enabled: true\n"; }

std::string strs(const std::vector<state::IpPrefix>& ps) {
    std::string out;
    for (const auto& p : ps) out += (out.empty() ? "" : " ") + p.str();
    return out;
}

TEST(KubeSpanSettings, DefaultsOfAnEnabledSection) {
    KubeSpanSettings s = settings(v1alpha1("      enabled: true\n", identity()));
    EXPECT_TRUE(s.enabled);
    EXPECT_EQ(s.cluster_id, kClusterId);
    EXPECT_EQ(s.cluster_secret, kSecret);
    EXPECT_EQ(wireguard::to_base64(s.preshared_key), kSecret);
    EXPECT_TRUE(s.force_routing);
    EXPECT_FALSE(s.advertise_kubernetes_networks);
    EXPECT_FALSE(s.harvest_extra_endpoints);
    EXPECT_EQ(s.mtu, 1420u);
    EXPECT_FALSE(s.endpoint_filters.has_value());
    EXPECT_TRUE(s.extra_endpoints.empty());
    EXPECT_TRUE(s.exclude_advertised_networks.empty());
    EXPECT_TRUE(s.warnings.empty());
}

TEST(KubeSpanSettings, EveryOption) {
    KubeSpanSettings s = settings(v1alpha1("      enabled: true\n      advertiseKubernetesNetworks: true\n"
                                           "      allowDownPeerBypass: true\n      harvestExtraEndpoints: true\n"
                                           "      mtu: 1380\n      filters:\n        endpoints: ['0.0.0.0/0', '!10.0.0.0/8']\n"
                                           "        excludeAdvertisedNetworks: ['192.168.1.5/24', 'fd00::/8']\n",
                                           identity()) +
                                  "---\napiVersion: v1alpha1\nkind: KubeSpanEndpointsConfig\nextraAnnouncedEndpoints:\n"
                                  "  - 203.0.113.7:51821\n  - '[2001:db8::7]:443'\n");
    EXPECT_TRUE(s.enabled);
    EXPECT_FALSE(s.force_routing);
    EXPECT_TRUE(s.advertise_kubernetes_networks);
    EXPECT_TRUE(s.harvest_extra_endpoints);
    EXPECT_EQ(s.mtu, 1380u);
    EXPECT_EQ(s.endpoint_filters, (std::vector<std::string>{"0.0.0.0/0", "!10.0.0.0/8"}));
    EXPECT_EQ(strs(s.exclude_advertised_networks), "192.168.1.5/24 fd00::/8");  // as written
    ASSERT_EQ(s.extra_endpoints.size(), 2u);
    EXPECT_EQ(s.extra_endpoints[0].str(), "203.0.113.7:51821");
    EXPECT_EQ(s.extra_endpoints[1].str(), "[2001:db8::7]:443");
    EXPECT_TRUE(s.warnings.empty());
}

TEST(KubeSpanSettings, AnEmptyFilterListIsNotNoFilter) {
    KubeSpanSettings s = settings(v1alpha1("      enabled: true\n      filters:\n        endpoints: []\n", identity()));
    ASSERT_TRUE(s.endpoint_filters.has_value());
    EXPECT_TRUE(s.endpoint_filters->empty());
    s = settings(v1alpha1("      enabled: true\n      filters:\n        endpoints: ~\n", identity()));
    EXPECT_FALSE(s.endpoint_filters.has_value());
}

TEST(KubeSpanSettings, TheKubeSpanConfigDocumentAndAnIdentityDocument) {
    KubeSpanSettings s = settings(
        "---\napiVersion: v1alpha1\nkind: KubeSpanConfig\nenabled: true\nallowDownPeerBypass: true\n"
        "---\napiVersion: v1alpha1\nkind: DiscoveryServiceConfig\nname: main\nendpoint: https://discovery.talos.dev/\n"
        "---\napiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterID: " + std::string(kClusterId) +
        "\nclusterSecret: " + kSecret + "\n");
    EXPECT_TRUE(s.enabled) << (s.warnings.empty() ? "" : s.warnings.front());
    EXPECT_FALSE(s.force_routing);
    EXPECT_EQ(s.mtu, 1420u);
    EXPECT_EQ(s.cluster_id, kClusterId);
}

TEST(KubeSpanSettings, OffWithoutAnIdentityAndSaysWhy) {
    KubeSpanSettings s = settings(v1alpha1("      enabled: true\n", "  discovery:\n    enabled: true\n"));
    EXPECT_FALSE(s.enabled);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_EQ(s.warnings[0], "KubeSpan is enabled but stays off: it needs the cluster's ID and secret "
                             "(.cluster.id/.cluster.secret or a DiscoveryIdentityConfig document)");
    s = settings(v1alpha1("      enabled: true\n", "  id: abc\n"));
    EXPECT_FALSE(s.enabled);
    EXPECT_EQ(s.warnings.at(0), "KubeSpan is enabled but stays off: it needs the cluster's secret "
                                "(.cluster.id/.cluster.secret or a DiscoveryIdentityConfig document)");
    // The secret is the preshared key: it must be 32 bytes of base64. The message never quotes it.
    s = settings(v1alpha1("      enabled: true\n", "  id: abc\n  secret: c2VjcmV0\n"));
    EXPECT_FALSE(s.enabled);
    EXPECT_EQ(s.warnings.at(0), "KubeSpan is enabled but stays off: the cluster secret is its WireGuard preshared key "
                                "and must be the base64 of 32 bytes (not a WireGuard key: 8 characters, expected 44 "
                                "(32 bytes in base64))");
}

TEST(KubeSpanSettings, DisabledOrAbsentIsOffWithoutWarnings) {
    for (const std::string& text : {v1alpha1("      enabled: false\n", identity()),
                                    std::string("version: v1alpha1\nmachine:\n  type: worker\ncluster:\n") + identity()}) {
        KubeSpanSettings s = settings(text);
        EXPECT_FALSE(s.enabled);
        EXPECT_TRUE(s.warnings.empty());
    }
}

TEST(KubeSpanSettings, EndpointsThatCannotBeAnnouncedAreLeftOutWithAWarning) {
    KubeSpanSettings s = settings(v1alpha1("      enabled: true\n", identity()) +
                                  "---\napiVersion: v1alpha1\nkind: KubeSpanEndpointsConfig\nextraAnnouncedEndpoints:\n"
                                  "  - 192.0.2.1:0\n  - '[fe80::1%eth0]:51820'\n  - 192.0.2.2:51820\n");
    ASSERT_EQ(s.extra_endpoints.size(), 1u);
    EXPECT_EQ(s.extra_endpoints[0].str(), "192.0.2.2:51820");
    ASSERT_EQ(s.warnings.size(), 2u);
    EXPECT_NE(s.warnings[0].find("\"192.0.2.1:0\" is not used: port out of range 1-65535"), std::string::npos) << s.warnings[0];
    EXPECT_NE(s.warnings[1].find("is not used: an address with a zone cannot be announced"), std::string::npos)
        << s.warnings[1];
}

}  // namespace
}  // namespace nodenet::kubespan
