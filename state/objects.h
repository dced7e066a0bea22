// Kernel objects as nodenet wants them (desired) and as the kernel holds them (observed).
//
// Each desired object has a key that matches how the kernel identifies it, the attributes nodenet
// manages, and where it came from (layer and config path), so that the plan can say why an
// operation exists and the merge can let a higher layer win.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "state/host_objects.h"
#include "state/ip.h"
#include "wireguard/device.h"

namespace nodenet::state {

// Talos's configuration layers, lowest priority first (reference: talos-network-engine.md §1.2).
enum class Layer : uint8_t { Default = 0, Cmdline = 1, Platform = 2, Operator = 3, Configuration = 4 };

const char* layer_name(Layer layer);

struct Origin {
    Layer layer = Layer::Configuration;
    std::string source;  // "machine.network.interfaces[0].routes[1]", "LinkConfig[eth0]", "dhcp4/eth0"
};

enum class LinkKind : uint8_t { Existing, Bridge, Bond, Vlan, Dummy, Wireguard };

const char* link_kind_name(LinkKind kind);

struct BridgeSettings {
    bool stp = false;
    bool vlan_filtering = false;
    auto operator<=>(const BridgeSettings&) const = default;
};

struct VlanSettings {
    std::string parent;
    uint16_t id = 0;
    bool q_in_q = false;  // 802.1ad instead of 802.1q
    auto operator<=>(const VlanSettings&) const = default;
};

// Kernel bond options by their sysfs/netlink names; 0 / "" means the kernel default.
struct BondSettings {
    std::string mode, xmit_hash_policy, lacp_rate, arp_validate, arp_all_targets, primary, primary_reselect,
        fail_over_mac, ad_select;
    uint32_t miimon = 0, updelay = 0, downdelay = 0, arp_interval = 0, resend_igmp = 0, min_links = 0,
             lp_interval = 0, packets_per_slave = 0, peer_notify_delay = 0;
    uint8_t num_peer_notif = 0, tlb_dynamic_lb = 0, all_slaves_active = 0;
    bool use_carrier = true;
    uint16_t ad_actor_sys_prio = 0, ad_user_port_key = 0;
    auto operator<=>(const BondSettings&) const = default;
};

struct WireguardPeer {
    std::string public_key;  // base64
    std::string endpoint;    // host:port, empty when none
    int64_t persistent_keepalive_seconds = 0;
    std::vector<IpPrefix> allowed_ips;
    auto operator<=>(const WireguardPeer&) const = default;
};

struct WireguardSettings {
    std::string private_key;  // base64
    uint16_t listen_port = 0;
    uint32_t firewall_mark = 0;
    std::vector<WireguardPeer> peers;
    auto operator<=>(const WireguardSettings&) const = default;
};

// A link as desired. Unset optionals mean "leave as it is".
struct Link {
    std::string name;
    LinkKind kind = LinkKind::Existing;  // Existing: nodenet configures it but never creates or deletes it
    std::optional<bool> up;
    std::optional<uint32_t> mtu;
    std::optional<std::string> master;  // bond or bridge to enslave to; "" = no master
    std::optional<BridgeSettings> bridge;
    std::optional<BondSettings> bond;
    std::optional<VlanSettings> vlan;
    std::optional<wireguard::DeviceConfig> wireguard;  // keys decoded, allowed IPs masked
    Origin origin;

    bool logical() const { return kind != LinkKind::Existing; }
};

struct Address {
    std::string link;
    IpPrefix prefix;          // the interface address with its prefix length (10.0.0.5/24)
    uint32_t priority = 0;    // metric of the kernel's prefix route (IFA_RT_PRIORITY)
    Origin origin;
    // Seconds left, for an address that must not outlive its lease (DHCP); unset: forever.
    std::optional<uint32_t> valid_lifetime = std::nullopt, preferred_lifetime = std::nullopt;

    auto key() const { return std::tie(link, prefix); }
};

enum class RouteScope : uint8_t { Universe = 0, Link = 253, Host = 254 };

constexpr uint32_t kMainTable = 254;
// What the kernel's address lifetimes (IFA_CACHEINFO) use for "never expires".
constexpr uint32_t kForeverLifetime = 0xFFFFFFFF;
constexpr uint32_t kDefaultRouteMetric = 1024;  // Talos's default, also the kernel's for IPv6

struct Route {
    std::string link;                   // output interface
    Family family = Family::V4;
    IpPrefix destination;               // 0.0.0.0/0 or ::/0 for a default route
    std::optional<IpAddress> gateway;   // none: a link-scope route
    std::optional<IpAddress> source;    // preferred source
    uint32_t table = kMainTable;
    uint32_t metric = kDefaultRouteMetric;
    uint32_t mtu = 0;                   // 0: unset
    RouteScope scope = RouteScope::Universe;
    Origin origin;

