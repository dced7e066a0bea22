#include "config/validate.h"

#include <map>
#include <thread>
#include <tuple>

#include "config/decode.h"
#include "config/go_syntax.h"
#include "schema/schema_check.h"

namespace nodenet::config {

namespace {

using schema::KindClass;

bool is_v1alpha1(const yaml::Node& root) {
    for (const char* key : {"machine", "cluster", "debug", "persist"})
        if (root.get(key)) return true;
    return false;
}

std::string scalar_text(const yaml::Node* n) { return n && n->is_scalar() ? n->value : std::string(); }

// Link kinds share one namespace of link names (Talos ConflictsWithKinds).
bool is_link_kind(const std::string& kind) {
    for (const char* k : {"LinkConfig", "BondConfig", "BridgeConfig", "DummyLinkConfig", "VLANConfig", "VRFConfig",
                          "WireguardConfig", "VethConfig"})
        if (kind == k) return true;
    return false;
}

// Below this many nodes a thread costs more than it saves.
constexpr uint64_t kParallelSchemaNodes = 20'000;

class Loader {
public:
    Loader(const schema::SchemaChecker& schema, Validation& result) : schema_(schema), result_(result) {}

    void document(const yaml::Node& root);
    void conflicts();

private:
    void v1alpha1(const yaml::Node& root);
    void network_document(const std::string& kind, const std::string& label, const yaml::Node& root);

    Diagnostics& out() { return result_.diagnostics; }

