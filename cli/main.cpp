// nodenet: a machine network configurator for Talos-format machine configs.
#include <CLI/CLI.hpp>

#include "cli/daemon_command.h"
#include "cli/dhcp_command.h"
#include "cli/discovery_server_command.h"
#include "cli/get_command.h"
#include "cli/plan_command.h"
#include "cli/validate_command.h"

int main(int argc, char** argv) {
    // Named, not taken from argv[0]: `Usage: nodenet ...` whatever path ran it (and in the man page).
    CLI::App app{"nodenet: validate, plan and apply machine network configuration", "nodenet"};
    app.set_version_flag("--version", "nodenet 0.1.0");
    app.require_subcommand(1);
    int exit_code = 0;
    nodenet::cli::add_validate_command(app, exit_code);
    nodenet::cli::add_get_command(app, exit_code);
    nodenet::cli::add_plan_command(app, exit_code);
    nodenet::cli::add_apply_command(app, exit_code);
    nodenet::cli::add_confirm_command(app, exit_code);
    nodenet::cli::add_dhcp_command(app, exit_code);
    nodenet::cli::add_daemon_command(app, exit_code);
    nodenet::cli::add_status_command(app, exit_code);
    nodenet::cli::add_events_command(app, exit_code);
    nodenet::cli::add_wait_online_command(app, exit_code);
    nodenet::cli::add_leave_command(app, exit_code);
    nodenet::cli::add_discovery_server_command(app, exit_code);
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        // --help and --version are successes; every other parse failure is wrong usage.
        return rc == 0 ? 0 : 2;
    }
    return exit_code;
}
