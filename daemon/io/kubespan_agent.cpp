#include "daemon/io/kubespan_agent.h"

#include <sys/random.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <set>

#include "daemon/io/resource_json.h"
#include "kubespan/announced_endpoints.h"
#include "kubespan/kubespan_address.h"
#include "kubespan/constants.h"
#include "kubespan/mesh.h"
#include "kubespan/io/nft_table.h"
#include "kubespan/nft_ruleset.h"
#include "store/atomic_file.h"
#include "wireguard/device.h"
#include "wireguard/key.h"

namespace nodenet::daemon::io {

namespace {

using Json = nlohmann::ordered_json;
using Clock = std::chrono::system_clock;

constexpr const char* kPodCidrsFile = "pod-cidrs";

// Talos's rule for the host part of the KubeSpan address: the first physical link's hardware
// address, by name. A machine whose links are all virtual (a container, a test namespace) takes its
// first Ethernet-like link instead, so that KubeSpan runs there too.
std::string first_hardware_address(const state::KernelState& kernel) {
    std::vector<const state::ObservedLink*> links;
    for (const state::ObservedLink& l : kernel.links)
        if (l.hardware_addr.size() == 17 && l.hardware_addr != "00:00:00:00:00:00" && l.name != kubespan::kLinkName)
            links.push_back(&l);
    std::sort(links.begin(), links.end(), [](auto* a, auto* b) { return a->name < b->name; });
    for (const auto* l : links)
        if (l->physical) return l->permanent_addr.size() == 17 ? l->permanent_addr : l->hardware_addr;
    return links.empty() ? "" : links.front()->hardware_addr;
}

// The kubespan link's device among the mesh's specs (build_mesh makes one).
wireguard::DeviceConfig* mesh_device(kubespan::Mesh& mesh) {
    for (state::Link& l : mesh.specs.links)
        if (l.name == kubespan::kLinkName && l.wireguard) return &*l.wireguard;
    return nullptr;
}

std::string time_text(Clock::time_point t) {
    if (t == Clock::time_point{}) return "";
    std::time_t s = Clock::to_time_t(t);
    std::tm tm{};
    gmtime_r(&s, &tm);
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
    return buf;
}

Json endpoint_list(const std::vector<discovery::Endpoint>& list) {
    Json a = Json::array();
    for (const auto& e : list) a.push_back(e.str());
    return a;
}

}  // namespace

KubeSpanAgent::KubeSpanAgent(loop::EventLoop& loop, std::filesystem::path state_dir, KubeSpanTuning tuning, Logger log,
                             std::function<void()> tick)
    : loop_(loop), state_dir_(std::move(state_dir)), tuning_(std::move(tuning)), log_(std::move(log)), tick_(std::move(tick)) {
    auto timer = loop::Timer::open(loop_, [this] {
        if (!enabled()) return;
        timer_->arm_in(tuning_.tick);
        tick_();
    });
    if (timer.ok()) timer_ = std::move(*timer);
    else log_("kubespan", "", "no tick timer: " + timer.error(), true);
}

KubeSpanAgent::~KubeSpanAgent() = default;

void KubeSpanAgent::configure(const kubespan::KubeSpanSettings& settings, const state::KernelState& links) {
    bool was = enabled();
    bool first = !configured_once_;
    configured_once_ = true;
    bool changed = first || settings.enabled != settings_.enabled || settings.cluster_id != settings_.cluster_id ||
                   settings.warnings != settings_.warnings;
    settings_ = settings;
    if (changed)
        for (const std::string& w : settings_.warnings) log_("kubespan", "config", w, true);
    if (!settings_.enabled) {
        identity_.reset();
        peers_.clear();
        statuses_.clear();
        observed_.clear();
        device_peers_.reset();
        if (timer_) timer_->disarm();
        // A daemon started after KubeSpan was turned off finds the table of its last run: the
        // identity file says that this machine had KubeSpan once.
        if (was || (first && std::filesystem::exists(state_dir_ / kubespan::kIdentityFileName))) remove_nftables();
        if (was) log_("kubespan", "", "disabled: the kubespan link, its routes, rules and nftables table are removed", false);
        return;
    }
    std::string mac = first_hardware_address(links);
    if (mac.empty()) {
        if (changed) log_("kubespan", "", "enabled, but no link has a hardware address for the KubeSpan address yet", true);
        return;
    }
    auto subnet = kubespan::kubespan_prefix(settings_.cluster_id);
    std::optional<state::IpAddress> want = subnet.ok() ? kubespan::kubespan_address(*subnet, mac) : std::nullopt;
    if (!identity_ || changed || !identity_->address || identity_->address->addr != want) {
        if (Status s = load_identity(mac); !s.ok()) {
            log_("kubespan", "identity", s.error(), true);
            identity_.reset();
            return;
        }
    }
    if (!was && enabled()) {
        log_("kubespan", "", "enabled: public key " + wireguard::to_base64(identity_->public_key) + ", address " +
                                 identity_->address->addr.str(), false);
        if (timer_) timer_->arm_in(tuning_.tick);
    }
}

Status KubeSpanAgent::load_identity(const std::string& mac) {
    std::filesystem::path file = state_dir_ / kubespan::kIdentityFileName;
    Result<kubespan::Identity> identity = Error{""};
    auto text = store::read_file(file);
    bool fresh = false;
    if (text.ok()) {
        // A damaged file is left for the user to look at: a new key would silently cut this node
        // off from every peer that knows the old one.
        identity = kubespan::parse_identity_file(*text, file.string());
        if (!identity.ok()) return Error{identity.error() + " (left as it is; remove it for a new key)"};
    } else if (std::filesystem::exists(file)) {
        return Error{file.string() + ": " + text.error()};
    } else {
        std::array<uint8_t, wireguard::kKeyLength> random{};
        if (getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size()))
            return Error{std::string("KubeSpan key: getrandom: ") + std::strerror(errno)};
        identity = kubespan::new_identity(random);
        if (!identity.ok()) return Error{"KubeSpan key: " + identity.error()};
        fresh = true;
    }
    // Talos recomputes the address on every boot: the cluster or the first link may have changed.
    auto subnet = kubespan::kubespan_prefix(settings_.cluster_id);
    if (!subnet.ok()) return Error{"KubeSpan address: " + subnet.error()};
    auto placed = kubespan::with_address(*identity, *subnet, mac);
    if (!placed.ok()) return Error{"KubeSpan address: " + placed.error()};
    bool moved = identity->address != placed->address || identity->subnet != placed->subnet;
    if (fresh || moved) {
        if (auto st = store::write_file_atomic(file, kubespan::render_identity_file(*placed), 0600); !st.ok())
            return Error{"KubeSpan identity: " + st.error()};
        if (fresh) log_("identity", "kubespan", "created a WireGuard key in " + file.string(), false);
    }
    identity_ = *placed;
    ++identity_version_;
    return success();
}

