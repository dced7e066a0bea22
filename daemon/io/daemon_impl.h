// The daemon's object, shared by its two source files: daemon.cpp (start-up, kernel changes,
// DHCP sessions, reconcile, readiness) and daemon_control.cpp (what the control socket asks).
#pragma once

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "daemon/drift_guard.h"
#include "daemon/event_log.h"
#include "daemon/io/control_server.h"
#include "daemon/io/discovery_agent.h"
#include "daemon/io/daemon.h"
#include "daemon/io/kernel_watch.h"
#include "daemon/io/readiness_notifier.h"
#include "dhcp/io/session.h"
#include "engine/network_pipeline.h"
#include "loop/event_loop.h"
#include "state/dhcp_links.h"

namespace nodenet::daemon::io {

// Why a reconcile runs: what the daemon itself asked for, or a change somebody else made.
enum class Cause { Start, Config, Lease, Link, Kernel, Retry, KubeSpan };

struct DhcpEntry {
    bool v6 = false;
    std::string link;
    std::shared_ptr<void> handler;  // receives the session's leases; outlives the session
    std::unique_ptr<dhcp::io::Session> session;
    std::optional<dhcp::Lease> lease;
    std::optional<dhcp::v6::Lease> lease6;
    state::Dhcp4Link config4;
    state::Dhcp6Link config6;
    std::string failed;  // why the session ended; retried at the next reconcile
};

struct Waiter {
    std::shared_ptr<Connection> connection;
    std::vector<std::string> links;
    bool any = false;
};

class Daemon {
public:
    Daemon(DaemonOptions options, loop::EventLoop& loop) : options_(std::move(options)), loop_(loop) {}
    Status start();
    int signal_fd = -1;

    // daemon.cpp
    void schedule(Cause cause);
    // Plans against a fresh read and applies the difference; `causes`: a bit per Cause. The plan
    // that ran is appended to `shown` when given (as JSON when show_json_). Never opens or closes a DHCP session (it runs
    // inside their callbacks too); sync_sessions() does that, from the loop.
    Status reconcile(int causes, std::string* shown = nullptr);
    void sync_sessions();
    std::vector<state::LayeredSpecs> lease_layers() const;
    Status open_session(DhcpEntry& e);
    void on_kernel(const KernelChanges& changes);
    void on_signal();
    void shut_down();
    // Discovery follows the config and the node's addresses and name after each plan. The
    // addresses are read only when discovery publishes them, or when `read_addresses` asks.
    void sync_discovery(bool read_addresses = false);
    // KubeSpan's layer for the next plan: the config's settings, the peers from the affiliates.
    std::optional<state::LayeredSpecs> kubespan_layer();
    std::string node_fqdn() const;
    std::string log(const std::string& kind, const std::string& object, const std::string& what, bool error = false);

    // daemon_control.cpp
    void handle(const std::shared_ptr<Connection>& c, const Request& r, std::string payload);
    nlohmann::ordered_json status_json() const;
    void serve_waiters();
    void apply_config(const std::shared_ptr<Connection>& c, const Request& r, std::string payload);
    Status load_and_apply(const std::string* text, const std::string& why, std::string* plan_text);
    void confirm_expired();

    // readiness
    std::vector<std::string> waiting_for() const;
    bool link_online(const std::string& name) const;
    void check_ready();

    DaemonOptions options_;
    loop::EventLoop& loop_;
    std::unique_ptr<KernelWatch> kernel_;
    std::unique_ptr<ControlServer> control_;
    std::unique_ptr<loop::Timer> settle_timer_, ready_timer_, backoff_timer_, confirm_timer_, recheck_timer_, retry_timer_,
        kubespan_retry_timer_;
    ReadinessNotifier notifier_{""};
    EventLog events_;
    DriftGuard guard_;

    std::optional<engine::LoadedConfig> config_;
    std::optional<std::string> confirm_previous_;  // the config bytes an unconfirmed apply replaced
    std::map<std::string, DhcpEntry> dhcp_;       // key: "v4/eth0", "v6/eth0"
    int pending_ = 0;                              // bit set of Causes waiting for the settle timer
    bool show_json_ = false;   // the apply being served asked for -o json
    bool in_session_ = false;  // inside a DHCP session's callback: sessions must not change now
    std::map<int, LinkNotice> links_seen_;  // by index, from the notifications
    state::DhcpLinks dhcp_links_;           // the config's DHCP links, as of the last plan
    bool dhcp_links_known_ = false;         // false until the first plan (and after a config change)
    bool stopping_ = false;

    // What the last reconcile saw and did.
    state::KernelState kernel_state_;
    state::DesiredState desired_;
    plan::Plan last_plan_;
    std::vector<std::string> conflicts_;
    std::string last_error_;
    std::string last_drift_;
    std::chrono::system_clock::time_point last_drift_at_{};
    size_t drift_seen_ = 0, drift_corrected_ = 0;
    bool planned_once_ = false;
    std::vector<Waiter> waiters_;
    std::unique_ptr<DiscoveryAgent> discovery_;
    std::unique_ptr<KubeSpanAgent> kubespan_;
    // A failed apply is retried after a back-off that doubles (0.5 s to 60 s); meanwhile the
    // kernel's notifications (the rollback's own among them) do not plan again, so that a plan the
    // kernel refuses cannot spin the CPU.
    int failures_ = 0;
    // A plan that fails with KubeSpan's layer is applied again without it: the machine's own network
    // comes first. KubeSpan is tried again after its own back-off.
    bool kubespan_held_ = false;
    int kubespan_failures_ = 0;
};

}  // namespace nodenet::daemon::io
