#include "dhcp/io/runner.h"

#include "dhcp/io/session.h"
#include "dhcp/io/session_host.h"

namespace nodenet::dhcp::io {

Result<RunOutcome> run_client(RunnerOptions options) {
    options.log = link_log(options.iface, std::move(options.log));
    auto host = SessionHost::open(options.iface, options.log);
    if (!host.ok()) return Error{host.error()};
    HostedHandler<LeaseHandler, Lease> handler(options.handler, options.once, **host);
    options.handler = &handler;
    const std::string no_lease = options.iface + ": no lease within " + std::to_string(options.timeout.count()) + " s";
    const bool once = options.once;
    const std::chrono::seconds timeout = options.timeout;
    auto session = open_session4((*host)->loop(), std::move(options), (*host)->failed());
    if (!session.ok()) return Error{session.error()};
    auto signal = (*host)->run(**session, once, timeout, no_lease);
    if (!signal.ok()) return Error{signal.error()};
    return RunOutcome{(*session)->view().lease, *signal};
}

}  // namespace nodenet::dhcp::io