    const schema::SchemaChecker& schema_;
    Validation& result_;
    const yaml::Node* v1alpha1_ = nullptr;
    std::map<std::tuple<std::string, std::string>, const yaml::Node*> seen_;  // kind, name -> root
    struct Named {
        std::string kind, name;
        const yaml::Node* root;
    };
    std::vector<Named> named_;
};

void Loader::document(const yaml::Node& root) {
    if (root.is_null()) return;
    if (!root.is_mapping()) {
        out().error(root.mark, "", std::string("expected a YAML document (a mapping), found a ") + yaml::kind_name(root.kind));
        return;
    }
    if (is_v1alpha1(root)) return v1alpha1(root);

    const yaml::Node* kind_node = root.get("kind");
    const yaml::Node* api_node = root.get("apiVersion");
    std::string kind = scalar_text(kind_node), api = scalar_text(api_node);
    if (kind.empty()) return out().error(root.mark, "kind", "missing kind");
    if (api.empty()) return out().error(root.mark, "apiVersion", "missing apiVersion");
    KindClass cls = api == "v1alpha1" ? schema_.classify(kind) : KindClass::Unknown;
    if (cls == KindClass::Unknown) {
        // A known kind under another apiVersion: the apiVersion is what needs fixing.
        bool known_kind = schema_.classify(kind) != KindClass::Unknown;
        const yaml::Node* bad = known_kind ? api_node : kind_node;
        return out().error(bad->mark, known_kind ? "apiVersion" : "kind",
                           go::quote(kind) + " " + go::quote(api) + ": not registered");
    }

    std::string name = scalar_text(root.get("name"));
    std::string label = name.empty() ? kind : kind + "[" + name + "]";
    auto [it, fresh] = seen_.emplace(std::tuple{kind, name}, &root);
    if (!fresh)
        return out().error(root.mark, label, "duplicate document " + api + "/" + kind + "/" + name +
                                                 " is not allowed (line " + std::to_string(it->second->mark.line) + ")");
    named_.push_back(Named{kind, name, &root});
    if (cls == KindClass::Network) return network_document(kind, label, root);
    if (cls == KindClass::NetworkUnapplied)
        out().note(kind_node->mark, label, "nodenet does not apply " + kind + " documents yet; only its YAML was checked");
}

void Loader::v1alpha1(const yaml::Node& root) {
    if (v1alpha1_) {
        out().error(root.mark, "", "duplicate document /v1alpha1/ is not allowed (line " +
                                       std::to_string(v1alpha1_->mark.line) + ")");
        return;
    }
    v1alpha1_ = &root;
    // The schema pass and the decoding read the same immutable tree; on a long config (thousands
    // of routes) the schema pass runs on a second core meanwhile. Its findings go where a
    // sequential run would have put them, so the output does not depend on the timing.
    size_t at = out().size();
    if (root.expanded_size < kParallelSchemaNodes) {
        schema_.check("v1alpha1", root, "", out());
        result_.config.machine = decode_machine_config(root, out());
        return;
    }
    Diagnostics schema_findings;
    std::thread schema_pass([&] { schema_.check("v1alpha1", root, "", schema_findings); });
    result_.config.machine = decode_machine_config(root, out());
    schema_pass.join();
    out().insert(at, std::move(schema_findings));
}

template <class T>
Doc<T> make_doc(const Cursor& c, T spec) {
    return Doc<T>{c.source(), std::move(spec)};
}

void Loader::network_document(const std::string& kind, const std::string& label, const yaml::Node& root) {
    schema_.check(kind, root, label, out());
    Cursor c(&root, label, out());
    Config& cfg = result_.config;
    if (kind == "HostnameConfig") cfg.hostnames.push_back(make_doc(c, decode_hostname_doc(c)));
    else if (kind == "ResolverConfig") cfg.resolvers.push_back(make_doc(c, decode_resolver_doc(c)));
    else if (kind == "StaticHostConfig") cfg.static_hosts.push_back(make_doc(c, decode_static_host_doc(c)));
    else if (kind == "LinkConfig") cfg.links.push_back(make_doc(c, decode_link_doc(c)));
    else if (kind == "DHCPv4Config") cfg.dhcp.push_back(make_doc(c, decode_dhcp_doc(c, false)));
    else if (kind == "DHCPv6Config") cfg.dhcp.push_back(make_doc(c, decode_dhcp_doc(c, true)));
    else if (kind == "RoutingRuleConfig") cfg.routing_rules.push_back(make_doc(c, decode_routing_rule_doc(c)));
    else if (kind == "KubeSpanConfig") cfg.kubespan.push_back(make_doc(c, decode_kubespan_doc(c)));
    else if (kind == "KubeSpanEndpointsConfig")
        cfg.kubespan_endpoints.push_back(make_doc(c, decode_kubespan_endpoints_doc(c)));
    else if (kind == "DiscoveryServiceConfig")
        cfg.discovery_services.push_back(make_doc(c, decode_discovery_service_doc(c)));
    else if (kind == "DiscoveryIdentityConfig")
        cfg.discovery_identities.push_back(make_doc(c, decode_discovery_identity_doc(c)));
}

// Container-level conflicts between documents (reference §1 step 5).
void Loader::conflicts() {
    for (size_t i = 0; i < named_.size(); ++i)
        for (size_t j = 0; j < i; ++j) {
            const Named& a = named_[j];
            const Named& b = named_[i];
            if (a.name.empty() || a.name != b.name || a.kind == b.kind) continue;
            bool vips = (a.kind == "Layer2VIPConfig" && b.kind == "HCloudVIPConfig") ||
                        (a.kind == "HCloudVIPConfig" && b.kind == "Layer2VIPConfig");
            if (vips || (is_link_kind(a.kind) && is_link_kind(b.kind)))
                out().error(b.root->mark, b.kind + "[" + b.name + "]",
                            "conflicting documents: " + a.kind + "/" + a.name + " and " + b.kind + "/" + b.name);
        }
}

void check_machine(const MachineConfig& m, const Config& config, const Options& options, Diagnostics& out) {
    if (m.discovery) check_discovery(*m.discovery, m, out);
    check_container_mode(m, options.mode, out);
    check_machine_type(m, out);
    check_worker_vips(m, out);
    if (m.network) check_devices(*m.network, out);
    check_kubespan(m, config.has_discovery_documents(), out);
    check_beyond_talos(m, out);
}

}  // namespace

std::string too_large_message(std::optional<uint64_t> size) {
    std::string limit = "over the limit of " + std::to_string(kMaxConfigBytes) + " bytes";
    return size ? "config is " + std::to_string(*size) + " bytes, " + limit : "config is " + limit;
}

Validation validate(std::string_view text, const schema::SchemaChecker& schema, const Options& options) {
    Validation result;
    Diagnostics& out = result.diagnostics;
    if (text.size() > kMaxConfigBytes) {
        out.error(yaml::Mark{1, 1}, "", too_large_message(text.size()));
        return result;
    }
    yaml::Stream stream;
    yaml::SyntaxError syntax;
    if (!yaml::parse(text, stream, syntax)) {
        out.error(syntax.mark, "", "YAML: " + syntax.message);
        return result;
    }
    Loader loader(schema, result);
    bool any = false;
    for (const yaml::Document& doc : stream.documents) {
        any = any || !doc.root->is_null();
        loader.document(*doc.root);
    }
    if (!any) out.error(yaml::Mark{1, 1}, "", "config not found");
    loader.conflicts();
    if (result.config.machine) check_machine(*result.config.machine, result.config, options, out);
    check_documents(result.config, out);
    check_discovery_documents(result.config, out);
    check_names(result.config, out);
    if (options.strict) out.promote_warnings();
    out.sort();
    return result;
}

}  // namespace nodenet::config
