// What the DHCPv4 and DHCPv6 event loops share: a seed for xids and jitter, and log lines that
// name the link.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace nodenet::dhcp::io {

using LogFn = std::function<void(const std::string&)>;

// getrandom() without blocking: early in boot the entropy pool may not be ready, and xids need to
// differ between clients, not to be secret.
uint64_t random_seed();

// `sink` (standard error when empty) with every line starting "IFACE: " once; error texts that
// already start with it are left as they are.
LogFn link_log(const std::string& iface, LogFn sink);

}  // namespace nodenet::dhcp::io
