// Conversions of single config values into kernel-object values, shared by the v1alpha1 devices
// and the LinkConfig documents. Each error message starts with the YAML path of the bad value.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "config/model.h"
#include "state/objects.h"

namespace nodenet::state {

// "10.0.0.5/24", or a bare IP as a full-length prefix (Talos's rule for interface addresses).
Result<IpPrefix> address_prefix(const config::Text& text);

// A route as the config spells it, whichever document it comes from.
struct RouteText {
    std::string_view destination;  // "" (or any /0): a default route
    std::string_view gateway;      // "", 0.0.0.0 or ::: no gateway
    std::string_view source;       // "", 0.0.0.0 or ::: no preferred source
    uint32_t metric = 0;           // 0: kDefaultRouteMetric
    uint32_t mtu = 0;
    uint32_t table = kMainTable;
};

// Talos's RouteConfigController rules (reference §1.4): the family comes from the gateway, else
// the destination, else the source; a /0 destination is a default route; no gateway and a
// non-default destination gives scope link, a loopback destination scope host, else universe.
// Mixed families are an error (the kernel would refuse the route). `warnings` receives notes
// about values nodenet had to normalise.
Result<Route> make_route(const RouteText& text, const std::string& link, const Origin& origin,
                         std::vector<std::string>& warnings);

// LinkConfig `table`: "" or "main", "local", "default", "unspec", or a number.
Result<uint32_t> route_table(const config::Text& table);

// v1alpha1 `mtu` is a signed Go int that Talos never checks: 0 means "leave the MTU alone".
Result<std::optional<uint32_t>> device_mtu(const config::Field<int64_t>& mtu);

BondSettings bond_settings(const config::Bond& bond);
BridgeSettings bridge_settings(const config::Bridge& bridge);
Result<WireguardSettings> wireguard_settings(const config::Wireguard& wireguard);

}  // namespace nodenet::state
