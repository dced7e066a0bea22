#include "dns/link_dns.h"

namespace nodenet::dns {

Result<std::vector<state::IpAddress>> servers_from_bus(const std::vector<std::pair<int32_t, std::vector<uint8_t>>>&) {
    return Error{"not built yet"};
}

Result<std::vector<LinkDomain>> domains_from_bus(const std::vector<std::pair<std::string, bool>>&) {
    return Error{"not built yet"};
}

}  // namespace nodenet::dns
