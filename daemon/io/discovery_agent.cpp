#include "daemon/io/discovery_agent.h"

#include <sys/random.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "common/module_loader.h"
#include "daemon/io/resource_json.h"
#include "discovery/io/discovery_module.h"
#include "discovery/node_identity.h"
#include "discovery/service_endpoint.h"
#include "store/atomic_file.h"

namespace nodenet::daemon::io {

using Json = nlohmann::ordered_json;
using discovery::Affiliate;
using discovery::AffiliateChange;

namespace {

constexpr const char* kClientVersion = "nodenet v0.1.0";

std::string addresses_text(const std::vector<state::IpAddress>& list) {
    std::string s;
    for (const auto& ip : list) s += (s.empty() ? "" : ", ") + ip.str();
    return s.empty() ? "no addresses" : s;
}

// Talos's AffiliateSpec in YAML/JSON field names.
Json affiliate_spec(const Affiliate& a) {
    Json s{{"nodeId", a.node_id}, {"addresses", ip_list(a.addresses)}, {"hostname", a.hostname},
           {"nodename", a.nodename}, {"operatingSystem", a.operating_system},
           {"machineType", std::string(discovery::machine_type_name(a.machine_type))}};
    if (a.has_kubespan()) {
        Json endpoints = Json::array();
        for (const auto& e : a.kubespan.endpoints) endpoints.push_back(e.str());
        s["kubespan"] = Json{{"publicKey", a.kubespan.public_key},
                             {"address", a.kubespan.address ? a.kubespan.address->str() : ""},
                             {"additionalAddresses", prefix_list(a.kubespan.additional_addresses)},
                             {"endpoints", endpoints},
                             {"excludeAdvertisedNetworks", prefix_list(a.kubespan.exclude_advertised_networks)}};
    }
    if (a.api_server_port) s["controlPlane"] = Json{{"apiServerPort", *a.api_server_port}};
    return s;
}

Json member_spec(const discovery::Member& m) {
    Json s{{"nodeId", m.node_id}, {"addresses", ip_list(m.addresses)}, {"hostname", m.hostname},
           {"machineType", std::string(discovery::machine_type_name(m.machine_type))},
           {"operatingSystem", m.operating_system}};
    if (m.api_server_port) s["controlPlane"] = Json{{"apiServerPort", *m.api_server_port}};
    return s;
}

}  // namespace

DiscoveryAgent::DiscoveryAgent(loop::EventLoop& loop, std::filesystem::path identity_file, std::filesystem::path root,
                               DiscoveryTuning tuning, Logger log)
    : loop_(loop), identity_file_(std::move(identity_file)), root_(std::move(root)),
      tuning_(std::move(tuning)), log_(std::move(log)) {
    // os-release(5): /etc/os-release, else /usr/lib/os-release.
    auto text = store::read_file(root_ / "etc/os-release");
    if (!text.ok()) text = store::read_file(root_ / "usr/lib/os-release");
    operating_system_ = discovery::os_pretty_name(text.ok() ? *text : "");
}

DiscoveryAgent::~DiscoveryAgent() { stop_services(); }

Status DiscoveryAgent::load_identity() {
    auto text = store::read_file(identity_file_);
    if (text.ok()) {
        auto id = discovery::parse_node_identity(*text, identity_file_.string());
        if (!id.ok()) return Error{id.error() + " (left as it is: remove it to give this node a new identity)"};
        node_id_ = *id;
        return success();
    }
    if (std::filesystem::exists(identity_file_)) return Error{text.error()};
    std::array<uint8_t, discovery::kNodeIdBytes> random{};
    if (getrandom(random.data(), random.size(), 0) != static_cast<ssize_t>(random.size()))
        return Error{std::string("node identity: getrandom: ") + std::strerror(errno)};
    std::string id = discovery::node_id_from_bytes(random);
    if (auto s = store::write_file_atomic(identity_file_, discovery::render_node_identity(id), 0600); !s.ok())
        return Error{"node identity: " + s.error()};
    node_id_ = id;
    log_("identity", "", "created node ID " + id + " in " + identity_file_.string(), false);
    return success();
}

void DiscoveryAgent::configure(const discovery::DiscoverySettings& settings) {
    bool first = settings_version_ == 0;
    if (!first && settings == settings_) return;
    bool same_services = !first && settings.services == settings_.services && settings.enabled == settings_.enabled &&
                         settings.cluster_id == settings_.cluster_id && settings.cluster_secret == settings_.cluster_secret;
    settings_ = settings;
    ++settings_version_;
    for (const std::string& w : settings_.warnings) log_("discovery", "config", w, true);
    if (same_services) return;
    stop_services();
    left_ = false;
    // Talos keeps the node's own affiliate only while some registry publishes it.
    note(registry_.clear());
    if (!settings_.publishes()) return;
    if (local_) note(registry_.set_local(*local_));
    start_services();
}

void DiscoveryAgent::start_services() {
    auto module = common::load_module<discovery::DiscoveryModule>();
    if (!module) {
        log_("discovery", "", "discovery is configured but cannot run: " + module.error(), true);
        return;
    }
    for (const discovery::ServiceSettings& s : settings_.services) {
        discovery::ClientOptions o;
        o.endpoint = s.endpoint;
        o.cluster_id = settings_.cluster_id;
        o.cluster_secret = settings_.cluster_secret;
        o.node_id = node_id_;
        o.client_version = kClientVersion;
        o.tls_roots_file = tuning_.tls_roots_file;
        o.ttl = tuning_.ttl;
        o.refresh = tuning_.refresh.count() > 0 ? tuning_.refresh : tuning_.ttl / 2;
        o.backoff_min = tuning_.backoff_min;
        o.backoff_max = tuning_.backoff_max;
        auto client = (*module)->make_client(o);
        if (!client) {
            log_("discovery", s.endpoint, "cannot start the client: " + client.error(), true);
            continue;
        }
        auto service = std::make_unique<Service>();
        service->settings = s;
        service->client = std::move(*client);
        Service* raw = service.get();
        if (auto st = loop_.add(raw->client->notify_fd(), EPOLLIN, [this, raw](uint32_t) { drain(*raw); }); !st.ok()) {
            log_("discovery", s.endpoint, "cannot watch the client: " + st.error(), true);
            continue;
        }
        services_.push_back(std::move(service));
        log_("discovery", s.endpoint, "connecting (cluster " + settings_.cluster_id + ")", false);
    }
    publish();
}

void DiscoveryAgent::stop_services() {
    for (auto& s : services_) {
        (void)loop_.remove(s->client->notify_fd());
        note(registry_.forget(s->settings.name));
    }
    services_.clear();  // each client cancels its calls
}

void DiscoveryAgent::publish() {
    if (!local_ || left_) return;
    for (auto& s : services_) s->client->set_local(*local_, harvested_);
}

void DiscoveryAgent::set_harvested(std::vector<discovery::OtherEndpoints> others) {
    if (others == harvested_) return;
    harvested_ = std::move(others);
    if (settings_.publishes()) publish();
}

void DiscoveryAgent::update_local(const discovery::NodeAddresses& addresses, const std::string& fqdn,
                                  const std::string& machine_type, std::optional<discovery::KubeSpanPart> kubespan) {
    auto keep = [this](const std::string& id, const std::vector<state::IpPrefix>& list) {
        auto it = node_addresses_.find(id);
        if (it == node_addresses_.end())
            node_addresses_.emplace(id, discovery::Versioned<std::vector<state::IpPrefix>>{list, 1});
        else if (it->second.spec != list)
            it->second.spec = list, ++it->second.version;
    };
    keep("current", addresses.current);
    keep("routed", addresses.routed);
    if (node_id_.empty()) return;
    discovery::LocalFacts facts{node_id_, addresses.routed, fqdn, machine_type, operating_system_};
    Affiliate local = discovery::local_affiliate(facts);
    if (kubespan) local.kubespan = std::move(*kubespan);
    if (local_ && *local_ == local) return;
    if (auto ok = discovery::check_affiliate(local); !ok.ok()) {
        log_("discovery", "", "this node's affiliate is not published: " + ok.error(), true);
        return;
    }
    local_ = local;
    if (!settings_.publishes()) return;
    note(registry_.set_local(local));
    publish();
}

Status DiscoveryAgent::leave(std::chrono::milliseconds timeout) {
    if (services_.empty()) return Error{"discovery is not running: nothing to leave"};
    std::string problems;
    for (auto& s : services_) {
        Status st = s->client->leave(timeout);
        if (!st.ok()) problems += (problems.empty() ? "" : "; ") + s->settings.endpoint + ": " + st.error();
    }
    left_ = true;
    log_("discovery", "", problems.empty() ? "left the cluster: this node's affiliate is deleted at every service"
                                           : "leaving the cluster failed: " + problems,
         !problems.empty());
    if (!problems.empty()) return Error{problems};
    return success();
}

void DiscoveryAgent::drain(Service& s) {
    const std::string& at = s.settings.endpoint;
    for (discovery::ClientEvent& e : s.client->take_events()) {
        using Kind = discovery::ClientEvent::Kind;
        switch (e.kind) {
            case Kind::Connected: {
                bool was = s.connected;
                s.connected = true;
                s.last_error.clear();
                s.redirected_to = e.redirected_to;
                s.client_ip = e.client_ip;
                std::string what = "connected";
                if (!e.redirected_to.empty()) what += ", redirected to " + e.redirected_to;
                if (e.client_ip) what += "; the service sees this node as " + e.client_ip->str();
                if (!was) log_("discovery", at, what, false);
                break;
            }
            case Kind::Disconnected:
                if (s.connected || s.last_error != e.message) log_("discovery", at, "disconnected: " + e.message + "; retrying", true);
                s.connected = false;
                s.last_error = e.message;
                break;
            case Kind::Snapshot: {
                bool first = !synced();
                s.snapshot_seen = true;
                note(registry_.replace(s.settings.name, e.affiliates));
                // The first snapshot tells "alone" from "not heard yet", even when it is empty.
                if (first && on_change_) on_change_();
                break;
            }
            case Kind::Upsert:
                for (const Affiliate& a : e.affiliates) note(registry_.upsert(s.settings.name, a));
                break;
            case Kind::Removed:
                note(registry_.remove(s.settings.name, e.node_id));
                break;
            case Kind::Skipped: {
                ++s.skipped;
                // Once per node and reason: a foreign cluster member re-publishing every 15 minutes
                // must not fill the log.
                std::string& last = s.skipped_reason[e.node_id];
                if (last != e.message) log_("discovery", at, "skipped affiliate " + e.node_id + ": " + e.message, true);
                last = e.message;
                if (s.skipped_reason.size() > 4096) s.skipped_reason.clear();
                break;
            }
            case Kind::Published:
                break;
            case Kind::Refused:
                if (s.last_error != e.message) log_("discovery", at, "refused: " + e.message, true);
                s.last_error = e.message;
                break;
        }
        for (const std::string& w : e.warnings) log_("discovery", at, w, true);
    }
}

bool DiscoveryAgent::synced() const {
    if (settings_version_ == 0) return false;  // the config's discovery settings are not applied yet
    if (services_.empty()) return true;
    for (const auto& s : services_)
        if (s->snapshot_seen) return true;
    return false;
}

std::optional<state::IpAddress> DiscoveryAgent::public_ip() const {
    for (const auto& s : services_)
        if (s->client_ip) return s->client_ip;
    return std::nullopt;
}

void DiscoveryAgent::note(const std::vector<AffiliateChange>& changes) {
    bool others = false;
    for (const AffiliateChange& c : changes) others |= c.node_id != node_id_;
    if (others && on_change_) on_change_();
    for (const AffiliateChange& c : changes) {
        if (c.kind == AffiliateChange::Kind::Left) {
            log_("affiliate", c.node_id, "left", false);
            continue;
        }
        const Affiliate& a = *c.now;
        std::string what = std::string(c.kind == AffiliateChange::Kind::Appeared ? "appeared" : "changed") + ": " +
                           (a.hostname.empty() ? "(no hostname)" : a.hostname) + ", " +
                           std::string(discovery::machine_type_name(a.machine_type)) + ", " + addresses_text(a.addresses);
        if (a.node_id == node_id_) what += " (this node)";
        log_("affiliate", c.node_id, what, false);
    }
}

Result<Json> DiscoveryAgent::resources(const std::string& kind, const std::string& ns) const {
    Json out = Json::array();
    auto check_ns = [&](const char* expected) -> Status {
        if (!ns.empty() && ns != expected) return Error{kind + " live in namespace " + expected + ", not " + ns};
        return success();
    };
    if (kind == "identities") {
        if (auto s = check_ns("cluster"); !s.ok()) return Error{s.error()};
        if (!node_id_.empty())
            out.push_back({{"metadata", resource_metadata("cluster", "Identities.cluster.talos.dev", "local", 1)},
                           {"spec", {{"nodeId", node_id_}}}});
    } else if (kind == "affiliates") {
        if (ns == "cluster-raw") {
            for (const auto& r : registry_.raw())
                out.push_back({{"metadata", resource_metadata("cluster-raw", "Affiliates.cluster.talos.dev", r.id, r.affiliate.version)},
                               {"spec", affiliate_spec(r.affiliate.spec)}});
        } else {
            if (auto s = check_ns("cluster"); !s.ok()) return Error{kind + " live in namespaces cluster and cluster-raw, not " + ns};
            for (const auto& [id, v] : registry_.merged())
                out.push_back({{"metadata", resource_metadata("cluster", "Affiliates.cluster.talos.dev", id, v.version)},
                               {"spec", affiliate_spec(v.spec)}});
        }
    } else if (kind == "members") {
        if (auto s = check_ns("cluster"); !s.ok()) return Error{s.error()};
        for (const auto& [id, v] : registry_.members())
            out.push_back({{"metadata", resource_metadata("cluster", "Members.cluster.talos.dev", id, v.version)},
                           {"spec", member_spec(v.spec)}});
    } else if (kind == "discoveryconfig") {
        if (auto s = check_ns("cluster"); !s.ok()) return Error{s.error()};
        // The endpoint as the client dials it (https://discovery.talos.dev/ → discovery.talos.dev:443);
        // one the client refuses is shown as written.
        std::string endpoint = settings_.services.empty() ? "" : settings_.services.front().endpoint;
        auto dialed = discovery::parse_service_endpoint(endpoint);
        // The cluster secret is not shown: status may be readable by more than root.
        out.push_back({{"metadata", resource_metadata("cluster", "DiscoveryConfigs.cluster.talos.dev", "config", settings_version_)},
                       {"spec", {{"discoveryEnabled", settings_.enabled},
                                 {"registryKubernetesEnabled", false},
                                 {"registryServiceEnabled", !settings_.services.empty()},
                                 {"serviceEndpoint", dialed ? dialed->target : endpoint},
                                 {"serviceEndpointInsecure", dialed && !dialed->tls},
                                 {"serviceClusterID", settings_.cluster_id}}}});
    } else if (kind == "nodeaddresses") {
        if (auto s = check_ns("network"); !s.ok()) return Error{s.error()};
        for (const auto& [id, v] : node_addresses_)
            out.push_back({{"metadata", resource_metadata("network", "NodeAddresses.net.talos.dev", id, v.version)},
                           {"spec", {{"addresses", prefix_list(v.spec)}}}});
    } else {
        return Error{"unknown kind " + kind};
    }
    return out;
}

Json DiscoveryAgent::status_json() const {
    Json services = Json::array();
    for (const auto& s : services_) {
        services.push_back({{"endpoint", s->settings.endpoint},
                            {"connected", s->connected},
                            {"redirected_to", s->redirected_to.empty() ? Json(nullptr) : Json(s->redirected_to)},
                            {"client_ip", s->client_ip ? Json(s->client_ip->str()) : Json(nullptr)},
                            {"last_error", s->last_error.empty() ? Json(nullptr) : Json(s->last_error)},
                            {"skipped_affiliates", s->skipped}});
    }
    return Json{{"enabled", settings_.enabled},
                {"node_id", node_id_},
                {"left", left_},
                {"affiliates", registry_.merged().size()},
                {"members", registry_.members().size()},
                {"services", services}};
}

}  // namespace nodenet::daemon::io
