// What the running kernel can do, where nodenet must know before it asks.
#pragma once

#include <string_view>

namespace nodenet::netlink {

// Whether addresses keep the IFA_PROTO nodenet sets (Linux 5.18 and later). Older kernels drop it,
// so nodenet records its addresses in the state directory there.
bool kernel_keeps_address_protocol();

// The same, for a kernel release string as uname(2) gives it ("6.1.0-13-amd64").
bool release_keeps_address_protocol(std::string_view release);

}  // namespace nodenet::netlink
