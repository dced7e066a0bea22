#include "cli/discovery_server_command.h"

#include <iostream>
#include <memory>
#include <string>

#include "common/module_loader.h"
#include "config/go_syntax.h"
#include "discovery/io/discovery_module.h"

namespace nodenet::cli {

namespace {

constexpr int kUsage = 2;

struct ServerArgs {
    discovery::ServerOptions options;
    std::string snapshot_interval = "10m", gc_interval = "1m";
};

// A Go duration ("10m", "90s", "1h30m"), whole seconds, at least one.
Result<std::chrono::seconds> parse_interval(const std::string& flag, const std::string& text) {
    auto ns = config::go::parse_duration(text);
    if (!ns) return Error{flag + " " + text + ": " + ns.error()};
    auto seconds = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::nanoseconds(*ns));
    if (seconds.count() < 1) return Error{flag + " " + text + ": shorter than one second"};
    return seconds;
}

int run_discovery_server(ServerArgs& a) {
    auto snapshot = parse_interval("--snapshot-interval", a.snapshot_interval);
    auto gc = parse_interval("--gc-interval", a.gc_interval);
    for (const auto* r : {&snapshot, &gc})
        if (!r->ok()) {
            std::cerr << "nodenet: " << r->error() << '\n';
            return kUsage;
        }
    a.options.snapshot_interval = *snapshot;
    a.options.gc_interval = *gc;
    if (a.options.tls_cert_file.empty() != a.options.tls_key_file.empty()) {
        std::cerr << "nodenet: --tls-cert and --tls-key go together\n";
        return kUsage;
    }
    auto module = common::load_module<discovery::DiscoveryModule>();
    if (!module) {
        std::cerr << "nodenet: " << module.error() << '\n';
        return 1;
    }
    return (*module)->run_server(a.options);
}

}  // namespace

void add_discovery_server_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<ServerArgs>();
    CLI::App* cmd = app.add_subcommand(
        "discovery-server", "Run a discovery service for Talos and nodenet clusters (Talos's gRPC API; data stays encrypted)");
    auto& o = a->options;
    cmd->add_option("--listen", o.listen, "gRPC address (ADDR:PORT, [ADDR]:PORT)")->capture_default_str();
    cmd->add_option("--tls-cert", o.tls_cert_file, "PEM certificate chain; with --tls-key, TLS instead of plaintext");
    cmd->add_option("--tls-key", o.tls_key_file, "PEM private key of --tls-cert");
    cmd->add_option("--snapshot", o.snapshot_path,
                    "State file: loaded at start (a corrupt one stops the start), written periodically and on exit");
    cmd->add_option("--snapshot-interval", a->snapshot_interval, "How often to write --snapshot (Go duration)")
        ->capture_default_str();
    cmd->add_option("--gc-interval", a->gc_interval, "How often expired affiliates are removed (Go duration)")
        ->capture_default_str();
    cmd->add_option("--redirect-endpoint", o.redirect_endpoint, "Send every client there (Hello's redirect)");
    cmd->add_option("--inspect", o.inspect_listen, "Read-only HTTP view: GET http://ADDR:PORT/inspect?clusterID=…");
    cmd->add_option("--rate-limit", o.rate_limit, "Requests per second per client IP, burst 4x; 0 = no limit")
        ->check(CLI::Range(0.0, 1e6))
        ->capture_default_str();
    cmd->add_option("--ready-file", o.ready_file, "Written (the gRPC port) once the server listens");
    cmd->callback([a, &exit_code] { exit_code = run_discovery_server(*a); });
}

}  // namespace nodenet::cli
