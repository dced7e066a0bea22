// Affiliates shared by the discovery tests. kControlPlane mirrors CONTROL_PLANE in vectors.py.
#pragma once

#include "discovery/affiliate.h"

namespace nodenet::discovery::fixtures {

inline IpAddress ip(const char* text) { return *state::parse_ip_address(text); }
inline IpPrefix prefix(const char* text) { return *state::parse_ip_prefix(text); }

inline Affiliate control_plane() {
    Affiliate a;
    a.node_id = "sou7yy34ykX3n373Zw1DXKb8zD7UnyKT6HT3QDsGH6L";
    a.addresses = {ip("10.5.0.2"), ip("2001:db8::2")};
    a.hostname = "cp-1.example.net";
    a.nodename = "cp-1";
    a.machine_type = MachineType::ControlPlane;
    a.operating_system = "Talos (v1.11.0)";
    a.api_server_port = 6443;
    a.kubespan.public_key = "PLPNBddmTgHJhtw0vxltq1ZBdPP9RNOEUd5JjJZzBRY=";
    a.kubespan.address = ip("fd50:8d60:4238:6302:f857:23ff:fe21:d1e0");
    a.kubespan.additional_addresses = {prefix("10.244.3.0/24")};
    a.kubespan.exclude_advertised_networks = {prefix("192.168.0.0/16")};
    a.kubespan.endpoints = {Endpoint{ip("10.5.0.2"), 51820}, Endpoint{ip("2001:db8::2"), 51820}};
    return a;
}

inline Affiliate worker() {
    Affiliate a;
    a.node_id = "Utoh3O0ZvnMx3ZBRqgmUgY3TbXDnPh27uqIgmjEjoPT";
    a.addresses = {ip("192.0.2.7")};
    a.hostname = "worker-7";
    a.nodename = "worker-7";
    a.machine_type = MachineType::Worker;
    a.operating_system = "Debian GNU/Linux 12 (bookworm)";
    return a;
}

}  // namespace nodenet::discovery::fixtures
