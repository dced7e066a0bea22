// The text of /etc/resolv.conf for a merged resolver (Talos's layout, reference §1.11): at most
// three `nameserver` lines (glibc's MAXNS), a blank line and one `search` line.
#pragma once

#include <string>
#include <vector>

#include "state/host_objects.h"

namespace nodenet::dns {

constexpr size_t kMaxResolvConfServers = 3;

struct ResolvConf {
    std::string content;
    std::vector<std::string> warnings;  // servers past the third, named
};

// Byte-stable: the same resolver gives the same bytes, so an unchanged file is never rewritten.
// An IPv6 link-local server carries its link as the scope ("fe80::1%eth0"), which glibc needs.
// Names are expected valid (dns::valid_dns_name); one that is not is left out, never written.
ResolvConf render_resolv_conf(const state::HostSettings::Resolver& resolver);

// "fe80::1%eth0" for a link-local IPv6 server learnt on eth0, else the address.
std::string server_text(const state::Nameserver& server);

}  // namespace nodenet::dns
