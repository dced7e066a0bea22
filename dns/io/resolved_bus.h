// The D-Bus side of the systemd-resolved client: the calls as the bus carries them, implemented with
// sdbus-c++ in a module of its own (nodenet-resolved.so, dns/io/resolved_module.cpp) that nodenet
// loads only when it talks to systemd-resolved (common/module.h). Checking and converting the
// values is the client's (dns/io/resolved_client.cpp, in nodenet itself): the module stays a thin
// adapter with no knowledge of nodenet's model.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"

namespace nodenet::dns {

using BusServers = std::vector<std::pair<int32_t, std::vector<uint8_t>>>;  // a(iay): family, address bytes
using BusDomains = std::vector<std::pair<std::string, bool>>;              // a(sb): name, routing-only

struct BusLink {
    BusServers servers;
    BusDomains domains;
    bool default_route = false;
};

// Errors name the link and the method ("eth0: SetLinkDNS: org.freedesktop.DBus.Error.AccessDenied: ...").
class ResolvedBus {
public:
    virtual ~ResolvedBus() = default;

    // NameHasOwner(org.freedesktop.resolve1).
    virtual Result<bool> running() = 0;
    // Manager.GetLink, then the Link object's DNS, Domains and DefaultRoute, each checked to be of
    // the type resolved documents.
    virtual Result<BusLink> read_link(int ifindex, const std::string& link) = 0;
    // SetLinkDNS, SetLinkDomains, and SetLinkDefaultRoute when default_route is set.
    virtual Status set_link(int ifindex, const std::string& link, const BusServers& servers, const BusDomains& domains,
                            std::optional<bool> default_route) = 0;
    virtual Status revert_link(int ifindex, const std::string& link) = 0;
};

// The module's interface (common/module.h).
struct ResolvedModule {
    static constexpr char kName[] = "resolved";
    static constexpr uint32_t kVersion = 1;

    // Connects to the system bus (sd-bus honours DBUS_SYSTEM_BUS_ADDRESS, else
    // /run/dbus/system_bus_socket). Error when there is no bus to connect to.
    Result<std::unique_ptr<ResolvedBus>> (*connect_system_bus)();
};

}  // namespace nodenet::dns
