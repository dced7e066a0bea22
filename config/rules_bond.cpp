// machine.network.interfaces[].bond (reference §4.3): option names, then mode-dependent options.
#include <algorithm>

#include "config/rules.h"

namespace nodenet::config {

namespace {

const std::initializer_list<const char*> kModes = {
    "balance-rr", "active-backup", "balance-xor", "broadcast", "802.3ad", "balance-tlb", "balance-alb"};

bool one_of(const std::string& v, std::initializer_list<const char*> names) {
    return std::any_of(names.begin(), names.end(), [&](const char* n) { return v == n; });
}

void check_enum(const Text& field, const char* what, std::initializer_list<const char*> names, Diagnostics& out) {
    if (field->empty() || one_of(field.value, names)) return;
    out.error(field.src.mark, field.src.path, std::string("invalid ") + what + " " + field.value);
}

void not_in_mode(const Source& at, const std::string& option, const std::string& mode, Diagnostics& out) {
    out.error(at.mark, at.path, "bond." + option + " is not available in " + mode + " mode");
}

}  // namespace

void check_bond(const Bond& b, Diagnostics& out) {
    check_enum(b.mode, "bond type", kModes, out);
    check_enum(b.xmit_hash_policy, "xmit hash policy", {"layer2", "layer3+4", "layer2+3", "encap2+3", "encap3+4"}, out);
    check_enum(b.lacp_rate, "lacp rate", {"slow", "fast"}, out);
    check_enum(b.arp_validate, "arp_validate mode",
               {"none", "active", "backup", "all", "filter", "filter-active", "filter-backup"}, out);
    check_enum(b.arp_all_targets, "arp_all_targets mode", {"any", "all"}, out);
    check_enum(b.primary_reselect, "primary_reselect mode", {"always", "better", "failure"}, out);
    check_enum(b.fail_over_mac, "fail_over_mac value", {"none", "active", "follow"}, out);
    check_enum(b.ad_select, "ad_select mode", {"stable", "bandwidth", "count"}, out);

    // An unknown or empty mode behaves as the kernel default for the rules below.
    std::string mode = one_of(b.mode.value, kModes) ? b.mode.value : "balance-rr";
    bool lacp = mode == "802.3ad";
    bool tlb_alb = mode == "balance-alb" || mode == "balance-tlb";

    if (b.miimon.value == 0) {
        if (b.updelay.value != 0)
            out.error(b.updelay.src.mark, b.updelay.src.path, "bond.upDelay can't be set if miiMon is zero");
        if (b.downdelay.value != 0)
            out.error(b.downdelay.src.mark, b.downdelay.src.path, "bond.downDelay can't be set if miiMon is zero");
    } else {
        if (b.updelay.value % b.miimon.value != 0)
            out.error(b.updelay.src.mark, b.updelay.src.path, "bond.upDelay should be a multiple of miiMon");
        if (b.downdelay.value % b.miimon.value != 0)
            out.error(b.downdelay.src.mark, b.downdelay.src.path, "bond.downDelay should be a multiple of miiMon");
    }
    if (!b.arp_ip_target.items.empty())
        out.error(b.arp_ip_target.src.mark, b.arp_ip_target.src.path, "bond.arpIPTarget is not supported");
    if (!b.lacp_rate->empty() && !lacp)
        out.error(b.lacp_rate.src.mark, b.lacp_rate.src.path, "bond.lacpRate is only available in 802.3ad mode");
    if (!b.ad_actor_system->empty())
        out.error(b.ad_actor_system.src.mark, b.ad_actor_system.src.path, "bond.adActorSystem is not supported");
    if ((lacp || tlb_alb) && !b.arp_validate->empty()) not_in_mode(b.arp_validate.src, "arpValidate", mode, out);
    if (mode != "active-backup" && !tlb_alb && !b.primary->empty()) not_in_mode(b.primary.src, "primary", mode, out);
    if ((lacp || tlb_alb) && b.arp_interval.value > 0) not_in_mode(b.arp_interval.src, "arpInterval", mode, out);
    if (mode != "balance-rr" && b.packets_per_slave.value > 1)
        not_in_mode(b.packets_per_slave.src, "packetsPerSlave", mode, out);
    if (!tlb_alb && b.tlb_dynamic_lb.value > 0) not_in_mode(b.tlb_dynamic_lb.src, "tlbDynamicTLB", mode, out);
    if (!lacp && b.ad_actor_sys_prio.value > 0)
        out.error(b.ad_actor_sys_prio.src.mark, b.ad_actor_sys_prio.src.path,
                  "bond.adActorSysPrio is only available in 802.3ad mode");
    if (!lacp && b.ad_user_port_key.value > 0)
        out.error(b.ad_user_port_key.src.mark, b.ad_user_port_key.src.path,
                  "bond.adUserPortKey is only available in 802.3ad mode");
}

}  // namespace nodenet::config
