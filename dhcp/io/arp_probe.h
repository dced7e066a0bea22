// RFC 5227 address conflict detection before an address is used, scaled down: RFC 5227 waits 1–2 s
// before and between its three probes (about 7 s in all), which would hold up every boot; three
// probes over about 300 ms catch any host that answers ARP on a quiet link, as dhcpcd's and
// systemd-networkd's short modes do.
#pragma once

#include <chrono>
#include <string>

#include "common/result.h"
#include "dhcp/arp_codec.h"
#include "state/ip.h"

namespace nodenet::dhcp::io {

struct ProbeTiming {
    int probes = 3;
    std::chrono::milliseconds interval{100};  // between probes, and after the last one
};

// Sends the probes for `address` on link `index` (`iface` names it in errors) from `mac` and listens
// for answers until the last interval has passed. True: another host uses or claims the address.
// Blocks for probes × interval: the event loop has nothing else to do while an address is checked.
Result<bool> probe_address(const std::string& iface, int index, const Mac& mac, const state::IpAddress& address,
                           ProbeTiming timing = {});

}  // namespace nodenet::dhcp::io
