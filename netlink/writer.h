// Runs plan operations against the kernel over one rtnetlink socket.
//
// Requests are pipelined: many are sent before their acknowledgements are read (thousands of
// routes go in at the speed of the kernel, not of round trips), yet each keeps its own result,
// so the caller knows exactly which operations took effect.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "plan/operation.h"

namespace nodenet::netlink {

struct Failure {
    size_t operation = 0;  // index into the operations passed in
    std::string message;   // "eth0: add route 10.9.0.0/16 via 10.1.0.1 metric 1024: Network is unreachable"
};

struct ExecuteResult {
    std::vector<size_t> done;       // operations that took effect (even partly), in order
    std::optional<Failure> failure; // the first operation that failed, with the kernel's reason
    size_t requests = 0;            // netlink write requests sent
};

// Runs `ops` in order. Operations after a link creation wait until the link exists; after a
// failure no further stage starts. Never throws; socket errors are failures.
ExecuteResult execute(const std::vector<plan::Operation>& ops);

// "add route 10.9.0.0/16 via 10.1.0.1 metric 1024": what an operation does, for messages.
std::string action_text(const plan::Operation& op);

}  // namespace nodenet::netlink
