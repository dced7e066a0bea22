// The daemon's part in KubeSpan (reference: talos-network-engine.md §3): the WireGuard identity,
// the peers built from the discovery affiliates, their state and endpoint rotation, the layer of
// desired state the mesh adds to each plan (link `kubespan`, its address, table 180, the fwmark
// rules) and the nftables table that marks traffic into it.
//
// The pure work (peer specs, state machine, rotation, the mesh's objects, the ruleset) is in
// kubespan/; this class keeps the state between plans, the identity file and the 30 s tick, and
// answers `nodenet get kubespan*`.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"
#include "discovery/affiliate.h"
#include "discovery/local_affiliate.h"
#include "discovery/service_client.h"
#include "kubespan/kubespan_identity.h"
#include "kubespan/kubespan_settings.h"
#include "kubespan/peer_spec.h"
#include "kubespan/peer_status.h"
#include "loop/event_loop.h"
#include "state/layers.h"
#include "state/objects.h"
#include "wireguard/device.h"

namespace nodenet::daemon::io {

// Knobs for tests; Talos's values by default.
struct KubeSpanTuning {
    std::chrono::seconds tick{30};          // Talos's DefaultPeerReconcileInterval
    kubespan::PeerTimers timers;            // 275 s down, 15 s connection timeout
    std::vector<state::IpPrefix> pod_cidrs;  // --pod-cidrs: what advertiseKubernetesNetworks publishes
};

class KubeSpanAgent {
public:
    // kind, object, what, error: the daemon's log and event stream.
    using Logger = std::function<void(const std::string&, const std::string&, const std::string&, bool)>;

    // `tick`: asks the daemon for a plan (every tuning.tick while KubeSpan is on).
    KubeSpanAgent(loop::EventLoop& loop, std::filesystem::path state_dir, KubeSpanTuning tuning, Logger log,
                  std::function<void()> tick);
    ~KubeSpanAgent();
    KubeSpanAgent(const KubeSpanAgent&) = delete;
    KubeSpanAgent& operator=(const KubeSpanAgent&) = delete;

    // The config's settings, with the kernel's links to find the first hardware address. Loads or
    // creates kubespan-identity.yaml when KubeSpan is on; when it goes off, the nftables table goes
    // (the plan removes the link, routes and rules: they are owned objects that left the layer).
    void configure(const kubespan::KubeSpanSettings& settings, const state::KernelState& links);
    bool enabled() const { return settings_.enabled && identity_.has_value(); }

    // Before a plan: peers from the merged affiliates (the node's own skipped), endpoints rotated
    // by the state the last observe() saw; the mesh's objects at the operator layer.
    // `affiliates_known` false (discovery has not answered yet since the daemon started): the
    // device keeps the peers it has and nftables its table, so that a restart writes nothing and
    // the mesh survives a discovery service that is down at boot.
    std::optional<state::LayeredSpecs> layer(const std::vector<discovery::Affiliate>& merged, const std::string& own_node_id,
                                             bool affiliates_known);
    // After a plan (applied or found empty): each peer's handshake, traffic and endpoint as
    // WireGuard reports them (for the next pass), and the routed set written to nftables.
    void observe(const state::KernelState& kernel);
    // The device as read just before a pass: each peer's endpoint in use, handshake and traffic
    // (a restarted daemon adopts the endpoints its peers use instead of re-picking them).
    void note_device(const wireguard::DeviceConfig& device);

    // What this node publishes in its affiliate: nullopt while KubeSpan is off.
    std::optional<discovery::KubeSpanPart> local_part(const discovery::NodeAddresses& addresses,
                                                      const std::optional<state::IpAddress>& public_ip) const;

    // harvestExtraEndpoints: each up peer's endpoint as WireGuard sees it, by the peer's node ID
    // (empty when the setting is off).
    std::vector<discovery::OtherEndpoints> harvested() const;

    // kubespanidentities, kubespanpeerspecs, kubespanpeerstatuses, kubespanendpoints; nullopt for
    // another kind.
    std::optional<Result<nlohmann::ordered_json>> resources(const std::string& kind, const std::string& ns) const;
    nlohmann::ordered_json status_json() const;

private:
    Status load_identity(const std::string& mac);
    void apply_nftables();
    void remove_nftables();
    std::vector<state::IpPrefix> pod_cidrs() const;

    loop::EventLoop& loop_;
    std::filesystem::path state_dir_;
    KubeSpanTuning tuning_;
    Logger log_;
    std::function<void()> tick_;
    std::unique_ptr<loop::Timer> timer_;

    kubespan::KubeSpanSettings settings_;
    bool configured_once_ = false;
    std::optional<kubespan::Identity> identity_;
    uint64_t identity_version_ = 0;
    std::vector<kubespan::PeerSpec> peers_;
    std::map<std::string, uint64_t> peer_versions_;         // public key → changes of its spec
    std::map<std::string, kubespan::PeerStatus> statuses_;   // public key → status
    std::map<std::string, uint64_t> status_versions_;
    std::map<std::string, kubespan::Observed> observed_;     // public key → what WireGuard reported last
    bool affiliates_known_ = false;
    std::optional<std::vector<wireguard::PeerConfig>> device_peers_;  // as last read
    std::vector<std::string> warnings_;
    std::vector<state::IpPrefix> routed_v4_, routed_v6_;
    std::string nft_error_;
};

}  // namespace nodenet::daemon::io