    // How the kernel tells routes apart: two routes with this key cannot coexist (IPv4), or would
    // merge into one multipath route (IPv6), so nodenet treats the key as the route's identity.
    auto key() const { return std::make_tuple(table, family, destination.masked(), metric); }
};

// A policy routing rule (Talos's RoutingRuleSpec, `ip rule`): which packets look up which table.
// KubeSpan's are `fwmark 0x40/0x60 lookup 180` at priority 32500, one per family.
enum class RuleAction : uint8_t { Lookup = 1, Blackhole = 6, Unreachable = 7, Prohibit = 8 };  // FR_ACT_*

struct RoutingRule {
    Family family = Family::V4;
    uint32_t priority = 0;
    RuleAction action = RuleAction::Lookup;
    uint32_t table = kMainTable;          // for Lookup
    std::optional<IpPrefix> source;       // `from`; none: all
    std::optional<IpPrefix> destination;  // `to`; none: all
    std::string iif, oif;                 // empty: any
    uint32_t fwmark = 0, fwmask = 0;      // fwmask 0 with a mark: all bits (the kernel's default)
    Origin origin;

    // Talos keys rules by family and priority; nodenet does too, so one priority holds one rule
    // of a family that nodenet owns.
    auto key() const { return std::make_tuple(family, priority); }
};

using AddressKey = std::tuple<std::string, IpPrefix>;
using RouteKey = std::tuple<uint32_t, Family, IpPrefix, uint32_t>;
using RuleKey = std::tuple<Family, uint32_t>;

struct DesiredState {
    std::map<std::string, Link> links;
    std::map<AddressKey, Address> addresses;
    std::map<RouteKey, Route> routes;
    std::map<RuleKey, RoutingRule> rules;
    HostSettings host;  // resolvers, host name, /etc/hosts: not kernel objects, planned beside them
};

// ---- observed ----

struct ObservedLink {
    int index = 0;
    std::string name;
    std::string kind;  // rtnetlink IFLA_INFO_KIND ("bridge", "veth", "vlan"); empty for plain devices
    bool up = false;   // administrative state (IFF_UP)
    bool carrier = false;
    uint32_t mtu = 0;
    int master_index = 0;
    int parent_index = 0;          // IFLA_LINK (VLAN parent, veth peer)
    std::string hardware_addr;     // lower-case, colon-separated
    std::string permanent_addr;
    std::optional<BridgeSettings> bridge;
    std::optional<VlanSettings> vlan;  // parent filled by name
    // From sysfs, for device selectors.
    bool physical = false;
    std::string driver, bus_path, pci_id;
    // A WireGuard device's configuration (kernel or wireguard-go), read for managed links only.
    std::optional<wireguard::DeviceConfig> wireguard;
};

struct ObservedAddress {
    int link_index = 0;
    IpPrefix prefix;
    uint8_t protocol = 0;  // IFA_PROTO: who added it
    uint8_t scope = 0;
    uint32_t flags = 0;
    uint32_t priority = 0;
    uint32_t valid_lifetime = kForeverLifetime, preferred_lifetime = kForeverLifetime;
};

struct ObservedRoute {
    uint32_t table = kMainTable;
    Family family = Family::V4;
    IpPrefix destination;
    std::optional<IpAddress> gateway;
    std::optional<IpAddress> source;
    int link_index = 0;
    uint32_t metric = 0;
    uint8_t protocol = 0;  // RTPROT_*: who added it
    uint8_t scope = 0;
    uint8_t type = 0;      // RTN_*
    uint32_t mtu = 0;

    RouteKey key() const { return {table, family, destination.masked(), metric}; }
};

struct ObservedRule {
    Family family = Family::V4;
    uint32_t priority = 0;
    RuleAction action = RuleAction::Lookup;
    uint32_t table = kMainTable;
    std::optional<IpPrefix> source, destination;
    std::string iif, oif;
    uint32_t fwmark = 0, fwmask = 0;
    uint8_t protocol = 0;  // FRA_PROTOCOL (RTPROT_*): who added it
    // Selectors nodenet never sets (`not`, tos, uidrange, ipproto, ports, l3mdev…), or a goto or
    // nop action: such a rule never matches a desired one.
    bool other_selectors = false;

    RuleKey key() const { return {family, priority}; }
};

struct KernelState {
    std::vector<ObservedLink> links;
    std::vector<ObservedAddress> addresses;
    std::vector<ObservedRoute> routes;
    std::vector<ObservedRule> rules;  // read only when a snapshot asks for them

    const ObservedLink* link(std::string_view name) const;
    const ObservedLink* link(int index) const;
};

}  // namespace nodenet::state
