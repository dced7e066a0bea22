#include "daemon/io/daemon.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstring>
#include <sstream>

#include <spdlog/spdlog.h>

#include "daemon/io/daemon_impl.h"
#include "daemon/io/logging.h"
#include "dhcp/io/lease_file.h"
#include "engine/dhcp_leases.h"
#include "engine/transaction.h"
#include "kubespan/constants.h"
#include "kubespan/kubespan_settings.h"
#include "netlink/snapshot.h"
#include "plan/render.h"
#include "wireguard/backend.h"

namespace nodenet::daemon::io {

namespace {

// A plan pass builds and frees the config's trees, both states and the plan: glibc keeps the freed
// pages in the heap, where they count in the resident memory of an idle daemon (~200 KB of its
// ~7 MB with 10 links). Handing them back when the loop settles costs 20-40 us per pass.
void release_free_heap() {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
}

int bit(Cause c) { return 1 << static_cast<int>(c); }

std::string seconds_text(std::chrono::milliseconds d) {
    return d.count() % 1000 ? std::to_string(d.count() / 1000) + "." + std::to_string(d.count() % 1000 / 100) + " s"
                            : std::to_string(d.count() / 1000) + " s";
}
constexpr int kChosen = (1 << static_cast<int>(Cause::Start)) | (1 << static_cast<int>(Cause::Config)) |
                        (1 << static_cast<int>(Cause::Lease)) | (1 << static_cast<int>(Cause::Link)) |
                        (1 << static_cast<int>(Cause::KubeSpan));

// One daemon per state directory: an advisory lock held for the process's life (the kernel drops
// it when the process dies, even by SIGKILL), with the holder's PID in the file for the message.
Result<UniqueFd> lock_state_dir(const std::filesystem::path& dir) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    std::filesystem::path path = dir / "daemon.pid";
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) return Error{path.string() + ": " + std::strerror(errno)};
    UniqueFd lock(fd);
    if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        char buf[32] = {};
        ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
        std::string pid = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "?";
        while (!pid.empty() && (pid.back() == '\n' || pid.back() == ' ')) pid.pop_back();
        return Error{"another nodenet daemon (PID " + pid + ") holds " + dir.string()};
    }
    std::string pid = std::to_string(getpid()) + "\n";
    if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size()))
        return Error{path.string() + ": " + std::strerror(errno)};
    return lock;
}

// The operations of a plan, one per line, as the log and events show them ("eth0: + address …").
std::vector<std::string> plan_lines(const plan::Plan& p) {
    std::vector<std::string> lines;
    std::istringstream in(plan::render_text(p, false));
    std::string line, object;
    while (std::getline(in, line)) {
        if (line.empty() || line.rfind("Plan:", 0) == 0) continue;
        if (line[0] != ' ') {
            object = line;
            continue;
        }
        size_t start = line.find_first_not_of(' ');
        lines.push_back(object + ": " + line.substr(start));
    }
    return lines;
}

class LeaseHandlerOf : public dhcp::io::LeaseHandler, public dhcp::io::Lease6Handler {
public:
    LeaseHandlerOf(Daemon& d, std::string key) : d_(d), key_(std::move(key)) {}
    Status apply(const dhcp::Lease& lease) override { return change([&](DhcpEntry& e) { e.lease = lease; }, "bound " + lease.address.str()); }
    Status remove(const dhcp::Lease& lease) override { return change([](DhcpEntry& e) { e.lease.reset(); }, "lost " + lease.address.str()); }
    Status apply(const dhcp::v6::Lease& lease) override { return change([&](DhcpEntry& e) { e.lease6 = lease; }, "bound " + lease.address.str()); }
    Status remove(const dhcp::v6::Lease& lease) override { return change([](DhcpEntry& e) { e.lease6.reset(); }, "lost " + lease.address.str()); }

private:
    template <class F>
    Status change(F&& f, const std::string& what) {
        auto it = d_.dhcp_.find(key_);
        if (it == d_.dhcp_.end()) return success();
        f(it->second);
        d_.log("lease", key_, what);
        bool was = d_.in_session_;
        d_.in_session_ = true;
        Status s = d_.reconcile(bit(Cause::Lease));
        d_.in_session_ = was;
        return s;
    }
    Daemon& d_;
    std::string key_;
};

}  // namespace