std::vector<state::IpPrefix> KubeSpanAgent::pod_cidrs() const {
    std::vector<state::IpPrefix> out = tuning_.pod_cidrs;
    // What a CNI or kubelet hook writes: one prefix a line. Read at every plan (a few bytes), so a
    // change is published with the next plan or tick.
    auto text = store::read_file(state_dir_ / kPodCidrsFile);
    if (!text.ok()) return out;
    size_t pos = 0;
    while (pos < text->size()) {
        size_t end = text->find('\n', pos);
        if (end == std::string::npos) end = text->size();
        std::string line = text->substr(pos, end - pos);
        pos = end + 1;
        line.erase(0, line.find_first_not_of(" \t\r"));
        line.erase(line.find_last_not_of(" \t\r") + 1);
        if (line.empty() || line[0] == '#') continue;
        if (auto p = state::parse_ip_prefix(line)) out.push_back(p->masked());
    }
    return out;
}

std::optional<state::LayeredSpecs> KubeSpanAgent::layer(const std::vector<discovery::Affiliate>& merged,
                                                         const std::string& own_node_id, bool affiliates_known) {
    if (!enabled()) return std::nullopt;
    affiliates_known_ = affiliates_known;
    if (!affiliates_known) {
        kubespan::Mesh mesh = kubespan::build_mesh({settings_, *identity_, {}, {}});
        // The device's peers as they are: written back unchanged, they cost nothing.
        if (wireguard::DeviceConfig* device = mesh_device(mesh); device && device_peers_) {
            device->peers = *device_peers_;
            for (wireguard::PeerConfig& p : device->peers) p.keep_current_endpoint = true;
        }
        return std::move(mesh.specs);
    }
    auto now = Clock::now();
    kubespan::PeerSpecs specs = kubespan::peer_specs(merged, own_node_id);
    if (specs.warnings != warnings_)
        for (const std::string& w : specs.warnings) log_("kubespan", "peers", w, true);
    warnings_ = specs.warnings;

    std::map<std::string, kubespan::PeerStatus> statuses;
    std::set<std::string> rotated;
    for (const kubespan::PeerSpec& p : specs.peers) {
        auto old = std::find_if(peers_.begin(), peers_.end(), [&](const auto& q) { return q.public_key == p.public_key; });
        if (old == peers_.end()) {
            log_("kubespan", p.label, "peer " + p.public_key + " added", false);
            peer_versions_[p.public_key] = 1;
        } else if (!(old->allowed_ips == p.allowed_ips && old->endpoints == p.endpoints && old->label == p.label)) {
            ++peer_versions_[p.public_key];
        }
        std::optional<kubespan::Observed> seen;
        if (auto it = observed_.find(p.public_key); it != observed_.end()) seen = it->second;
        kubespan::PeerStatus status;
        if (auto it = statuses_.find(p.public_key); it != statuses_.end()) {
            status = it->second;
        } else if (seen && seen->endpoint &&
                   std::find(p.endpoints.begin(), p.endpoints.end(), *seen->endpoint) != p.endpoints.end()) {
            // A peer the device already has (a restarted daemon): its endpoint is adopted as if
            // picked long ago, so the handshakes decide its state and nothing is re-picked.
            status.endpoint = status.last_used_endpoint = seen->endpoint;
        }
        status.label = p.label;
        kubespan::PeerState was = status.state;
        kubespan::EndpointUpdate update = kubespan::rotate_endpoint(status, p, seen, now, tuning_.timers);
        if (update.rotated) rotated.insert(p.public_key);
        if (update.rotated && status.last_used_endpoint) log_("kubespan", p.label, "trying endpoint " + status.last_used_endpoint->str(), false);
        if (status.state != was && !(update.rotated && status.state == kubespan::PeerState::Unknown))
            log_("kubespan", p.label, std::string("peer ") + kubespan::peer_state_name(status.state) +
                                          (status.endpoint ? " (endpoint " + status.endpoint->str() + ")" : ""),
                 status.state == kubespan::PeerState::Down);
        if (auto prev = statuses_.find(p.public_key); prev == statuses_.end() || !(prev->second == status))
            ++status_versions_[p.public_key];
        statuses.emplace(p.public_key, std::move(status));
    }
    for (const kubespan::PeerSpec& p : peers_)
        if (!statuses.count(p.public_key)) {
            log_("kubespan", p.label, "peer " + p.public_key + " removed", false);
            peer_versions_.erase(p.public_key);
            status_versions_.erase(p.public_key);
            observed_.erase(p.public_key);
        }
    peers_ = std::move(specs.peers);
    statuses_ = std::move(statuses);

    kubespan::Mesh mesh = kubespan::build_mesh({settings_, *identity_, peers_, statuses_});
    // Only a new pick is written over what the device uses; otherwise the endpoint only seeds a
    // peer that has none, so a roam that happened since the device was read is never undone.
    if (wireguard::DeviceConfig* device = mesh_device(mesh))
        for (wireguard::PeerConfig& p : device->peers) p.keep_current_endpoint = !rotated.count(wireguard::to_base64(p.public_key));
    routed_v4_ = std::move(mesh.routed.v4);
    routed_v6_ = std::move(mesh.routed.v6);
    return std::move(mesh.specs);
}

