// Which links run a DHCPv4 client, and how, from the config (Talos's OperatorConfigController,
// reference §1): legacy `dhcp: true` devices and VLANs, and DHCPv4Config documents.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "config/validate.h"
#include "state/objects.h"

namespace nodenet::state {

enum class DhcpClientId : uint8_t { None, Mac, Duid };

struct Dhcp4Link {
    std::string link;
    uint32_t route_metric = kDefaultRouteMetric;
    // Legacy `dhcp: true` sends none; DHCPv4Config defaults to the MAC (Talos's fix for #11661).
    DhcpClientId client_id = DhcpClientId::None;
    std::string duid_hex;  // DHCPv4Config duidRaw, for DhcpClientId::Duid
    bool ignore_hostname = false;
    std::string source;  // the config path that asks for it
};

// One entry per link (a later entry for the same link replaces an earlier one, as documents
// outrank legacy devices). Device selectors are resolved against `kernel`; ignored links and
// devices with `dhcpOptions.ipv4: false` have none.
std::vector<Dhcp4Link> dhcp4_links(const config::Config& config, const KernelState& kernel);

}  // namespace nodenet::state