std::filesystem::path control_socket_path(const std::filesystem::path& runtime_dir) { return runtime_dir / "control.sock"; }

std::string Daemon::log(const std::string& kind, const std::string& object, const std::string& what, bool error) {
    const Event& e = events_.add(kind, object, what);
    std::string line = (object.empty() ? "" : object + ": ") + what;
    // Journal fields: EVENT= the kind, OBJECT= what it is about, LINK= the link when it is one (a
    // DHCP client's object is "v4/eth0").
    JournalFields fields{{"EVENT", kind}};
    if (!object.empty()) {
        fields.emplace_back("OBJECT", object);
        std::string link = object;
        if (link.starts_with("v4/") || link.starts_with("v6/")) link = link.substr(3);
        for (const auto& [index, seen] : links_seen_)
            if (seen.name == link) fields.emplace_back("LINK", link);
    }
    LogFields scope(std::move(fields));
    if (error)
        spdlog::error("{} {}", kind, line);
    else
        spdlog::info("{} {}", kind, line);
    return event_text(e);
}

Status Daemon::start() {
    auto loaded = engine::load_config(options_.network);
    if (!loaded.ok()) return Error{loaded.error()};
    for (const std::string& w : loaded->warnings) spdlog::warn("{}", w);
    config_ = std::move(*loaded);
    options_.network.loopback_up = true;
    notifier_ = ReadinessNotifier(options_.ready_file);
    guard_ = DriftGuard(options_.drift_limits);
    auto timer = [this](std::function<void()> f) -> Result<std::unique_ptr<loop::Timer>> { return loop::Timer::open(loop_, std::move(f)); };
    auto settle = timer([this] {
        reconcile(std::exchange(pending_, 0));
        sync_sessions();
        release_free_heap();
    });
    auto ready = timer([this] {
        if (notifier_.is_ready()) return;
        auto missing = waiting_for();
        std::string text = "ready after --ready-timeout, still waiting for: ";
        for (size_t i = 0; i < missing.size(); ++i) text += (i ? "; " : "") + missing[i];
        (void)notifier_.ready(text);
        log("ready", "", text, true);
    });
    auto backoff = timer([this] { schedule(Cause::Retry); });
    auto confirm = timer([this] { confirm_expired(); });
    auto recheck = timer([this] { check_ready(); });
    auto retry = timer([this] { schedule(Cause::Retry); });
    auto kubespan_retry = timer([this] {
        kubespan_held_ = false;
        schedule(Cause::KubeSpan);
    });
    for (auto* t : {&settle, &ready, &backoff, &confirm, &recheck, &retry, &kubespan_retry})
        if (!t->ok()) return Error{t->error()};
    settle_timer_ = std::move(*settle);
    ready_timer_ = std::move(*ready);
    backoff_timer_ = std::move(*backoff);
    confirm_timer_ = std::move(*confirm);
    recheck_timer_ = std::move(*recheck);
    retry_timer_ = std::move(*retry);
    kubespan_retry_timer_ = std::move(*kubespan_retry);
    // Subscribed before the first read: a change in between wakes the loop instead of being lost.
    auto watch = KernelWatch::open(loop_, options_.netlink_receive_buffer, [this](const KernelChanges& c) { on_kernel(c); });
    if (!watch.ok()) return Error{watch.error()};
    kernel_ = std::move(*watch);
    ControlOptions co;
    co.path = control_socket_path(options_.runtime_dir);
    co.group = options_.control_group;
    co.status_readable = options_.status_readable;
    auto control = ControlServer::open(loop_, co, [this](const std::shared_ptr<Connection>& c, const Request& r, std::string p) {
        handle(c, r, std::move(p));
    });
    if (!control.ok()) return Error{control.error()};
    control_ = std::move(*control);
    log("started", "", "config " + options_.network.config_path + ", control socket " + co.path.string());
    discovery_ = std::make_unique<DiscoveryAgent>(
        loop_, options_.network.state().path() / "node-identity.yaml", options_.network.root,
        options_.discovery, [this](const std::string& kind, const std::string& object, const std::string& what, bool error) {
            log(kind, object, what, error);
        });
    // Without an identity the node cannot take part in discovery, but its network comes first: a
    // node that publishes nothing yet makes its identity (on the first boot a synced file write,
    // milliseconds on a disk) after its first plan, off the path to READY. Either way it exists
    // before the loop serves a request or a reload can turn discovery on.
    auto load_identity = [this] {
        if (auto s = discovery_->load_identity(); !s.ok()) log("error", "identity", s.error(), true);
    };
    bool publishes = discovery::discovery_settings(config_->config).publishes();
    if (publishes) load_identity();
    kubespan_ = std::make_unique<KubeSpanAgent>(
        loop_, options_.network.state().path(), options_.kubespan,
        [this](const std::string& kind, const std::string& object, const std::string& what, bool error) {
            log(kind, object, what, error);
        },
        [this] { schedule(Cause::KubeSpan); });
    // The mesh follows the affiliates: a peer that appears, changes or leaves is planned at once.
    discovery_->on_change([this] {
        if (kubespan_->enabled()) schedule(Cause::KubeSpan);
    });
    if (options_.ready_timeout > 0) ready_timer_->arm_in(std::chrono::seconds(options_.ready_timeout));
    (void)reconcile(bit(Cause::Start));
    sync_sessions();
    if (!publishes) load_identity();
    return success();
}

