// systemd-resolved's per-link settings over D-Bus (org.freedesktop.resolve1): the one real
// implementation behind the `resolved` resolver writer. The D-Bus calls live in a module loaded on
// first use (dns/io/resolved_bus.h). Every error names the link and the method
// ("eth0: SetLinkDNS: org.freedesktop.DBus.Error.AccessDenied: ...").
#pragma once

#include <memory>
#include <string>

#include "common/result.h"
#include "dns/link_dns.h"

namespace nodenet::dns {

class ResolvedClient {
public:
    virtual ~ResolvedClient() = default;

    // Whether org.freedesktop.resolve1 has an owner on the bus now.
    virtual Result<bool> running() = 0;
    // The link's current DNS servers, domains and DefaultRoute (Manager.GetLink, then the Link
    // object's properties).
    virtual Result<LinkDns> read_link(int ifindex, const std::string& link) = 0;
    // SetLinkDNS, SetLinkDomains, and SetLinkDefaultRoute when dns.default_route is set.
    virtual Status set_link(int ifindex, const std::string& link, const LinkDns& dns) = 0;
    // RevertLink: everything nodenet set on the link is dropped.
    virtual Status revert_link(int ifindex, const std::string& link) = 0;
};

// Connects to the system bus (sd-bus honours DBUS_SYSTEM_BUS_ADDRESS, else
// /run/dbus/system_bus_socket). Error when there is no bus to connect to, or when the D-Bus module
// (nodenet-resolved.so, loaded on first use) cannot be loaded.
Result<std::unique_ptr<ResolvedClient>> connect_resolved();

// Whether nodenet-resolved.so loads: an error here is a broken installation, never "systemd-resolved
// is not running", so that `--resolver auto` does not fall back to the file because of it.
Status resolved_support();

}  // namespace nodenet::dns
