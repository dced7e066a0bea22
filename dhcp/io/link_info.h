// What the DHCP client needs to know about its link before it starts: index, Ethernet address and
// whether it can carry packets now.
#pragma once

#include <string>

#include "common/result.h"
#include "dhcp/arp_codec.h"

namespace nodenet::dhcp::io {

struct LinkInfo {
    std::string name;
    int index = 0;
    Mac mac{};
    bool running = false;  // administratively up with carrier (IFF_UP and IFF_RUNNING) when read
};

// Errors: no such link, not Ethernet (the client speaks htype 1 only), the kernel refusing to say.
Result<LinkInfo> lookup_link(const std::string& iface);

}  // namespace nodenet::dhcp::io