void Daemon::schedule(Cause cause) {
    pending_ |= bit(cause);
    if (retry_timer_->armed() && (cause == Cause::Kernel || cause == Cause::Link || cause == Cause::KubeSpan)) return;
    if (!settle_timer_->armed()) settle_timer_->arm_in(options_.settle);
}

void Daemon::on_kernel(const KernelChanges& changes) {
    if (changes.overflow) log("kernel", "", "notifications were dropped (receive buffer full); reading everything again");
    Cause cause = Cause::Kernel;
    // Only the newest notice of each link counts: the older ones of a batch describe moments
    // before the state the daemon last read (its own link-up shows as "up, no carrier" first).
    std::map<int, LinkNotice> newest;
    for (const LinkNotice& n : changes.links) newest[n.index] = n;
    for (const auto& [index, n] : newest) {
        // What was known of the link: from an earlier notice, else from the last kernel read.
        std::optional<std::string> name_was;
        bool carrier_was = false;
        if (auto it = links_seen_.find(n.index); it != links_seen_.end()) {
            name_was = it->second.name;
            carrier_was = it->second.up && it->second.carrier;
        } else if (const state::ObservedLink* l = kernel_state_.link(n.index)) {
            name_was = l->name;
            carrier_was = l->up && l->carrier;
        }
        if (n.removed) {
            if (name_was) log("link", *name_was, "removed");
            links_seen_.erase(n.index);
            cause = Cause::Link;
            continue;
        }
        links_seen_[n.index] = n;
        if (!name_was || *name_was != n.name) {  // new, or renamed (udev)
            cause = Cause::Link;
            continue;
        }
        bool carrier_now = n.up && n.carrier;
        if (carrier_was == carrier_now) continue;
        log("link", n.name, carrier_now ? "carrier up" : "carrier lost");
        if (carrier_now) cause = Cause::Link;  // the static state is re-applied after a flap
        for (auto& [key, e] : dhcp_)
            if (e.link == n.name && e.session) e.session->carrier_changed(carrier_now);
    }
    schedule(cause);
}

// Each DHCP link's lease: the session's, else (before its first answer, and after a restart) the
// one saved in the state directory while it is valid — so that a restarted daemon keeps the
// address while it asks again. A lease the server refuses is deleted from the state directory by
// the session, and its address goes with the next plan.
std::vector<state::LayeredSpecs> Daemon::lease_layers() const {
    std::vector<state::LayeredSpecs> layers;
    state::DhcpLinks saved;
    auto now = dhcp::Clock::now();
    for (const state::Dhcp4Link& l : dhcp_links_.v4) {
        auto it = dhcp_.find("v4/" + l.link);
        if (it != dhcp_.end() && it->second.lease && it->second.lease->expires_at() > now)
            layers.push_back(engine::lease_layer(l, *it->second.lease, now));
        else
            saved.v4.push_back(l);
    }
    for (const state::Dhcp6Link& l : dhcp_links_.v6) {
        auto it = dhcp_.find("v6/" + l.link);
        if (it != dhcp_.end() && it->second.lease6 && it->second.lease6->expires_at() > now)
            layers.push_back(engine::lease_layer(l, *it->second.lease6, now));
        else
            saved.v6.push_back(l);
    }
    for (state::LayeredSpecs& l : engine::persisted_lease_layers(options_.network, saved)) layers.push_back(std::move(l));
    return layers;
}

