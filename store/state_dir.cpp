#include "store/state_dir.h"

#include <nlohmann/json.hpp>

#include "plan/sync_digest.h"
#include "store/atomic_file.h"

namespace nodenet::state {

NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BridgeSettings, stp, vlan_filtering)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(VlanSettings, parent, id, q_in_q)
NLOHMANN_DEFINE_TYPE_NON_INTRUSIVE(BondSettings, mode, xmit_hash_policy, lacp_rate, arp_validate, arp_all_targets,
                                   primary, primary_reselect, fail_over_mac, ad_select, miimon, updelay, downdelay,
                                   arp_interval, resend_igmp, min_links, lp_interval, packets_per_slave,
                                   peer_notify_delay, num_peer_notif, tlb_dynamic_lb, all_slaves_active, use_carrier,
                                   ad_actor_sys_prio, ad_user_port_key)

}  // namespace nodenet::state

namespace nodenet::store {

namespace {

constexpr const char* kLinksFile = "links.json";
constexpr const char* kSyncFile = "in-sync.json";

template <class T>
void put(nlohmann::json& j, const char* key, const std::optional<T>& v) {
    if (v) j[key] = *v;
}

template <class T>
void get(const nlohmann::json& j, const char* key, std::optional<T>& v) {
    if (j.contains(key)) v = j.at(key).get<T>();
}

// WireGuard keys stay out of the file: a link is recreated from it only on rollback, and the
// next apply sets the keys again.
nlohmann::json to_json(const state::Link& l) {
    nlohmann::json j = {{"name", l.name}, {"kind", static_cast<int>(l.kind)}};
    put(j, "mtu", l.mtu);
    put(j, "bridge", l.bridge);
    put(j, "bond", l.bond);
    put(j, "vlan", l.vlan);
    return j;
}

state::Link link_from_json(const nlohmann::json& j) {
    state::Link l;
    l.name = j.at("name").get<std::string>();
    l.kind = static_cast<state::LinkKind>(j.at("kind").get<int>());
    get(j, "mtu", l.mtu);
    get(j, "bridge", l.bridge);
    get(j, "bond", l.bond);
    get(j, "vlan", l.vlan);
    l.origin.source = "created by nodenet";
    return l;
}

}  // namespace

Result<plan::Ownership> StateDir::load_ownership() const {
    std::filesystem::path file = dir_ / kLinksFile;
    plan::Ownership owned;
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) return owned;
    auto text = read_file(file);
    if (!text.ok()) return Error{text.error()};
    try {
        nlohmann::json doc = nlohmann::json::parse(*text);
        for (const auto& j : doc.at("created_links")) owned.created_links.push_back(link_from_json(j));
        if (doc.contains("recorded_addresses"))
            for (const auto& j : doc.at("recorded_addresses")) {
                auto prefix = state::parse_ip_prefix(j.at("address").get<std::string>());
                if (!prefix) return Error{file.string() + ": damaged: bad address " + j.at("address").dump()};
                owned.recorded_addresses.insert(state::AddressKey{j.at("link").get<std::string>(), *prefix});
            }
        if (doc.contains("resolved_links"))
            for (const auto& j : doc.at("resolved_links")) owned.resolved_links.insert(j.get<std::string>());
    } catch (const nlohmann::json::exception& e) {
        return Error{file.string() + ": damaged: " + e.what()};
    }
    return owned;
}

namespace {

std::string ownership_text(const plan::Ownership& owned) {
    nlohmann::json links = nlohmann::json::array();
    for (const state::Link& l : owned.created_links) links.push_back(to_json(l));
    nlohmann::json doc = {{"created_links", links}};
    // Only on kernels that drop IFA_PROTO (before 5.18); absent otherwise.
    if (!owned.recorded_addresses.empty()) {
        nlohmann::json addresses = nlohmann::json::array();
        for (const auto& [link, prefix] : owned.recorded_addresses)
            addresses.push_back({{"link", link}, {"address", prefix.str()}});
        doc["recorded_addresses"] = addresses;
    }
    if (!owned.resolved_links.empty()) doc["resolved_links"] = owned.resolved_links;
    return doc.dump(2) + "\n";
}

}  // namespace

Status StateDir::save_ownership(const plan::Ownership& owned) const {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Error{dir_.string() + ": " + ec.message()};
    return write_file_atomic(dir_ / kLinksFile, ownership_text(owned), 0600);
}

std::string StateDir::ownership_digest(const plan::Ownership& owned) {
    return plan::text_digest(ownership_text(owned));
}

std::optional<SyncRecord> StateDir::load_sync_record() const {
    auto text = read_file(dir_ / kSyncFile);
    if (!text.ok()) return std::nullopt;
    try {
        nlohmann::json j = nlohmann::json::parse(*text);
        SyncRecord r;
        j.at("config").get_to(r.config_digest);
        j.at("program").get_to(r.program);
        j.at("ownership").get_to(r.ownership_digest);
        j.at("kernel").get_to(r.kernel_digest);
        j.at("links").get_to(r.links);
        j.at("tables").get_to(r.tables);
        j.at("owned_protocol").get_to(r.owned_protocol);
        r.routes = j.value("routes", size_t{0});  // absent from records of earlier versions
        j.at("desired_warnings").get_to(r.desired_warnings);
        j.at("plan_warnings").get_to(r.plan_warnings);
        return r;
    } catch (const nlohmann::json::exception&) {
        return std::nullopt;
    }
}

// Not fsynced: after a crash the record may be lost or stale, and either only costs a full plan.
Status StateDir::save_sync_record(const SyncRecord& r) const {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Error{dir_.string() + ": " + ec.message()};
    nlohmann::json j = {{"config", r.config_digest},
                        {"program", r.program},
                        {"ownership", r.ownership_digest},
                        {"kernel", r.kernel_digest},
                        {"links", r.links},
                        {"tables", r.tables},
                        {"owned_protocol", r.owned_protocol},
                        {"routes", r.routes},
                        {"desired_warnings", r.desired_warnings},
                        {"plan_warnings", r.plan_warnings}};
    return write_file_atomic(dir_ / kSyncFile, j.dump(2) + "\n", 0600, Durability::Cache);
}

void StateDir::forget_sync_record() const {
    std::error_code ec;
    std::filesystem::remove(dir_ / kSyncFile, ec);
}

}  // namespace nodenet::store
