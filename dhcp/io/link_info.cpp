#include "dhcp/io/link_info.h"

#include <net/if.h>
#include <net/if_arp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

#include <algorithm>

#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

Result<LinkInfo> lookup_link(const std::string& iface) {
    LinkInfo link;
    link.name = iface;
    if (iface.empty() || iface.size() >= IFNAMSIZ || iface.find('/') != std::string::npos)
        return Error{"\"" + iface + "\" is not a link name"};
    link.index = static_cast<int>(if_nametoindex(iface.c_str()));
    if (link.index == 0) return Error{iface + ": no such link"};
    // Any socket will do for the interface ioctls.
    UniqueFd fd(socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!fd) return errno_error(iface, "socket for interface queries");
    ifreq request{};
    std::copy(iface.begin(), iface.end(), request.ifr_name);
    if (ioctl(fd.get(), SIOCGIFHWADDR, &request) != 0) return errno_error(iface, "read the hardware address");
    if (request.ifr_hwaddr.sa_family != ARPHRD_ETHER)
        return Error{iface + ": not an Ethernet link (hardware type " + std::to_string(request.ifr_hwaddr.sa_family) +
                     "); the DHCP client speaks Ethernet only"};
    std::copy_n(reinterpret_cast<const uint8_t*>(request.ifr_hwaddr.sa_data), link.mac.size(), link.mac.begin());
    return link;
}

}  // namespace nodenet::dhcp::io