void KubeSpanAgent::note_device(const wireguard::DeviceConfig& device) {
    if (!enabled()) return;
    std::map<std::string, kubespan::Observed> observed;
    device_peers_ = device.peers;
    for (const wireguard::PeerConfig& p : device.peers) {
        kubespan::Observed o;
        if (auto e = wireguard::parse_endpoint(p.endpoint)) o.endpoint = discovery::Endpoint{e->address, e->port};
        if (p.stats.handshake_done())
            o.last_handshake = Clock::time_point(std::chrono::duration_cast<Clock::duration>(
                std::chrono::seconds(p.stats.last_handshake_sec) + std::chrono::nanoseconds(p.stats.last_handshake_nsec)));
        o.rx = p.stats.rx_bytes;
        o.tx = p.stats.tx_bytes;
        observed[wireguard::to_base64(p.public_key)] = o;
    }
    observed_ = std::move(observed);
}

void KubeSpanAgent::observe(const state::KernelState& kernel) {
    if (!enabled()) return;
    if (const state::ObservedLink* link = kernel.link(kubespan::kLinkName); link && link->wireguard)
        note_device(*link->wireguard);
    // Before the affiliates are known the routed set is unknown too: the table stays as it is.
    if (affiliates_known_) apply_nftables();
}

void KubeSpanAgent::apply_nftables() {
    kubespan::NftRuleset want{routed_v4_, routed_v6_, settings_.mtu};
    bool changed = false;
    Status s = kubespan::io::apply_nft_ruleset(want, &changed);
    if (!s.ok()) {
        if (s.error() != nft_error_) log_("kubespan", "nftables", s.error(), true);
        nft_error_ = s.error();
        return;
    }
    nft_error_.clear();
    if (changed)
        log_("kubespan", "nftables", "routed set: " + std::to_string(routed_v4_.size()) + " IPv4 and " +
                                         std::to_string(routed_v6_.size()) + " IPv6 prefixes",
             false);
}

