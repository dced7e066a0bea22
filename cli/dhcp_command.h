// `nodenet dhcp IFACE`: the DHCPv4 client on one link. --once obtains a lease, prints it and exits;
// without it the client stays in the foreground keeping the lease (renewing, rebinding, expiring)
// until SIGTERM or SIGINT. --apply hands each lease to the plan/apply path (cli/dhcp_apply.h);
// without it nothing in the kernel changes. The lease is kept in the state directory either way.
#pragma once

#include <CLI/CLI.hpp>

namespace nodenet::cli {

// Registers the subcommand; `exit_code` receives 0, or 1 on an error or (--once) no lease in time.
void add_dhcp_command(CLI::App& app, int& exit_code);

}  // namespace nodenet::cli
