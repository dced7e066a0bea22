#include "bench/synthetic_affiliate.h"

#include <cstdio>

#include "state/ip.h"

namespace nodenet::bench {

discovery::Affiliate synthetic_affiliate(int i, const std::string& id, const std::string& public_key, int endpoints) {
    auto ip = [](const std::string& text) { return *state::parse_ip_address(text); };
    std::string v4 = "10.200." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    std::string v6 = "2001:db8::" + std::to_string(i + 1);
    discovery::Affiliate a;
    a.node_id = id;
    a.addresses = {ip(v4), ip(v6)};
    a.nodename = "node-" + std::to_string(i);
    a.hostname = a.nodename + ".bench.example";
    a.machine_type = i < 3 ? discovery::MachineType::ControlPlane : discovery::MachineType::Worker;
    if (i < 3) a.api_server_port = 6443;
    a.operating_system = "Talos (v1.11.0)";
    a.kubespan.public_key = public_key;
    char ula[64];
    std::snprintf(ula, sizeof ula, "fd50:8d60:4238:6302:%x::1", i + 1);
    a.kubespan.address = ip(ula);
    a.kubespan.additional_addresses = {
        *state::parse_ip_prefix("10.244." + std::to_string(i / 4 % 256) + "." + std::to_string(i % 4 * 64) + "/26")};
    a.kubespan.endpoints = {{ip(v4), 51820}};
    if (endpoints > 1) a.kubespan.endpoints.push_back({ip(v6), 51820});
    return a;
}

}  // namespace nodenet::bench
