// `nodenet dhcp -6`'s DHCPv6 client: one DHCPv6 session (session.h) in an event loop of its own, as
// run_client does for DHCPv4.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "common/result.h"
#include "dhcp/dhcp6_client.h"
#include "dhcp/dhcp6_lease.h"

namespace nodenet::dhcp::io {

// Leases handed out are on dhcp::Clock's timeline, as LeaseHandler's.
class Lease6Handler {
public:
    virtual ~Lease6Handler() = default;
    virtual Status apply(const v6::Lease& lease) = 0;
    virtual Status remove(const v6::Lease& lease) = 0;
};

struct Runner6Options {
    std::string iface;
    v6::ClientConfig client;  // `mac` is taken from the link and the random numbers from getrandom()
    std::filesystem::path lease_file;  // lease6_file(); empty: nothing read or written
    Lease6Handler* handler = nullptr;
    bool once = false;
    std::chrono::seconds timeout{30};
    std::function<void(const std::string&)> log;  // default: standard error, "IFACE: …"
};

struct Run6Outcome {
    std::optional<v6::Lease> lease;
    int signal = 0;
};

// As run_client: once, until the first lease is applied (or an error at the timeout); otherwise
// until SIGTERM or SIGINT. Messages wait (within the timeout) for the link-local address to finish
// duplicate address detection, since the kernel cannot send to ff02::1:2 without it.
Result<Run6Outcome> run_client6(Runner6Options options);

}  // namespace nodenet::dhcp::io