Status Daemon::reconcile(int causes, std::string* shown) {
    if (!config_ || stopping_) return success();
    if (!dhcp_links_known_) {
        // Which links run DHCP depends on the links present (device selectors): a first plan finds
        // out, so that their saved leases take part before any session has answered.
        auto first = engine::prepare_loaded(options_.network, *config_);
        if (first.ok()) dhcp_links_ = first->dhcp_links, dhcp_links_known_ = true;
    }
    std::vector<state::LayeredSpecs> layers = lease_layers();
    std::optional<state::LayeredSpecs> mesh = kubespan_layer();
    bool with_kubespan = mesh.has_value();
    if (mesh) layers.push_back(std::move(*mesh));
    auto p = engine::prepare_loaded(options_.network, *config_, std::move(layers));
    if (!p.ok()) {
        if (last_error_ != p.error()) log("error", "", p.error(), true);
        last_error_ = p.error();
        check_ready();
        return Error{p.error()};
    }
    planned_once_ = true;
    dhcp_links_ = p->dhcp_links;
    desired_ = p->desired;
    kernel_state_ = p->kernel;
    std::vector<std::string> conflicts;
    for (const plan::Conflict& c : p->plan.conflicts) conflicts.push_back(c.link + ": " + c.what + ": " + c.holder);
    if (conflicts != conflicts_)
        for (const std::string& c : conflicts) log("conflict", "", c + " (not owned by nodenet; left alone)", true);
    conflicts_ = std::move(conflicts);
    if (p->plan.empty()) {
        last_plan_ = {};
        last_error_.clear();
        check_ready();
        if (kubespan_) kubespan_->observe(kernel_state_);
        sync_discovery();
        return success();
    }
    std::vector<std::string> lines = plan_lines(p->plan);
    bool drift = (causes & kChosen) == 0;
    auto steady = std::chrono::steady_clock::now();
    if (drift) {
        ++drift_seen_;
        last_drift_at_ = std::chrono::system_clock::now();
        last_drift_ = lines.empty() ? "kernel state differs" : lines.front();
        if (!options_.correct_drift) {
            for (const std::string& l : lines) log("drift", "", l + " (not corrected: --drift report)");
            last_plan_ = std::move(p->plan);
            check_ready();
            return success();
        }
        if (!guard_.allow(steady)) {
            auto until = guard_.backing_off(steady);
            if (until && !backoff_timer_->armed()) {
                auto wait = std::chrono::ceil<std::chrono::seconds>(*until - steady);
                log("conflict", "", "another program keeps changing nodenet's objects (" + last_drift_ + "); " +
                    std::to_string(guard_.recent()) + " corrections within the window: backing off for " +
                    std::to_string(wait.count()) + " s", true);
                backoff_timer_->arm_in(std::chrono::duration_cast<std::chrono::milliseconds>(*until - steady));
            }
            last_plan_ = std::move(p->plan);
            return success();
        }
        ++drift_corrected_;
        for (const std::string& l : lines) log("drift", "", l + " (changed by someone else; nodenet's config wins)");
    }
    if (shown) *shown += show_json_ ? plan::render_json(p->plan).dump(2) + "\n" : plan::render_text(p->plan, false);
    auto applied = engine::run_transaction(options_.network, *p);
    if (!applied.ok()) {
        last_error_ = applied.error();
        if (with_kubespan) {
            auto wait = std::chrono::milliseconds(1000 << std::min(kubespan_failures_++, 6));
            log("error", "kubespan", applied.error() + "; the network is applied without KubeSpan, which is tried again in " +
                                         seconds_text(wait), true);
            kubespan_held_ = true;
            kubespan_retry_timer_->arm_in(wait);
            return reconcile(causes, shown);
        }
        auto wait = std::chrono::milliseconds(500 << std::min(failures_++, 7));
        log("error", "", applied.error() + "; retrying in " + seconds_text(wait), true);
        retry_timer_->arm_in(wait);
        check_ready();
        return Error{applied.error()};
    }
    failures_ = 0;
    retry_timer_->disarm();
    if (with_kubespan) kubespan_failures_ = 0;
    last_error_.clear();
    last_plan_ = {};
    kernel_state_ = applied->result.kernel;
    if (!drift)
        for (const std::string& l : lines) log("applied", "", l);
    check_ready();
    if (kubespan_) kubespan_->observe(kernel_state_);
    sync_discovery();
    return success();
}

