// What the DHCP client needs to know about its link before it starts: index and Ethernet address.
// Whether it has a carrier is the link monitor's business (link_monitor.h): the ioctl used here
// reports only the low 16 flag bits, without IFF_LOWER_UP.
#pragma once

#include <string>

#include "common/result.h"
#include "dhcp/arp_codec.h"

namespace nodenet::dhcp::io {

struct LinkInfo {
    std::string name;
    int index = 0;
    Mac mac{};
};

// Errors: no such link, not Ethernet (the client speaks htype 1 only), the kernel refusing to say.
Result<LinkInfo> lookup_link(const std::string& iface);

}  // namespace nodenet::dhcp::io