void KubeSpanAgent::remove_nftables() {
    if (Status s = kubespan::io::remove_nft_ruleset(); !s.ok()) log_("kubespan", "nftables", s.error(), true);
    routed_v4_.clear();
    routed_v6_.clear();
}

std::optional<discovery::KubeSpanPart> KubeSpanAgent::local_part(const discovery::NodeAddresses& addresses,
                                                                 const std::optional<state::IpAddress>& public_ip) const {
    if (!enabled()) return std::nullopt;
    std::optional<state::IpAddress> own;
    if (identity_->address) own = identity_->address->addr;
    auto endpoints = kubespan::announced_endpoints(addresses.current, own, public_ip, settings_);
    // A filter that does not parse was refused by validation; should one get here, the node still
    // publishes its key and address, without endpoints (the others may reach it, or it them).
    return kubespan::local_kubespan_part(*identity_, settings_, pod_cidrs(),
                                         endpoints.ok() ? std::move(*endpoints) : std::vector<discovery::Endpoint>{});
}

std::optional<Result<Json>> KubeSpanAgent::resources(const std::string& kind, const std::string& ns) const {
    static const char* kinds[] = {"kubespanidentities", "kubespanpeerspecs", "kubespanpeerstatuses", "kubespanendpoints"};
    if (std::find(std::begin(kinds), std::end(kinds), kind) == std::end(kinds)) return std::nullopt;
    if (!ns.empty() && ns != "kubespan") return Result<Json>(Error{kind + " live in namespace kubespan, not " + ns});
    Json out = Json::array();
    if (kind == "kubespanidentities") {
        // The private key is not shown: status may be readable by more than root.
        if (identity_)
            out.push_back({{"metadata", resource_metadata("kubespan", "KubeSpanIdentities.kubespan.talos.dev", "local", identity_version_)},
                           {"spec", {{"address", identity_->address ? identity_->address->str() : ""},
                                     {"subnet", identity_->subnet ? identity_->subnet->str() : ""},
                                     {"publicKey", wireguard::to_base64(identity_->public_key)}}}});
    } else if (kind == "kubespanpeerspecs") {
        for (const kubespan::PeerSpec& p : peers_) {
            auto v = peer_versions_.find(p.public_key);
            out.push_back({{"metadata", resource_metadata("kubespan", "KubeSpanPeerSpecs.kubespan.talos.dev", p.public_key,
                                                          v == peer_versions_.end() ? 1 : v->second)},
                           {"spec", {{"allowedIPs", prefix_list(p.allowed_ips)},
                                     {"endpoints", endpoint_list(p.endpoints)},
                                     {"label", p.label}}}});
        }
    } else if (kind == "kubespanpeerstatuses") {
        for (const auto& [key, s] : statuses_) {
            auto v = status_versions_.find(key);
            out.push_back({{"metadata", resource_metadata("kubespan", "KubeSpanPeerStatuses.kubespan.talos.dev", key,
                                                          v == status_versions_.end() ? 1 : v->second)},
                           {"spec", {{"endpoint", s.endpoint ? s.endpoint->str() : ""},
                                     {"label", s.label},
                                     {"state", kubespan::peer_state_name(s.state)},
                                     {"receiveBytes", s.rx_bytes},
                                     {"transmitBytes", s.tx_bytes},
                                     {"lastHandshakeTime", time_text(s.last_handshake)},
                                     {"lastUsedEndpoint", s.last_used_endpoint ? s.last_used_endpoint->str() : ""},
                                     {"lastEndpointChange", time_text(s.last_endpoint_change)}}}});
        }
    } else {  // kubespanendpoints: what this node harvests for its peers (harvestExtraEndpoints)
        for (const discovery::OtherEndpoints& h : harvested())
            for (const discovery::Endpoint& e : h.endpoints)
                out.push_back({{"metadata", resource_metadata("kubespan", "KubeSpanEndpoints.kubespan.talos.dev", h.node_id, 1)},
                               {"spec", {{"affiliateID", h.node_id}, {"endpoint", e.str()}}}});
    }
    return Result<Json>(std::move(out));
}

