#include "store/state_dir.h"

#include <nlohmann/json.hpp>

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
    } catch (const nlohmann::json::exception& e) {
        return Error{file.string() + ": damaged: " + e.what()};
    }
    return owned;
}

Status StateDir::save_ownership(const plan::Ownership& owned) const {
    std::error_code ec;
    std::filesystem::create_directories(dir_, ec);
    if (ec) return Error{dir_.string() + ": " + ec.message()};
    nlohmann::json links = nlohmann::json::array();
    for (const state::Link& l : owned.created_links) links.push_back(to_json(l));
    nlohmann::json doc = {{"created_links", links}};
    return write_file_atomic(dir_ / kLinksFile, doc.dump(2) + "\n", 0600);
}

}  // namespace nodenet::store