std::string Daemon::node_fqdn() const {
    if (desired_.host.hostname) return desired_.host.hostname->name.fqdn();
    utsname u{};
    if (uname(&u) != 0) return "";
    std::string name = u.nodename;
    // A domain set with the host name (setdomainname) belongs to the FQDN, as Talos's hostname
    // status has it; "(none)" is the kernel's word for no domain.
    std::string domain = u.domainname;
    if (!domain.empty() && domain != "(none)" && name.find('.') == std::string::npos) name += "." + domain;
    return name;
}

void Daemon::sync_discovery(bool read_addresses) {
    if (!discovery_ || !config_) return;
    discovery::DiscoverySettings settings = discovery::discovery_settings(config_->config);
    discovery_->configure(settings);
    if (!settings.publishes() && !read_addresses) return;
    netlink::SnapshotFilter filter;
    filter.all_addresses = true;
    auto kernel = netlink::read_kernel_state(filter);
    if (!kernel.ok()) {
        log("error", "discovery", "read the node's addresses: " + kernel.error(), true);
        return;
    }
    std::string type = config_->config.machine ? config_->config.machine->type.value : "";
    discovery::NodeAddresses addresses = discovery::node_addresses(*kernel);
    std::optional<discovery::KubeSpanPart> mesh;
    if (kubespan_) {
        mesh = kubespan_->local_part(addresses, discovery_->public_ip());
        discovery_->set_harvested(kubespan_->harvested());
    }
    discovery_->update_local(addresses, node_fqdn(), type, std::move(mesh));
}

std::optional<state::LayeredSpecs> Daemon::kubespan_layer() {
    if (!kubespan_ || !config_ || kubespan_held_) return std::nullopt;
    // The first hardware address names the KubeSpan address: before the first plan, the links
    // are read here (links only: a cheap dump).
    if (kernel_state_.links.empty()) {
        auto links = netlink::read_kernel_state(netlink::SnapshotFilter{});
        if (links.ok()) kernel_state_.links = std::move(links->links);
    }
    kubespan_->configure(kubespan::kubespan_settings(config_->config), kernel_state_);
    if (!kubespan_->enabled()) return std::nullopt;
    // The device as it is now (its peers only, from the kernel or wireguard-go): an endpoint it
    // roamed to since the last pass must not be taken for the one KubeSpan set (and written back
    // over the roam).
    if (auto device = wireguard::backend_for(kubespan::kLinkName)->read(kubespan::kLinkName); device.ok())
        kubespan_->note_device(*device);
    std::vector<discovery::Affiliate> merged;
    for (const auto& [id, v] : discovery_->registry().merged()) merged.push_back(v.spec);
    return kubespan_->layer(merged, discovery_->node_id(), discovery_->synced());
}

Status Daemon::open_session(DhcpEntry& e) {
    std::string key = e.link;
    auto failed = [this, key = (e.v6 ? "v6/" : "v4/") + e.link](const std::string& error) {
        auto it = dhcp_.find(key);
        if (it == dhcp_.end()) return;
        it->second.failed = error;
        log("error", key, error + "; retrying", true);
        schedule(Cause::Link);
    };
    const state::ObservedLink* link = kernel_state_.link(e.link);
    bool carrier = link && link->up && link->carrier;
    for (const auto& [index, n] : links_seen_)
        if (n.name == e.link) carrier = n.up && n.carrier;
    auto handler = std::make_shared<LeaseHandlerOf>(*this, (e.v6 ? "v6/" : "v4/") + e.link);
    Result<std::unique_ptr<dhcp::io::Session>> session = Error{""};
    auto sink = [](const std::string& line) { spdlog::info("{}", line); };
    if (e.v6) {
        dhcp::io::Runner6Options o;
        o.iface = e.link;
        auto c = engine::client6_config(e.config6);
        if (!c.ok()) return Error{c.error()};
        o.client = std::move(*c);
        o.client.send_release = options_.release_on_stop;
        o.lease_file = dhcp::io::lease6_file(options_.network.state().path(), e.link);
        o.handler = handler.get();
        o.log = sink;
        session = dhcp::io::open_session6(loop_, std::move(o), failed);
    } else {
        dhcp::io::RunnerOptions o;
        o.iface = e.link;
        o.client = engine::client_config(e.config4);
        o.client.send_release = options_.release_on_stop;
        o.lease_file = dhcp::io::lease_file(options_.network.state().path(), e.link);
        o.handler = handler.get();
        o.log = sink;
        session = dhcp::io::open_session4(loop_, std::move(o), failed);
    }
    if (!session.ok()) return Error{session.error()};
    e.session = std::move(*session);
    e.failed.clear();
    e.handler = std::move(handler);
    in_session_ = true;
    Status s = e.session->start(carrier);
    in_session_ = false;
    return s;
}

