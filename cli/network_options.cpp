#include "cli/network_options.h"

#include <unistd.h>

#include <iostream>

namespace nodenet::cli {

void add_host_options(CLI::App& cmd, HostOptions& options) {
    cmd.add_option("--resolver", options.resolver,
                   "Where DNS servers and search domains go: auto (systemd-resolved when it runs, else the file), "
                   "file (/etc/resolv.conf), resolved, none")
        ->check(CLI::IsMember({"auto", "file", "resolved", "none"}))
        ->capture_default_str();
    cmd.add_flag("--force", options.force, "Replace /etc/resolv.conf even when it is a symlink");
    cmd.add_option("--default-nameservers", options.default_nameservers,
                   "Servers used when the config names search domains but no server (none: no defaults)")
        ->delimiter(',')
        ->capture_default_str();
}

void add_network_options(CLI::App& cmd, NetworkOptions& options) {
    // A config's errors are shown as `validate` shows them, in colour on a terminal.
    options.diagnostics = &std::cerr;
    options.diagnostics_color = isatty(STDERR_FILENO) != 0;
    cmd.add_option("-c,--config", options.config_path, "Machine config file")->required();
    cmd.add_option("--state-dir", options.state_dir, "Where nodenet keeps what it created")->capture_default_str();
    cmd.add_option("--root", options.root, "Prefix of every file nodenet reads or writes")->capture_default_str();
    cmd.add_option("-o,--output", options.output, "Output format")
        ->check(CLI::IsMember({"text", "json"}))
        ->capture_default_str();
    add_host_options(cmd, options.host);
}

}  // namespace nodenet::cli
