// Machine-level rules: machine type, VIPs on workers, container mode, wireguard keys
// (reference §3.1, §4.4, §4.6, §2 mode checks).
#include "config/go_syntax.h"
#include "config/rules.h"

namespace nodenet::config {

bool is_control_plane(const MachineConfig& m) {
    return m.type.value == "init" || m.type.value == "controlplane";
}

void check_machine_type(const MachineConfig& m, Diagnostics& out) {
    const std::string& t = m.type.value;
    const Source& at = where(m.type, m.machine_present ? m.machine_src : m.src);
    if (t == "init" || t == "controlplane" || t == "worker") return;
    if (t == "join" || t.empty())
        out.warning(at.mark, "machine.type",
                    "use \"worker\" instead of " + go::quote(t) + " for machine type");
    else
        out.error(at.mark, "machine.type", "unknown machine type " + go::quote(t));
}

void check_worker_vips(const MachineConfig& m, Diagnostics& out) {
    const std::string& t = m.type.value;
    bool worker = t == "worker" || t == "join" || t.empty();
    if (!worker || !m.network) return;
    constexpr const char* kMessage = "virtual (shared) IP is not allowed on non-controlplane nodes";
    for (const Device& d : m.network->interfaces.items) {
        if (d.vip) out.error(d.vip->src.mark, d.vip->src.path, kMessage);
        for (const Vlan& v : d.vlans.items)
            if (v.vip) out.error(v.vip->src.mark, v.vip->src.path, kMessage);
    }
}

void check_wireguard(const Wireguard& wg, Diagnostics& out) {
    if (auto err = go::check_wireguard_key(wg.private_key.value)) {
        const Source& at = where(wg.private_key, wg.src);
        out.error(at.mark, at.path, "private key is invalid: " + *err);
    }
    for (const WireguardPeer& p : wg.peers.items) {
        if (auto err = go::check_wireguard_key(p.public_key.value)) {
            const Source& at = where(p.public_key, p.src);
            out.error(at.mark, at.path, "public key invalid: " + *err);
        }
        if (!p.endpoint->empty() && !go::address_contains_port(p.endpoint.value))
            out.error(p.endpoint.src.mark, p.endpoint.src.path, "peer endpoint " + go::quote(p.endpoint.value) + " is invalid");
        for (const Text& ip : p.allowed_ips.items)
            if (!go::parse_cidr(ip.value))
                out.error(ip.src.mark, ip.src.path,
                          "peer allowed IP " + go::quote(ip.value) + " is invalid: invalid CIDR address: " + ip.value);
    }
}

void check_container_mode(const MachineConfig& m, Mode mode, Diagnostics& out) {
    const Source& at = m.machine_present ? m.machine_src : m.src;
    // Talos v1.13: forwarding kube-dns to the host cache needs the cache (any mode).
    if (is_true(m.host_dns_forward_kube_dns) && !is_true(m.host_dns_enabled))
        out.error(m.host_dns_forward_kube_dns.src.mark, m.host_dns_forward_kube_dns.src.path,
                  "feature hostDNS.forwardKubeDNSToHost requires hostDNS.enabled to be true (.machine.features.hostDNS)");
    if (mode != Mode::Container) return;
    if (!is_true(m.host_dns_enabled))
        out.error(where(m.host_dns_enabled, at).mark,
                  "machine.features.hostDNS.enabled",
                  "feature HostDNS should be enabled in container mode (.machine.features.hostDNS.enabled)");
    if (!is_true(m.host_dns_forward_kube_dns))
        out.error(where(m.host_dns_forward_kube_dns, at).mark,
                  "machine.features.hostDNS.forwardKubeDNSToHost",
                  "feature HostDNS should forward kube-dns to host in container mode "
                  "(.machine.features.hostDNS.forwardKubeDNSToHost)");
}

}  // namespace nodenet::config
