// The network part of a Talos machine config as typed values.
//
// Each value keeps where it was written (line, column, YAML path), so that the semantic rules,
// which run on this model rather than on YAML, still point at the exact place of a problem.
// Field names follow the YAML keys; Go's "unset" (nil pointer) is `present == false`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "config/yaml_tree.h"

namespace nodenet::config {

struct Source {
    yaml::Mark mark;
    std::string path;
};

template <class T>
struct Field {
    T value{};
    Source src;
    bool present = false;  // written in the file (even as null)

    const T& operator*() const { return value; }
    const T* operator->() const { return &value; }
};

using Text = Field<std::string>;
using Flag = Field<std::optional<bool>>;  // Go *bool: absent or null -> nullopt

inline bool is_true(const Flag& f) { return f.value.value_or(false); }

template <class T>
struct List {
    std::vector<T> items;
    Source src;
    bool present = false;  // written and not null (Go: a non-nil slice)
};

struct DeviceSelector {
    Source src;
    Text bus_path, hardware_addr, permanent_addr, pci_id, driver;
    Flag physical;
};

struct Route {
    Source src;
    Text network, gateway, source;
    Field<uint32_t> metric, mtu;
};

struct DhcpOptions {
    Source src;
    Field<uint32_t> route_metric;
    Flag ipv4, ipv6;
    Text duid_v6;
};

struct Vip {
    Source src;
    Text ip;
    Text equinix_metal_api_token, hcloud_api_token;
};

struct Vlan {
    Source src;
    List<Text> addresses;
    Text cidr;
    List<Route> routes;
    Flag dhcp;
    Field<uint16_t> vlan_id;
    Field<uint32_t> mtu;
    std::optional<Vip> vip;
    std::optional<DhcpOptions> dhcp_options;
};

struct Bond {
    Source src;
    List<Text> interfaces;
    List<DeviceSelector> device_selectors;
    List<Text> arp_ip_target;
    Text mode, xmit_hash_policy, lacp_rate, ad_actor_system, arp_validate, arp_all_targets, primary,
        primary_reselect, fail_over_mac, ad_select;
    Field<uint32_t> miimon, updelay, downdelay, arp_interval, resend_igmp, min_links, lp_interval,
        packets_per_slave, peer_notify_delay;
    Field<uint8_t> num_peer_notif, tlb_dynamic_lb, all_slaves_active;
    Flag use_carrier;
    Field<uint16_t> ad_actor_sys_prio, ad_user_port_key;
};

struct Bridge {
    Source src;
    List<Text> interfaces;
    Flag stp_enabled;          // stp.enabled; STP is on when `stp` is present and this is unset
    bool stp_present = false;
    Flag vlan_filtering;       // vlan.vlanFiltering
};

struct WireguardPeer {
    Source src;
    Text public_key, endpoint;
    Field<int64_t> persistent_keepalive_ns;
    List<Text> allowed_ips;
};

struct Wireguard {
    Source src;
    Text private_key;
    Field<int64_t> listen_port, firewall_mark;
    List<WireguardPeer> peers;
};

struct Device {
    Source src;
    Text interface;
    std::optional<DeviceSelector> device_selector;
    List<Text> addresses;
    Text cidr;
    List<Route> routes;
    std::optional<Bond> bond;
    std::optional<Bridge> bridge;
    std::optional<Text> bridge_port_master;
    List<Vlan> vlans;
    Field<int64_t> mtu;
    Flag dhcp, ignore, dummy;
    std::optional<DhcpOptions> dhcp_options;
    std::optional<Wireguard> wireguard;
    std::optional<Vip> vip;
};

struct ExtraHost {
    Source src;
    Text ip;
    List<Text> aliases;
};

struct KubeSpanFilters {
    List<Text> endpoints;
    List<Text> exclude_advertised_networks;
};

struct KubeSpan {
    Source src;
    Flag enabled, advertise_kubernetes_networks, allow_down_peer_bypass, harvest_extra_endpoints;
    Field<uint32_t> mtu;
    KubeSpanFilters filters;
};

struct Network {
    Source src;
    Text hostname;
    List<Device> interfaces;
    List<Text> nameservers;
    List<Text> search_domains;
    List<ExtraHost> extra_host_entries;
    std::optional<KubeSpan> kubespan;
    Flag disable_search_domain;
};

struct Discovery {
    Source src;
    Flag enabled;
    Flag kubernetes_disabled;
    Flag service_disabled;
    Text service_endpoint;
};

// The v1alpha1 document, network-relevant fields only.
struct MachineConfig {
    Source src;             // the document root
    bool machine_present = false;
    Source machine_src;
    Text type;
    std::optional<Network> network;
    Flag host_dns_enabled, host_dns_forward_kube_dns;  // machine.features.hostDNS
    Flag stable_hostname;                             // machine.features.stableHostname
    bool cluster_present = false;
    Source cluster_src;
    Text cluster_id, cluster_secret;
    std::optional<Discovery> discovery;
};

// ---- multi-document kinds (apiVersion: v1alpha1, kind: ...) ----

struct HostnameDoc {
    Text auto_mode, hostname;
};

struct ResolverDoc {
    List<Text> nameservers;  // nameservers[].address
    bool search_domains_present = false;
    List<Text> search_domains;
    Flag disable_default;
};

struct StaticHostDoc {
    Text name;
    List<Text> hostnames;
};

struct LinkAddress {
    Source src;
    Text address;
    Field<uint32_t> route_priority;
};

struct LinkRoute {
    Source src;
    Text destination, gateway, source, table;
    Field<uint32_t> metric, mtu;
};

struct LinkDoc {
    Text name;
    Flag up, multicast;
    Field<uint32_t> mtu;
    List<LinkAddress> addresses;
    List<LinkRoute> routes;
};

struct DhcpDoc {
    bool v6 = false;
    Text name, client_identifier, duid_raw;
    Field<uint32_t> route_metric;
    Flag ignore_hostname;
};

// Talos 1.13: a policy routing rule; `name` is its priority. No src or dst: one rule per family.
struct RoutingRuleDoc {
    Text name, src, dst, table, action, iif_name, oif_name;
    Field<uint32_t> fw_mark, fw_mask;
};

struct KubeSpanDoc {
    KubeSpan spec;
};

struct KubeSpanEndpointsDoc {
    List<Text> extra_announced_endpoints;
};

// Talos 1.14: one discovery service the node publishes to and watches; several may be listed.
struct DiscoveryServiceDoc {
    Text name;
    Text endpoint;  // a URL; Talos parses it while decoding (url.Parse)
};

// Talos 1.14: the cluster identity, instead of v1alpha1's .cluster.id/.cluster.secret.
struct DiscoveryIdentityDoc {
    Text cluster_id, cluster_secret;
};

}  // namespace nodenet::config