// Opens a session for each DHCP link of the config that exists, closes those of links that left
// the config or the kernel, and reopens failed ones.
void Daemon::sync_sessions() {
    if (in_session_ || stopping_) return;
    std::map<std::string, DhcpEntry> wanted;
    for (const state::Dhcp4Link& l : dhcp_links_.v4) wanted["v4/" + l.link] = DhcpEntry{false, l.link, nullptr, nullptr, {}, {}, l, {}, {}};
    for (const state::Dhcp6Link& l : dhcp_links_.v6) wanted["v6/" + l.link] = DhcpEntry{true, l.link, nullptr, nullptr, {}, {}, {}, l, {}};
    for (auto it = dhcp_.begin(); it != dhcp_.end();) {
        bool gone = !wanted.count(it->first) || !kernel_state_.link(it->second.link);
        if (gone || !it->second.failed.empty()) {
            if (it->second.session && gone) it->second.session->stop();
            log("dhcp", it->first, gone ? "client stopped (the link left the config or the kernel)" : "client restarted");
            it = dhcp_.erase(it);
        } else {
            ++it;
        }
    }
    bool opened = false;
    for (auto& [key, w] : wanted) {
        if (dhcp_.count(key) || !kernel_state_.link(w.link)) continue;
        DhcpEntry& e = dhcp_[key] = std::move(w);
        if (auto s = open_session(e); !s.ok()) {
            log("error", key, s.error() + "; retrying at the next change", true);
            dhcp_.erase(key);
            continue;
        }
        opened = true;
        log("dhcp", key, "client started");
    }
    if (opened) check_ready();
}

void Daemon::on_signal() {
    signalfd_siginfo info{};
    while (read(signal_fd, &info, sizeof info) == sizeof info) {
        if (info.ssi_signo == SIGHUP) {
            std::string shown;
            Status s = load_and_apply(nullptr, "SIGHUP", &shown);
            if (!s.ok()) log("refused", "config", "reload on SIGHUP refused; the running state is kept: " + s.error(), true);
            continue;
        }
        log("stopping", "", std::string("on ") + strsignal(static_cast<int>(info.ssi_signo)) +
                                (options_.release_on_stop ? "; releasing the leases" : "; everything stays in place"));
        shut_down();
        return;
    }
}

void Daemon::shut_down() {
    notifier_.stopping();
    // A released lease's address is removed by the plan its remove() runs; a kept one stays.
    for (auto& [key, e] : dhcp_)
        if (e.session) e.session->stop();
    stopping_ = true;
    dhcp_.clear();
    discovery_.reset();  // cancels the service clients' calls
    loop_.stop();
}

Status run_daemon(DaemonOptions options) {
    auto lock = lock_state_dir(options.network.state().path());
    if (!lock.ok()) return Error{lock.error()};
    auto loop = loop::EventLoop::open();
    if (!loop.ok()) return Error{loop.error()};
    sigset_t set;
    sigemptyset(&set);
    for (int s : {SIGTERM, SIGINT, SIGHUP}) sigaddset(&set, s);
    sigprocmask(SIG_BLOCK, &set, nullptr);
    signal(SIGPIPE, SIG_IGN);
    UniqueFd signals(signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signals) return Error{std::string("signalfd: ") + std::strerror(errno)};
    Daemon d(std::move(options), *loop);
    d.signal_fd = signals.get();
    if (auto s = loop->add(signals.get(), EPOLLIN, [&d](uint32_t) { d.on_signal(); }); !s.ok()) return s;
    if (auto s = d.start(); !s.ok()) return s;
    return loop->run();
}

}  // namespace nodenet::daemon::io
