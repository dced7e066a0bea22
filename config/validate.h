// Load + validate one config file: YAML -> documents -> schema -> typed model -> rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/model.h"
#include "config/rules.h"

namespace nodenet::schema {
class SchemaChecker;
}

namespace nodenet::config {

// Larger files are refused before parsing: a machine config is a few tens of kilobytes.
constexpr size_t kMaxConfigBytes = 16 * 1024 * 1024;

// The diagnostic for a file over kMaxConfigBytes; its size is unknown when it came from a pipe.
std::string too_large_message(std::optional<uint64_t> size);

struct Options {
    Mode mode = Mode::Metal;
    bool strict = false;
};

template <class T>
struct Doc {
    Source src;  // the document root; its path is the document's label (`LinkConfig[eth0]`)
    T spec;
};

// The typed network configuration of one file: the v1alpha1 document and the multi-document kinds.
struct Config {
    std::optional<MachineConfig> machine;
    std::vector<Doc<HostnameDoc>> hostnames;
    std::vector<Doc<ResolverDoc>> resolvers;
    std::vector<Doc<StaticHostDoc>> static_hosts;
    std::vector<Doc<LinkDoc>> links;
    std::vector<Doc<DhcpDoc>> dhcp;
    std::vector<Doc<RoutingRuleDoc>> routing_rules;
    std::vector<Doc<KubeSpanDoc>> kubespan;
    std::vector<Doc<KubeSpanEndpointsDoc>> kubespan_endpoints;
    std::vector<Doc<DiscoveryServiceDoc>> discovery_services;      // in document order
    std::vector<Doc<DiscoveryIdentityDoc>> discovery_identities;  // at most one (unnamed kind)

    // A Talos 1.14 discovery document is present: the cluster discovery rules are then 1.14's
    // container-level ones rather than v1alpha1's (reference §7.4).
    bool has_discovery_documents() const { return !discovery_services.empty() || !discovery_identities.empty(); }
    // DiscoveryServiceConfig documents and nothing else: a fragment of a machine config (Talos's
    // own fixture is one), not a whole one. A new kind above belongs in this test too.
    bool only_discovery_services() const {
        return !discovery_services.empty() && !machine && hostnames.empty() && resolvers.empty() &&
               static_hosts.empty() && links.empty() && dhcp.empty() && routing_rules.empty() && kubespan.empty() &&
               kubespan_endpoints.empty() && discovery_identities.empty();
    }
};

struct Validation {
    Config config;
    Diagnostics diagnostics;  // sorted in source order
};

Validation validate(std::string_view text, const schema::SchemaChecker& schema, const Options& options);

// Rules of the multi-document kinds and their conflicts with the v1alpha1 document (reference §7).
void check_documents(const Config& config, Diagnostics& out);

// DiscoveryServiceConfig / DiscoveryIdentityConfig (Talos 1.14): their own rules, their conflicts
// with v1alpha1's .cluster.discovery/.cluster.id/.cluster.secret, and the container-level checks
// that discovery services have an identity and that KubeSpan has a discovery service (§7.3, §7.4).
void check_discovery_documents(const Config& config, Diagnostics& out);

// Every host name, alias and search domain must be a valid DNS name (dns/dns_name.h): errors,
// since an invalid one could add lines to resolv.conf or /etc/hosts (Talos writes them as given).
void check_names(const Config& config, Diagnostics& out);

}  // namespace nodenet::config
