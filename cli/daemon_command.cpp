#include "cli/daemon_command.h"
#include "cli/yaml_output.h"

#include <grp.h>

#include <algorithm>

#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>

#include "cli/network_options.h"
#include "daemon/event_log.h"
#include "daemon/io/control_client.h"
#include "daemon/io/daemon.h"
#include "daemon/io/logging.h"

namespace nodenet::cli {

namespace {

using daemon::Op;
using daemon::Request;
using daemon::io::ControlClient;

struct DaemonArgs {
    daemon::io::DaemonOptions options;
    std::string drift = "correct";
    std::string log_level = "info";
    std::string control_group;
    int max_corrections = 10;
    double drift_window = 60, drift_backoff = 30;
    int discovery_ttl = 1800, discovery_refresh = 0;
    double discovery_backoff = 1;
    std::vector<std::string> pod_cidrs;
    int kubespan_tick = 30, kubespan_down_after = 275, kubespan_connect_timeout = 15;
};

int run_daemon_command(DaemonArgs& a) {
    if (auto s = daemon::io::setup_logging(a.log_level); !s.ok()) {
        std::cerr << "nodenet: " << s.error() << '\n';
        return 2;
    }
    a.options.correct_drift = a.drift == "correct";
    a.options.drift_limits.max_corrections = a.max_corrections;
    a.options.drift_limits.window = std::chrono::milliseconds(static_cast<int64_t>(a.drift_window * 1000));
    a.options.drift_limits.first_backoff = std::chrono::milliseconds(static_cast<int64_t>(a.drift_backoff * 1000));
    if (!a.control_group.empty()) {
        group* g = getgrnam(a.control_group.c_str());
        if (!g) {
            std::cerr << "nodenet: --control-group " << a.control_group << ": no such group\n";
            return 2;
        }
        a.options.control_group = g->gr_gid;
    }
    a.options.discovery.ttl = std::chrono::seconds(a.discovery_ttl);
    a.options.discovery.refresh = std::chrono::seconds(a.discovery_refresh);
    a.options.discovery.backoff_min = std::chrono::milliseconds(static_cast<int64_t>(a.discovery_backoff * 1000));
    a.options.discovery.backoff_max = std::max(a.options.discovery.backoff_min, std::chrono::milliseconds(60000));
    for (const std::string& text : a.pod_cidrs) {
        auto p = state::parse_ip_prefix(text);
        if (!p || text.find('/') == std::string::npos) {
            std::cerr << "nodenet: --pod-cidrs " << text << ": not a CIDR prefix\n";
            return 2;
        }
        a.options.kubespan.pod_cidrs.push_back(p->masked());
    }
    a.options.kubespan.tick = std::chrono::seconds(a.kubespan_tick);
    a.options.kubespan.timers.down_interval = std::chrono::seconds(a.kubespan_down_after);
    a.options.kubespan.timers.connection_timeout = std::chrono::seconds(a.kubespan_connect_timeout);
    a.options.network.diagnostics = &std::cerr;
    auto s = daemon::io::run_daemon(std::move(a.options));
    if (!s.ok()) {
        std::cerr << "nodenet: " << s.error() << '\n';
        return 1;
    }
    return 0;
}

void print_status_text(const nlohmann::ordered_json& s) {
    std::cout << "ready: " << (s.value("ready", false) ? "yes" : "no") << '\n';
    for (const auto& w : s["waiting_for"]) std::cout << "  waiting for " << w.get<std::string>() << '\n';
    std::cout << "config: " << s.value("config", "") << "  pid " << s.value("pid", 0) << '\n';
    for (const auto& l : s["links"]) {
        std::cout << l.value("name", "?");
        if (!l.value("present", true)) {
            std::cout << "  absent\n";
            continue;
        }
        std::cout << "  " << (l.value("up", false) ? "up" : "down") << ", " << (l.value("carrier", false) ? "carrier" : "no carrier")
                  << ", mtu " << l.value("mtu", 0) << '\n';
        for (const auto& a : l["addresses"]) std::cout << "    address " << a.get<std::string>() << '\n';
        if (l.contains("dhcp"))
            for (const auto& d : l["dhcp"]) {
                std::cout << "    " << d.value("family", "") << " " << d.value("state", "?");
                if (d.contains("lease")) std::cout << ", lease " << d["lease"].get<std::string>();
                if (d.contains("next_timer_in_s")) std::cout << ", next timer in " << d["next_timer_in_s"].get<int64_t>() << " s";
                std::cout << '\n';
            }
    }
    const auto& d = s["drift"];
    std::cout << "drift: " << d.value("mode", "") << ", " << d.value("seen", 0) << " seen, " << d.value("corrected", 0)
              << " corrected, " << d.value("conflicts", 0) << " conflict(s)";
    if (d.contains("backing_off_for_s")) std::cout << ", backing off for " << d["backing_off_for_s"].get<int64_t>() << " s";
    std::cout << '\n';
    if (d.contains("last")) std::cout << "  last: " << d["last"].value("time", "") << " " << d["last"].value("what", "") << '\n';
    for (const auto& c : s["conflicts"]) std::cout << "conflict: " << c.get<std::string>() << '\n';
    if (s.contains("discovery") && s["discovery"].value("enabled", false)) {
        const auto& disc = s["discovery"];
        std::cout << "discovery: " << disc.value("affiliates", 0) << " affiliate(s), " << disc.value("members", 0)
                  << " member(s)" << (disc.value("left", false) ? ", left the cluster" : "") << '\n';
        for (const auto& svc : disc["services"]) {
            std::cout << "  " << svc.value("endpoint", "") << "  " << (svc.value("connected", false) ? "connected" : "not connected");
            if (svc["last_error"].is_string()) std::cout << " (" << svc["last_error"].get<std::string>() << ")";
            std::cout << '\n';
        }
    }
    if (s.contains("kubespan") && s["kubespan"].value("enabled", false)) {
        const auto& ks = s["kubespan"];
        std::cout << "kubespan: " << ks.value("address", "") << ", " << ks.value("peers_up", 0) << " of "
                  << ks.value("peers", 0) << " peer(s) up, " << ks.value("routed_prefixes", 0) << " routed prefix(es)\n";
        if (ks["nftables_error"].is_string()) std::cout << "  nftables: " << ks["nftables_error"].get<std::string>() << '\n';
    }
    if (!s.value("last_error", "").empty()) std::cout << "last error: " << s.value("last_error", "") << '\n';
}

void add_runtime_dir(CLI::App& cmd, std::filesystem::path& dir) {
    cmd.add_option("--runtime-dir", dir, "Where the daemon's control socket is")->capture_default_str();
}

}  // namespace

bool print_daemon_line(const nlohmann::ordered_json& line) {
    auto text = [&](const char* key) -> const nlohmann::ordered_json* {
        auto it = line.find(key);
        return it != line.end() && it->is_string() ? &*it : nullptr;
    };
    if (auto* t = text("out")) std::cout << t->get<std::string>() << std::flush;
    else if (auto* d = text("diag")) std::cerr << d->get<std::string>();
    else if (auto* e = text("err")) std::cerr << "nodenet: " << e->get<std::string>() << '\n';
    else return false;
    return true;
}

// Sends one request and prints the answers: text for people, the JSON for -o json.
int call_daemon(const std::filesystem::path& runtime_dir, const daemon::Request& r, const std::string& payload,
                const std::function<void(const nlohmann::ordered_json&)>& on_other,
                std::optional<std::chrono::steady_clock::time_point> deadline) {
    auto client = ControlClient::connect(daemon::io::control_socket_path(runtime_dir));
    if (!client.ok()) {
        std::cerr << "nodenet: " << client.error() << " (is `nodenet daemon` running?)\n";
        return 1;
    }
    auto rc = client->call(r, payload, [&](const nlohmann::ordered_json& line) {
        if (!print_daemon_line(line)) on_other(line);
    }, deadline);
    if (!rc.ok()) {
        std::cerr << "nodenet: " << rc.error() << '\n';
        return 1;
    }
    return *rc;
}

std::filesystem::path default_runtime_dir() {
    const char* env = std::getenv("NODENET_RUNTIME_DIR");
    return env && *env ? env : "/run/nodenet";
}

void add_daemon_command(CLI::App& app, int& exit_code) {
    auto a = std::make_shared<DaemonArgs>();
    a->options.runtime_dir = default_runtime_dir();
    CLI::App* cmd = app.add_subcommand("daemon", "Configure the network at boot and keep it configured");
    add_network_options(*cmd, a->options.network);
    add_runtime_dir(*cmd, a->options.runtime_dir);
    cmd->add_option("--ready-file", a->options.ready_file, "Written when the network is configured (besides sd_notify)");
    cmd->add_option("--ready-timeout", a->options.ready_timeout, "Declare readiness after this many seconds anyway, naming what is missing")
        ->check(CLI::Range(0, 86400));
    cmd->add_option("--drift", a->drift, "correct: restore what others change; report: log and count it only")
        ->check(CLI::IsMember({"correct", "report"}))
        ->capture_default_str();
    cmd->add_option("--drift-max-corrections", a->max_corrections, "Corrections within --drift-window before backing off")
        ->check(CLI::Range(1, 100000))
        ->capture_default_str();
    cmd->add_option("--drift-window", a->drift_window, "Seconds over which corrections are counted")->capture_default_str();
    cmd->add_option("--drift-backoff", a->drift_backoff, "Seconds of the first back-off (doubles while the fight goes on)")
        ->capture_default_str();
    cmd->add_flag("--release-on-stop", a->options.release_on_stop, "Release the DHCP leases on SIGTERM (they stay by default)");
    cmd->add_option("--control-group", a->control_group, "A group whose members may apply through the control socket");
    cmd->add_flag("--status-readable", a->options.status_readable, "Let every local user read status and events");
    cmd->add_option("--netlink-buffer", a->options.netlink_receive_buffer, "Receive buffer of the kernel notifications, bytes")
        ->check(CLI::Range(1024, 1 << 30))
        ->capture_default_str();
    cmd->add_option("--log-level", a->log_level, "trace, debug, info, warn, error")->capture_default_str();
    // Discovery's timing is Talos's; these exist for tests and labs (a TTL of seconds makes a
    // killed node vanish quickly) and for services behind a private CA.
    cmd->add_option("--discovery-ttl", a->discovery_ttl, "Seconds the service keeps this node's affiliate without a refresh")
        ->check(CLI::Range(1, 1800))
        ->capture_default_str();
    cmd->add_option("--discovery-refresh", a->discovery_refresh, "Seconds between refreshes (0: half the TTL)")
        ->check(CLI::Range(0, 1800));
    cmd->add_option("--discovery-backoff", a->discovery_backoff, "Seconds before the first retry after a service error (doubling up to 60)")
        ->check(CLI::Range(0.01, 60.0))
        ->capture_default_str();
    cmd->add_option("--discovery-tls-roots", a->options.discovery.tls_roots_file, "PEM file of the CAs a discovery service's certificate is checked against (default: the system's)");
    cmd->add_option("--pod-cidrs", a->pod_cidrs,
                    "KubeSpan with advertiseKubernetesNetworks: this node's pod CIDRs (also read from <state-dir>/pod-cidrs, one a line)")
        ->delimiter(',');
    // KubeSpan's timing is Talos's (a 30 s reconcile tick, a peer down 275 s after its last
    // handshake, 15 s for a new endpoint to answer); shorter values are for tests and labs.
    cmd->add_option("--kubespan-tick", a->kubespan_tick, "Seconds between KubeSpan's peer checks")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--kubespan-down-after", a->kubespan_down_after, "Seconds without a handshake before a KubeSpan peer is down")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->add_option("--kubespan-connect-timeout", a->kubespan_connect_timeout, "Seconds a new KubeSpan endpoint has to answer")
        ->check(CLI::Range(1, 3600))
        ->capture_default_str();
    cmd->callback([a, &exit_code] { exit_code = run_daemon_command(*a); });
}

void add_leave_command(CLI::App& app, int& exit_code) {
    struct Args {
        std::filesystem::path runtime_dir = default_runtime_dir();
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("leave", "Delete this node's affiliate at every discovery service (before a shutdown or reset)");
    add_runtime_dir(*cmd, a->runtime_dir);
    cmd->callback([a, &exit_code] {
        Request r;
        r.op = Op::Leave;
        exit_code = call_daemon(a->runtime_dir, r, "");
    });
}

void add_status_command(CLI::App& app, int& exit_code) {
    struct Args {
        std::filesystem::path runtime_dir = default_runtime_dir();
        std::string output = "text";
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("status", "What the daemon manages, waits for and last did");
    add_runtime_dir(*cmd, a->runtime_dir);
    cmd->add_option("-o,--output", a->output, "text, json or yaml")->check(CLI::IsMember({"text", "json", "yaml"}))->capture_default_str();
    cmd->callback([a, &exit_code] {
        Request r;
        r.op = Op::Status;
        exit_code = call_daemon(a->runtime_dir, r, "", [&](const nlohmann::ordered_json& line) {
            if (!line.contains("status")) return;
            if (a->output == "json") std::cout << line["status"].dump(2) << '\n';
            else if (a->output == "yaml") print_yaml_document(std::cout, nlohmann::ordered_json(line["status"]));
            else print_status_text(line["status"]);
        });
    });
}

void add_events_command(CLI::App& app, int& exit_code) {
    struct Args {
        std::filesystem::path runtime_dir = default_runtime_dir();
        std::string output = "text";
        size_t tail = 0;
        bool no_follow = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("events", "Stream what the daemon changes and why");
    add_runtime_dir(*cmd, a->runtime_dir);
    cmd->add_option("--tail", a->tail, "First print the last N events kept in memory")->check(CLI::Range(0, 100000));
    cmd->add_flag("--no-follow", a->no_follow, "Print the --tail events and exit");
    cmd->add_option("-o,--output", a->output, "text or json (one object a line)")->check(CLI::IsMember({"text", "json"}))->capture_default_str();
    cmd->callback([a, &exit_code] {
        Request r;
        r.op = Op::Events;
        r.tail = a->tail;
        r.follow = !a->no_follow;
        exit_code = call_daemon(a->runtime_dir, r, "", [&](const nlohmann::ordered_json& line) {
            if (!line.contains("event")) return;
            const nlohmann::ordered_json& e = line["event"];
            if (a->output == "json") {
                std::cout << e.dump() << '\n' << std::flush;
                return;
            }
            std::cout << e.value("time", "") << " " << e.value("kind", "") << " "
                      << (e.value("object", "").empty() ? "" : e.value("object", "") + ": ") << e.value("what", "") << '\n'
                      << std::flush;
        });
    });
}

void add_wait_online_command(CLI::App& app, int& exit_code) {
    struct Args {
        std::filesystem::path runtime_dir = default_runtime_dir();
        double timeout = 120;
        std::vector<std::string> links;
        bool any = false;
    };
    auto a = std::make_shared<Args>();
    CLI::App* cmd = app.add_subcommand("wait-online", "Wait until the daemon has configured the network (or the named links)");
    add_runtime_dir(*cmd, a->runtime_dir);
    cmd->add_option("--timeout", a->timeout, "Seconds; exit 1 when it passes first (0: no limit)")->capture_default_str();
    cmd->add_option("--link", a->links, "A link that must be online (repeatable); default: everything the daemon configures");
    cmd->add_flag("--any", a->any, "One of the links online is enough");
    cmd->callback([a, &exit_code] {
        Request r;
        r.op = Op::WaitOnline;
        r.links = a->links;
        r.any = a->any;
        std::optional<std::chrono::steady_clock::time_point> deadline;
        if (a->timeout > 0)
            deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(static_cast<int64_t>(a->timeout * 1000));
        // The daemon may still be starting (its socket not there yet): wait for it until the deadline.
        if (!ControlClient::wait_until_listening(daemon::io::control_socket_path(a->runtime_dir), deadline)) {
            std::cerr << "nodenet: no nodenet daemon answered within " << a->timeout << " s\n";
            exit_code = 1;
            return;
        }
        exit_code = call_daemon(a->runtime_dir, r, "", [](const nlohmann::ordered_json&) {}, deadline);
    });
}

}  // namespace nodenet::cli
