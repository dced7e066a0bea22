// Talos 1.14's discovery documents: DiscoveryServiceConfig (one per service, named) and
// DiscoveryIdentityConfig (the cluster's ID and secret). Their own rules and their conflicts with
// v1alpha1 are worded as in siderolabs/talos pkg/machinery/config/types/cluster/
// {discovery_service,discovery_identity}.go (read at main); the container-level messages as in
// pkg/machinery/config/container/validate_test.go ("discovery without identity", "kubespan without
// discovery"). Which sources count as "discovery enabled" for KubeSpan follows the reference §7.4;
// the container code itself was not available to read.
#include <string>

#include "config/go_syntax.h"
#include "config/validate.h"

namespace nodenet::config {

namespace {

// constants.DefaultClusterSecretSize: the secret is an AES-256 key.
constexpr size_t kClusterSecretBytes = 32;

// DiscoveryServiceConfigV1Alpha1.Validate returns its first error only; a URL that does not parse
// fails earlier, while Talos decodes the document, so it is the only error reported then.
void check_discovery_service(const Doc<DiscoveryServiceDoc>& d, Diagnostics& out) {
    const DiscoveryServiceDoc& s = d.spec;
    const Source& endpoint_at = where(s.endpoint, d.src);
    // meta.URL decodes "" to no URL at all (then "endpoint is required"), anything else with url.Parse.
    auto url = s.endpoint->empty() ? Result<go::Url>(go::Url{}) : go::parse_url(s.endpoint.value);
    if (!url.ok()) return out.error(endpoint_at.mark, endpoint_at.path, url.error());
    if (s.name->empty()) return out.error(d.src.mark, d.src.path, "name is required");
    if (s.endpoint->empty()) return out.error(endpoint_at.mark, endpoint_at.path, "endpoint is required");
    if (url->scheme.empty()) return out.error(endpoint_at.mark, endpoint_at.path, "endpoint scheme is required");
    if (url->scheme != "http" && url->scheme != "https" && url->scheme != "grpc")
        return out.error(endpoint_at.mark, endpoint_at.path, "endpoint scheme must be http://, https:// or grpc://");
    if (url->hostname.empty()) out.error(endpoint_at.mark, endpoint_at.path, "endpoint host is required");
}

// DiscoveryIdentityConfigV1Alpha1.Validate: first error only. The ID is an opaque identifier (Talos
// never decodes it); the secret is the AES key, so it must be standard base64 of 32 bytes. Talos
// quotes the secret in these messages; so does nodenet, to stay word for word.
void check_discovery_identity(const Doc<DiscoveryIdentityDoc>& d, Diagnostics& out) {
    const DiscoveryIdentityDoc& i = d.spec;
    if (i.cluster_id->empty()) {
        const Source& at = where(i.cluster_id, d.src);
        return out.error(at.mark, at.path, "clusterID is required");
    }
    const Source& at = where(i.cluster_secret, d.src);
    const std::string& secret = i.cluster_secret.value;
    if (secret.empty()) return out.error(at.mark, at.path, "clusterSecret is required");
    auto raw = go::base64_std_decode(secret);
    if (!raw.ok())
        return out.error(at.mark, at.path,
                         "invalid clusterSecret: failed to decode from base64: " + secret + "; " + raw.error());
    if (raw->size() != kClusterSecretBytes)
        out.error(at.mark, at.path,
                  "invalid clusterSecret: expected " + std::to_string(kClusterSecretBytes) + " bytes, got " +
                      std::to_string(raw->size()) + ": " + secret);
}

// V1Alpha1ConflictValidate of both kinds: the new documents replace the v1alpha1 fields, and
// either source may be used, never both. The mere presence of .cluster.discovery conflicts, even
// `enabled: false`; an empty .cluster.id and .cluster.secret do not.
void check_conflicts_with_v1alpha1(const Config& config, Diagnostics& out) {
    if (!config.machine) return;
    const MachineConfig& m = *config.machine;
    for (const auto& d : config.discovery_services)
        if (m.discovery)
            out.error(d.src.mark, d.src.path,
                      "discovery service is already configured in .cluster.discovery of the v1alpha1 config");
    for (const auto& d : config.discovery_identities)
        if (!m.cluster_id->empty() || !m.cluster_secret->empty())
            out.error(d.src.mark, d.src.path,
                      "cluster identity is already configured in .cluster.id/.cluster.secret of the v1alpha1 config");
}

// Where KubeSpan is enabled, for the error that it has no discovery: v1alpha1's field or the
// first enabled KubeSpanConfig document (the two conflict, so one at most in a valid config).
const Source* kubespan_enabled_at(const Config& config) {
    const MachineConfig* m = config.machine ? &*config.machine : nullptr;
    if (m && m->network && m->network->kubespan && is_true(m->network->kubespan->enabled))
        return &m->network->kubespan->enabled.src;
    for (const auto& d : config.kubespan)
        if (is_true(d.spec.spec.enabled)) return &d.spec.spec.enabled.src;
    return nullptr;
}

// The container-level checks of Talos 1.14 (reference §7.4): every discovery service needs the
// cluster identity to encrypt and address what it publishes; KubeSpan finds its peers only
// through discovery. They replace v1alpha1's v1.12/v1.13 KubeSpan rule (check_kubespan) in a
// config that uses the new documents; a v1alpha1-only config keeps the rules of its version.
void check_discovery_needs(const Config& config, Diagnostics& out) {
    const MachineConfig* m = config.machine ? &*config.machine : nullptr;
    const Doc<DiscoveryIdentityDoc>* identity =
        config.discovery_identities.empty() ? nullptr : &config.discovery_identities.front();
    std::string cluster_id = identity ? identity->spec.cluster_id.value : m ? m->cluster_id.value : "";
    std::string cluster_secret = identity ? identity->spec.cluster_secret.value : m ? m->cluster_secret.value : "";

    if (!config.discovery_services.empty()) {
        const Source& first = config.discovery_services.front().src;
        // A file of DiscoveryServiceConfig documents and nothing else is a fragment, which Talos's
        // own fixture (testdata/discoveryserviceconfig.yaml) shows as valid: the identity may come
        // with the rest of the machine's config, so it is a warning there. With anything else of a
        // machine config beside it (validate_test.go "discovery without identity" has a
        // KubeSpanConfig), the missing identity is Talos's error.
        bool whole = !config.only_discovery_services();
        auto report = [&](const std::string& message) {
            if (whole)
                out.error(first.mark, first.path, message);
            else
                out.warning(first.mark, first.path, message);
        };
        if (cluster_id.empty())
            report("cluster ID (.cluster.id or DiscoveryIdentityConfig) should be set when cluster discovery "
                   "(DiscoveryServiceConfig) is enabled");
        if (cluster_secret.empty())
            report("cluster secret (.cluster.secret or DiscoveryIdentityConfig) should be set when cluster "
                   "discovery (DiscoveryServiceConfig) is enabled");
    }

    bool legacy_discovery = m && m->discovery && is_true(m->discovery->enabled);
    if (const Source* kubespan = kubespan_enabled_at(config);
        kubespan && config.discovery_services.empty() && !legacy_discovery)
        out.error(kubespan->mark, kubespan->path, "KubeSpan requires cluster discovery to be enabled");
}

}  // namespace

void check_discovery_documents(const Config& config, Diagnostics& out) {
    if (!config.has_discovery_documents()) return;
    for (const auto& d : config.discovery_services) check_discovery_service(d, out);
    for (const auto& d : config.discovery_identities) check_discovery_identity(d, out);
    check_conflicts_with_v1alpha1(config, out);
    check_discovery_needs(config, out);
}

}  // namespace nodenet::config
