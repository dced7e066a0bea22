#include "kubespan/mesh.h"

#include "kubespan/constants.h"

namespace nodenet::kubespan {

namespace {

state::Origin origin() { return {state::Layer::Operator, kOriginSource}; }

state::IpPrefix default_prefix(state::Family family) {
    state::IpPrefix p;
    p.addr.family = family;
    return p;
}

wireguard::DeviceConfig device_config(const MeshInput& in, std::vector<std::string>& warnings) {
    wireguard::DeviceConfig device;
    device.private_key = in.identity.private_key;
    device.listen_port = kPort;
    device.firewall_mark = kFirewallMark;
    for (const PeerSpec& peer : in.peers) {
        auto key = wireguard::parse_key_base64(peer.public_key);
        if (!key.ok()) {
            warnings.push_back("KubeSpan peer " + peer.node_id + " is left out: its public key: " + key.error());
            continue;
        }
        wireguard::PeerConfig p;
        p.public_key = *key;
        p.preshared_key = in.settings.preshared_key;
        p.persistent_keepalive_seconds = kPeerKeepaliveSeconds;
        p.allowed_ips = peer.allowed_ips;
        if (auto status = in.statuses.find(peer.public_key); status != in.statuses.end())
            if (auto endpoint = endpoint_to_set(status->second)) p.endpoint = endpoint->str();
        device.peers.push_back(std::move(p));
    }
    return device;
}

}  // namespace

Mesh build_mesh(const MeshInput& in) {
    Mesh mesh;
    state::LayeredSpecs& specs = mesh.specs;

    state::Link link;
    link.name = kLinkName;
    link.kind = state::LinkKind::Wireguard;
    link.up = true;
    link.mtu = in.settings.mtu;
    link.wireguard = device_config(in, specs.warnings);
    link.origin = origin();
    specs.links.push_back(std::move(link));

    if (in.identity.address && in.identity.subnet) {
        state::Address address;
        address.link = kLinkName;
        address.prefix = {in.identity.address->addr, in.identity.subnet->len};
        address.origin = origin();
        specs.addresses.push_back(std::move(address));
    } else {
        specs.warnings.push_back("KubeSpan identity has no address yet: no address on the kubespan link");
    }

    for (state::Family family : {state::Family::V4, state::Family::V6}) {
        state::Route route;
        route.link = kLinkName;
        route.family = family;
        route.destination = default_prefix(family);
        route.table = kRoutingTable;
        route.metric = kRouteMetric;
        route.mtu = in.settings.mtu;
        route.origin = origin();
        specs.routes.push_back(std::move(route));

        state::RoutingRule rule;
        rule.family = family;
        rule.priority = kRoutingRulePriority;
        rule.action = state::RuleAction::Lookup;
        rule.table = kRoutingTable;
        rule.fwmark = kForceFirewallMark;
        rule.fwmask = kFirewallMask;
        rule.origin = origin();
        specs.rules.push_back(std::move(rule));
    }

    mesh.routed = routed_set(in.peers, in.statuses, in.settings.force_routing);
    return mesh;
}

}  // namespace nodenet::kubespan
