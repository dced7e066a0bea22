// machine.network, machine.type, cluster.id/secret/discovery of the v1alpha1 document.
#include "config/decode.h"

namespace nodenet::config {

namespace {

void decode_selector(const Cursor& c, DeviceSelector& s) {
    c.at("busPath").read(s.bus_path);
    c.at("hardwareAddr").read(s.hardware_addr);
    c.at("permanentAddr").read(s.permanent_addr);
    c.at("pciID").read(s.pci_id);
    c.at("driver").read(s.driver);
    c.at("physical").read(s.physical);
}

void decode_route(const Cursor& c, Route& r) {
    c.at("network").read(r.network);
    c.at("gateway").read(r.gateway);
    c.at("source").read(r.source);
    c.at("metric").read(r.metric);
    c.at("mtu").read(r.mtu);
}

// A section that is not a mapping is absent for the rules, for the reason given at
// Cursor::read_list.
template <class T, class Fn>
std::optional<T> decode_optional(const Cursor& c, Fn fn) {
    if (!c.is_mapping()) return std::nullopt;
    T value{};
    value.src = c.source();
    fn(c, value);
    return value;
}

std::optional<DhcpOptions> decode_dhcp_options(const Cursor& c) {
    return decode_optional<DhcpOptions>(c, [](const Cursor& c, DhcpOptions& o) {
        c.at("routeMetric").read(o.route_metric);
        c.at("ipv4").read(o.ipv4);
        c.at("ipv6").read(o.ipv6);
        c.at("duidv6").read(o.duid_v6);
    });
}

std::optional<Vip> decode_vip(const Cursor& c) {
    return decode_optional<Vip>(c, [](const Cursor& c, Vip& v) {
        c.at("ip").read(v.ip);
        c.at("equinixMetal").at("apiToken").read(v.equinix_metal_api_token);
        c.at("hcloud").at("apiToken").read(v.hcloud_api_token);
    });
}

void decode_vlan(const Cursor& c, Vlan& v) {
    c.at("addresses").read(v.addresses);
    c.at("cidr").read(v.cidr);
    c.at("routes").read_list(v.routes, decode_route);
    c.at("dhcp").read(v.dhcp);
    c.at("vlanId").read(v.vlan_id);
    c.at("mtu").read(v.mtu);
    v.vip = decode_vip(c.at("vip"));
    v.dhcp_options = decode_dhcp_options(c.at("dhcpOptions"));
}

void decode_bond(const Cursor& c, Bond& b) {
    c.at("interfaces").read(b.interfaces);
    c.at("deviceSelectors").read_list(b.device_selectors, decode_selector);
    c.at("arpIPTarget").read(b.arp_ip_target);
    c.at("mode").read(b.mode);
    c.at("xmitHashPolicy").read(b.xmit_hash_policy);
    c.at("lacpRate").read(b.lacp_rate);
    c.at("adActorSystem").read(b.ad_actor_system);
    c.at("arpValidate").read(b.arp_validate);
    c.at("arpAllTargets").read(b.arp_all_targets);
    c.at("primary").read(b.primary);
    c.at("primaryReselect").read(b.primary_reselect);
    c.at("failOverMac").read(b.fail_over_mac);
    c.at("adSelect").read(b.ad_select);
    c.at("miimon").read(b.miimon);
    c.at("updelay").read(b.updelay);
    c.at("downdelay").read(b.downdelay);
    c.at("arpInterval").read(b.arp_interval);
    c.at("resendIgmp").read(b.resend_igmp);
    c.at("minLinks").read(b.min_links);
    c.at("lpInterval").read(b.lp_interval);
    c.at("packetsPerSlave").read(b.packets_per_slave);
    c.at("numPeerNotif").read(b.num_peer_notif);
    c.at("tlbDynamicLb").read(b.tlb_dynamic_lb);
    c.at("allSlavesActive").read(b.all_slaves_active);
    c.at("useCarrier").read(b.use_carrier);
    c.at("adActorSysPrio").read(b.ad_actor_sys_prio);
    c.at("adUserPortKey").read(b.ad_user_port_key);
    c.at("peerNotifyDelay").read(b.peer_notify_delay);
}

void decode_bridge(const Cursor& c, Bridge& b) {
    c.at("interfaces").read(b.interfaces);
    b.stp_present = c.at("stp").is_mapping();
    c.at("stp").at("enabled").read(b.stp_enabled);
    c.at("vlan").at("vlanFiltering").read(b.vlan_filtering);
}

void decode_wireguard(const Cursor& c, Wireguard& w) {
    c.at("privateKey").read(w.private_key);
    c.at("listenPort").read(w.listen_port);
    c.at("firewallMark").read(w.firewall_mark);
    c.at("peers").read_list(w.peers, [](const Cursor& c, WireguardPeer& p) {
        c.at("publicKey").read(p.public_key);
        c.at("endpoint").read(p.endpoint);
        c.at("persistentKeepaliveInterval").read_duration(p.persistent_keepalive_ns);
        c.at("allowedIPs").read(p.allowed_ips);
    });
}

void decode_device(const Cursor& c, Device& d) {
    c.at("interface").read(d.interface);
    d.device_selector = decode_optional<DeviceSelector>(c.at("deviceSelector"), decode_selector);
    c.at("addresses").read(d.addresses);
    c.at("cidr").read(d.cidr);
    c.at("routes").read_list(d.routes, decode_route);
    d.bond = decode_optional<Bond>(c.at("bond"), decode_bond);
    d.bridge = decode_optional<Bridge>(c.at("bridge"), decode_bridge);
    if (Cursor port = c.at("bridgePort"); port.is_mapping()) {
        d.bridge_port_master.emplace();
        port.at("master").read(*d.bridge_port_master);
    }
    c.at("vlans").read_list(d.vlans, decode_vlan);
    c.at("mtu").read(d.mtu);
    c.at("dhcp").read(d.dhcp);
    c.at("ignore").read(d.ignore);
    c.at("dummy").read(d.dummy);
    d.dhcp_options = decode_dhcp_options(c.at("dhcpOptions"));
    d.wireguard = decode_optional<Wireguard>(c.at("wireguard"), decode_wireguard);
    d.vip = decode_vip(c.at("vip"));
}

Network decode_network(const Cursor& c) {
    Network n;
    n.src = c.source();
    c.at("hostname").read(n.hostname);
    c.at("interfaces").read_list(n.interfaces, decode_device);
    c.at("nameservers").read(n.nameservers);
    c.at("searchDomains").read(n.search_domains);
    c.at("extraHostEntries").read_list(n.extra_host_entries, [](const Cursor& c, ExtraHost& h) {
        c.at("ip").read(h.ip);
        c.at("aliases").read(h.aliases);
    });
    n.kubespan = decode_optional<KubeSpan>(c.at("kubespan"), decode_kubespan);
    c.at("disableSearchDomain").read(n.disable_search_domain);
    return n;
}

Discovery decode_discovery(const Cursor& c) {
    Discovery d;
    d.src = c.source();
    c.at("enabled").read(d.enabled);
    Cursor registries = c.at("registries");
    registries.at("kubernetes").at("disabled").read(d.kubernetes_disabled);
    registries.at("service").at("disabled").read(d.service_disabled);
    registries.at("service").at("endpoint").read(d.service_endpoint);
    return d;
}

}  // namespace

void decode_kubespan(const Cursor& c, KubeSpan& k) {
    k.src = c.source();
    c.at("enabled").read(k.enabled);
    c.at("advertiseKubernetesNetworks").read(k.advertise_kubernetes_networks);
    c.at("allowDownPeerBypass").read(k.allow_down_peer_bypass);
    c.at("harvestExtraEndpoints").read(k.harvest_extra_endpoints);
    c.at("mtu").read(k.mtu);
    k.mtu.present = c.at("mtu").is_set();  // Go leaves *uint32 nil for `mtu: ~`: no MTU was given
    c.at("filters").at("endpoints").read(k.filters.endpoints);
    c.at("filters").at("excludeAdvertisedNetworks").read(k.filters.exclude_advertised_networks);
}

MachineConfig decode_machine_config(const yaml::Node& root, Diagnostics& out) {
    MachineConfig m;
    Cursor doc(&root, "", out);
    m.src = doc.source();
    Cursor machine = doc.at("machine");
    m.machine_present = machine.is_set();
    m.machine_src = machine.source();
    machine.at("type").read(m.type);
    if (Cursor network = machine.at("network"); network.is_mapping()) m.network = decode_network(network);
    Cursor features = machine.at("features");
    features.at("hostDNS").at("enabled").read(m.host_dns_enabled);
    features.at("hostDNS").at("forwardKubeDNSToHost").read(m.host_dns_forward_kube_dns);
    features.at("stableHostname").read(m.stable_hostname);

    Cursor cluster = doc.at("cluster");
    m.cluster_present = cluster.is_set();
    m.cluster_src = cluster.source();
    cluster.at("id").read(m.cluster_id);
    cluster.at("secret").read(m.cluster_secret);
    if (Cursor discovery = cluster.at("discovery"); discovery.is_mapping()) m.discovery = decode_discovery(discovery);
    return m;
}

}  // namespace nodenet::config
