// Which links run a DHCPv4 or DHCPv6 client, and how, from the config (Talos's
// OperatorConfigController, reference §1): legacy `dhcp: true` devices and VLANs (DHCPv4 unless
// `dhcpOptions.ipv4: false`, DHCPv6 when `dhcpOptions.ipv6: true`), and the DHCPv4Config and
// DHCPv6Config documents.
#pragma once

#include <cstdint>
#include <optional>
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
    // Option 12 to send: the node's configured host name (its first label), as Talos sends the
    // hostname it has; none configured, and the client asks for one instead.
    std::optional<std::string> hostname = std::nullopt;
};

struct Dhcp6Link {
    std::string link;
    uint32_t route_metric = kDefaultRouteMetric;  // the address's priority (no routes come from DHCPv6)
    // The DUID in hex: legacy `duidv6`, or DHCPv6Config duidRaw with clientIdentifier duid. Empty:
    // DUID-LL of the link's MAC (Talos's `mac`; also for `none`, where Talos falls back to a DUID-LLT
    // that changes every boot, #10909).
    std::string duid_hex;
    std::string source;
};

struct DhcpLinks {
    std::vector<Dhcp4Link> v4;
    std::vector<Dhcp6Link> v6;
    bool empty() const { return v4.empty() && v6.empty(); }
    size_t size() const { return v4.size() + v6.size(); }
};

// One entry per link (a later entry for the same link replaces an earlier one, as documents
// outrank legacy devices). Device selectors are resolved against `kernel`; ignored links and
// devices with `dhcpOptions.ipv4: false` have none.
std::vector<Dhcp4Link> dhcp4_links(const config::Config& config, const KernelState& kernel);
std::vector<Dhcp6Link> dhcp6_links(const config::Config& config, const KernelState& kernel);
DhcpLinks dhcp_links(const config::Config& config, const KernelState& kernel);

}  // namespace nodenet::state
