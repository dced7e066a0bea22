// What the daemon runs of the config's discovery: v1alpha1's .cluster.discovery/.cluster.id/
// .cluster.secret with Talos's defaults, and Talos 1.14's DiscoveryServiceConfig and
// DiscoveryIdentityConfig documents beside them.
#include "discovery/discovery_settings.h"

#include <gtest/gtest.h>

#include "schema/schema_check.h"

namespace nodenet::discovery {
namespace {

config::Validation validated(const std::string& text) {
    static const auto schema = schema::SchemaChecker::load();
    EXPECT_TRUE(schema.ok());
    return config::validate(text, *schema, {});
}

constexpr const char* kClusterId = "OXkqDOjhAIRNYpb1hM+ugqxvlvV9R9/IjIJIPV8wHmI=";
constexpr const char* kSecret = "ZzYt0LiUNYumRqwOyymJHDSoSWBtJqXtwHNR9rXU6Q4=";

std::string service_doc(const std::string& name, const std::string& endpoint) {
    return "---\napiVersion: v1alpha1\nkind: DiscoveryServiceConfig\nname: " + name + "\nendpoint: " + endpoint + "\n";
}

std::string identity_doc() {
    return "---\napiVersion: v1alpha1\nkind: DiscoveryIdentityConfig\nclusterID: " + std::string(kClusterId) +
           "\nclusterSecret: " + kSecret + "\n";
}

TEST(DiscoverySettings, TwoServiceDocumentsAndAnIdentityDocument) {
    auto v = validated("version: v1alpha1\nmachine:\n  type: worker\n" + service_doc("primary", "https://discovery.talos.dev/") +
                       service_doc("lan", "http://10.0.0.1:3000") + identity_doc());
    EXPECT_TRUE(v.diagnostics.items().empty());
    DiscoverySettings s = discovery_settings(v.config);
    EXPECT_TRUE(s.enabled);
    EXPECT_TRUE(s.publishes());
    // In document order, as written: no default endpoint, no trailing slash added.
    std::vector<ServiceSettings> expected{{"primary", "https://discovery.talos.dev/"}, {"lan", "http://10.0.0.1:3000"}};
    EXPECT_EQ(s.services, expected);
    EXPECT_EQ(s.cluster_id, kClusterId);
    EXPECT_EQ(s.cluster_secret, kSecret);
    // The Kubernetes-registry warning belongs to the legacy section only.
    EXPECT_TRUE(s.warnings.empty());
}

TEST(DiscoverySettings, DocumentsWithoutAV1alpha1Document) {
    DiscoverySettings s = discovery_settings(validated(service_doc("only", "grpc://[fd00::1]:3000") + identity_doc()).config);
    ASSERT_EQ(s.services.size(), 1u);
    EXPECT_EQ(s.services[0], (ServiceSettings{"only", "grpc://[fd00::1]:3000"}));
    EXPECT_EQ(s.cluster_id, kClusterId);
    EXPECT_TRUE(s.publishes());
}

TEST(DiscoverySettings, ServiceDocumentsTakeTheIdentityFromV1alpha1WhenNoIdentityDocument) {
    auto v = validated("version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  id: abc\n  secret: " + std::string(kSecret) +
                       "\n" + service_doc("primary", "https://discovery.talos.dev/"));
    EXPECT_TRUE(v.diagnostics.items().empty());
    DiscoverySettings s = discovery_settings(v.config);
    EXPECT_TRUE(s.publishes());
    EXPECT_EQ(s.cluster_id, "abc");
    EXPECT_EQ(s.cluster_secret, kSecret);
}

TEST(DiscoverySettings, IdentityDocumentWithLegacyDiscovery) {
    auto v = validated("version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  discovery:\n    enabled: true\n"
                       "    registries:\n      kubernetes:\n        disabled: true\n" + identity_doc());
    DiscoverySettings s = discovery_settings(v.config);
    EXPECT_TRUE(s.enabled);
    ASSERT_EQ(s.services.size(), 1u);
    EXPECT_EQ(s.services[0], (ServiceSettings{"service", kDefaultServiceEndpoint}));
    EXPECT_EQ(s.cluster_id, kClusterId);
    EXPECT_EQ(s.cluster_secret, kSecret);
}

TEST(DiscoverySettings, IdentityDocumentAloneDoesNotEnableDiscovery) {
    DiscoverySettings s = discovery_settings(validated(identity_doc()).config);
    EXPECT_FALSE(s.enabled);
    EXPECT_FALSE(s.publishes());
    EXPECT_EQ(s.cluster_id, kClusterId);
}

TEST(DiscoverySettings, FollowTalosDefaults) {
    std::string base = "version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  id: abc\n  secret: " + std::string(kSecret) + "\n";
    DiscoverySettings off = discovery_settings(validated(base).config);
    EXPECT_FALSE(off.enabled);
    EXPECT_FALSE(off.publishes());
    DiscoverySettings on = discovery_settings(
        validated(base + "  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n").config);
    EXPECT_TRUE(on.publishes());
    ASSERT_EQ(on.services.size(), 1u);
    EXPECT_EQ(on.services[0].endpoint, kDefaultServiceEndpoint);
    EXPECT_EQ(on.cluster_id, "abc");
    DiscoverySettings own = discovery_settings(validated(base +
        "  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n"
        "      service:\n        endpoint: http://10.0.0.1:3000\n").config);
    EXPECT_EQ(own.services[0].endpoint, "http://10.0.0.1:3000");
    DiscoverySettings none = discovery_settings(validated(base +
        "  discovery:\n    enabled: true\n    registries:\n      kubernetes:\n        disabled: true\n"
        "      service:\n        disabled: true\n").config);
    EXPECT_TRUE(none.enabled);
    EXPECT_FALSE(none.publishes());
}

TEST(DiscoverySettings, WarnOfTheKubernetesRegistryWhichNodenetDoesNotImplement) {
    std::string base = "version: v1alpha1\nmachine:\n  type: worker\ncluster:\n  id: abc\n  secret: " + std::string(kSecret) +
                       "\n  discovery:\n    enabled: true\n";
    DiscoverySettings s = discovery_settings(validated(base).config);
    ASSERT_EQ(s.warnings.size(), 1u);
    EXPECT_NE(s.warnings[0].find("does not implement the Kubernetes registry"), std::string::npos) << s.warnings[0];
    EXPECT_TRUE(s.publishes());
    // validate stays Talos-exact: no diagnostic of its own for this.
    auto v = validated(base);
    EXPECT_TRUE(v.diagnostics.items().empty());
}

}  // namespace
}  // namespace nodenet::discovery
