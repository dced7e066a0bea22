// The daemon's part in cluster discovery: the node identity, the node's addresses and its own
// affiliate, one client per discovery service (from the module nodenet-discovery.so, loaded only
// when the config enables discovery), and what they report kept in a ClusterRegistry — what
// `nodenet get identities|affiliates|members|discoveryconfig|nodeaddresses` shows.
//
// Nothing a service sends can stop the network: a service that is down, slow or hostile costs
// log lines and retries; the daemon's loop only ever drains queued events.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "common/unique_fd.h"
#include "discovery/cluster_registry.h"
#include "discovery/discovery_settings.h"
#include "discovery/local_affiliate.h"
#include "discovery/service_client.h"
#include "loop/event_loop.h"

namespace nodenet::daemon::io {

// Knobs for tests and unusual deployments; Talos's values by default.
struct DiscoveryTuning {
    std::chrono::seconds ttl{30 * 60};
    std::chrono::seconds refresh{0};  // 0: half the TTL, as Talos
    std::chrono::milliseconds backoff_min{1000}, backoff_max{60000};
    std::string tls_roots_file;  // PEM; empty: the system's roots
};

class DiscoveryAgent {
public:
    // kind ("discovery", "affiliate"), object, what, error: the daemon's log and event stream.
    using Logger = std::function<void(const std::string&, const std::string&, const std::string&, bool)>;

    // `root`: where the machine's files are (--root): its os-release names the operating system.
    DiscoveryAgent(loop::EventLoop& loop, std::filesystem::path identity_file, std::filesystem::path root,
                   DiscoveryTuning tuning, Logger log);
    ~DiscoveryAgent();
    DiscoveryAgent(const DiscoveryAgent&) = delete;
    DiscoveryAgent& operator=(const DiscoveryAgent&) = delete;

    // Reads node-identity.yaml, creating it (0600, atomically) when there is none. A damaged file is
    // an error and is left as it is: a node's identity is never replaced behind the user's back.
    Status load_identity();
    const std::string& node_id() const { return node_id_; }

    // The config's discovery settings: clients started, restarted or stopped to match.
    void configure(const discovery::DiscoverySettings& settings);
    // The node as the daemon sees it after a reconcile; what changed is published.
    // `kubespan`: the KubeSpan part of the affiliate, while KubeSpan is on.
    void update_local(const discovery::NodeAddresses& addresses, const std::string& fqdn, const std::string& machine_type,
                      std::optional<discovery::KubeSpanPart> kubespan = std::nullopt);
    // KubeSpan's harvestExtraEndpoints: endpoints WireGuard saw other nodes use, published on
    // their behalf (Talos's rule), with the node's own affiliate.
    void set_harvested(std::vector<discovery::OtherEndpoints> others);
    // Called (from the loop) after the merged affiliates changed.
    void on_change(std::function<void()> f) { on_change_ = std::move(f); }
    const discovery::ClusterRegistry& registry() const { return registry_; }
    // This node's address as the first service that reported one sees it (Hello's client IP): an
    // endpoint KubeSpan announces, the public side of a NAT.
    std::optional<state::IpAddress> public_ip() const;
    // Whether the affiliates are known: some service delivered its snapshot (or none is
    // configured). Before that, an empty registry means "not heard yet", not "alone".
    bool synced() const;
    // AffiliateDelete at every service (`nodenet leave`); nothing more is published until the
    // daemon restarts or the discovery settings change.
    Status leave(std::chrono::milliseconds timeout);

    // The resources of one kind, as Talos names them: [{metadata: {...}, spec: {...}}]. Errors for
    // an unknown kind or namespace.
    Result<nlohmann::ordered_json> resources(const std::string& kind, const std::string& ns) const;
    nlohmann::ordered_json status_json() const;

private:
    struct Service {
        discovery::ServiceSettings settings;
        std::unique_ptr<discovery::ServiceClient> client;
        bool connected = false;
        std::string redirected_to;
        std::optional<state::IpAddress> client_ip;
        std::string last_error;
        size_t skipped = 0;
        std::map<std::string, std::string> skipped_reason;  // node ID → last reason logged
        bool snapshot_seen = false;
    };

    void start_services();
    void stop_services();
    void drain(Service& service);
    void note(const std::vector<discovery::AffiliateChange>& changes);
    void publish();

    loop::EventLoop& loop_;
    std::filesystem::path identity_file_, root_;
    DiscoveryTuning tuning_;
    Logger log_;
    std::string node_id_;
    std::string operating_system_;
    discovery::DiscoverySettings settings_;
    uint64_t settings_version_ = 0;
    std::vector<std::unique_ptr<Service>> services_;
    discovery::ClusterRegistry registry_;
    std::optional<discovery::Affiliate> local_;
    bool left_ = false;
    std::function<void()> on_change_;
    std::vector<discovery::OtherEndpoints> harvested_;
    std::map<std::string, discovery::Versioned<std::vector<state::IpPrefix>>> node_addresses_;
};

}  // namespace nodenet::daemon::io
