// Small pieces both DHCP clients (dhcp4_client, dhcp6_client) use.
#pragma once

#include <cstdint>
#include <string>

#include "dhcp/dhcp4_lease.h"

namespace nodenet::dhcp {

// "4.3s" under ten seconds, whole seconds above: for log lines.
std::string duration_text(Clock::duration d);

// SplitMix64: the clients' jitter when no random source is given (tests give one; the runners
// seed this from getrandom). Not for anything secret.
uint64_t splitmix64(uint64_t& state);

}  // namespace nodenet::dhcp