std::vector<discovery::OtherEndpoints> KubeSpanAgent::harvested() const {
    std::vector<discovery::OtherEndpoints> out;
    if (!enabled() || !settings_.harvest_extra_endpoints) return out;
    for (const kubespan::PeerSpec& p : peers_) {
        auto s = statuses_.find(p.public_key);
        auto o = observed_.find(p.public_key);
        if (s == statuses_.end() || s->second.state != kubespan::PeerState::Up || o == observed_.end() || !o->second.endpoint)
            continue;
        out.push_back({p.node_id, {*o->second.endpoint}});
    }
    return out;
}

Json KubeSpanAgent::status_json() const {
    size_t up = 0;
    for (const auto& [k, s] : statuses_) up += s.state == kubespan::PeerState::Up;
    return Json{{"enabled", enabled()},
                {"public_key", identity_ ? Json(wireguard::to_base64(identity_->public_key)) : Json(nullptr)},
                {"address", identity_ && identity_->address ? Json(identity_->address->addr.str()) : Json(nullptr)},
                {"peers", peers_.size()},
                {"peers_up", up},
                {"routed_prefixes", routed_v4_.size() + routed_v6_.size()},
                {"nftables_error", nft_error_.empty() ? Json(nullptr) : Json(nft_error_)}};
}

}  // namespace nodenet::daemon::io
