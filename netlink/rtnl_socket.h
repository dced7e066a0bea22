// A NETLINK_ROUTE socket (libnl-3 core) that runs dump requests and reports the kernel's own error,
// with its extended-ack message, as a value.
#pragma once

#include <linux/netlink.h>

#include <cstddef>
#include <functional>
#include <memory>

#include "common/result.h"

struct nl_sock;
struct nl_msg;

namespace nodenet::netlink {

struct NlSockDeleter {
    void operator()(nl_sock* sock) const;
};
struct NlMsgDeleter {
    void operator()(nl_msg* msg) const;
};
using NlMsgPtr = std::unique_ptr<nl_msg, NlMsgDeleter>;

// Called for every answer of a dump; an error stops the dump and becomes its result.
using MessageHandler = std::function<Status(nlmsghdr*)>;

struct DumpOutcome {
    size_t messages = 0;
    // The kernel flagged the dump as inconsistent (NLM_F_DUMP_INTR: the table changed while it was
    // being dumped); what the handler received must be thrown away and the dump run again.
    bool interrupted = false;
};

class RtnlSocket {
public:
    static Result<RtnlSocket> open();

    // Sends `request` (a dump) and hands each answer to `on_message` until NLMSG_DONE. The message
    // of an error is the kernel's reason ("Invalid argument (ipv4: FIB table does not exist)").
    // After an error the rest of the dump may still be on its way: open a new socket.
    Result<DumpOutcome> dump(nl_msg* request, const MessageHandler& on_message);

    // The kernel validates dump requests strictly and honours their filters (kernel >= 4.20).
    bool strict() const { return strict_; }

private:
    RtnlSocket() = default;
    std::unique_ptr<nl_sock, NlSockDeleter> sock_;
    bool strict_ = false;
};

}  // namespace nodenet::netlink
