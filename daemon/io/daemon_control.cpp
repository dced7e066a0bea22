// What the control socket asks of the daemon, and the readiness it reports.
#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include "daemon/io/daemon_impl.h"
#include "dhcp/dhcp4_client.h"
#include "engine/transaction.h"
#include "plan/render.h"
#include "plan/sync_digest.h"
#include "store/atomic_file.h"

namespace nodenet::daemon::io {

namespace {

int bit(Cause c) { return 1 << static_cast<int>(c); }

std::string iso_time(std::chrono::system_clock::time_point t) {
    return event_json(Event{0, t, "", "", ""})["time"].get<std::string>();
}

nlohmann::ordered_json link_json(const state::ObservedLink& l, const state::KernelState& k) {
    nlohmann::ordered_json j{{"name", l.name}, {"index", l.index}, {"up", l.up}, {"carrier", l.carrier}, {"mtu", l.mtu}};
    nlohmann::ordered_json addrs = nlohmann::ordered_json::array();
    for (const state::ObservedAddress& a : k.addresses)
        if (a.link_index == l.index) addrs.push_back(a.prefix.str());
    j["addresses"] = addrs;
    return j;
}

// Keeps the file's mode when it exists (a config may hold a cluster secret: 0600 is the default).
Status replace_config_file(const std::string& path, const std::string& text) {
    struct stat st {};
    mode_t mode = stat(path.c_str(), &st) == 0 ? (st.st_mode & 07777) : 0600;
    return store::write_file_atomic(path, text, mode);
}

}  // namespace

void Daemon::handle(const std::shared_ptr<Connection>& c, const Request& r, std::string payload) {
    switch (r.op) {
        case Op::Status:
            c->send({{"status", status_json()}});
            c->finish(0);
            return;
        case Op::Events: {
            for (const Event& e : events_.tail(r.tail)) c->send({{"event", event_json(e)}});
            if (!r.follow) {
                c->finish(0);
                return;
            }
            std::weak_ptr<Connection> weak = c;
            uint64_t id = events_.listen([weak](const Event& e) {
                if (auto conn = weak.lock()) conn->send({{"event", event_json(e)}});
            });
            c->on_close([this, id] { events_.unlisten(id); });
            return;
        }
        case Op::WaitOnline:
            waiters_.push_back(Waiter{c, r.links, r.any});
            serve_waiters();
            return;
        case Op::Apply:
            apply_config(c, r, std::move(payload));
            return;
        case Op::Get: {
            if (r.kind == "nodeaddresses") sync_discovery(true);
            std::optional<Result<nlohmann::ordered_json>> mesh;
            if (kubespan_) mesh = kubespan_->resources(r.kind, r.ns);
            auto list = mesh ? std::move(*mesh)
                        : discovery_ ? discovery_->resources(r.kind, r.ns)
                                     : Result<nlohmann::ordered_json>(Error{"discovery is not running"});
            if (!list.ok()) {
                c->err(list.error());
                c->finish(1);
                return;
            }
            c->send({{"resources", *list}});
            c->finish(0);
            return;
        }
        case Op::Leave: {
            Status s = discovery_ ? discovery_->leave(std::chrono::seconds(5)) : Status(Error{"discovery is not running"});
            if (!s.ok()) {
                c->err(s.error());
                c->finish(1);
                return;
            }
            c->out("Left the cluster: this node's affiliate is deleted; it is published again when the daemon restarts or the discovery settings change.\n");
            c->finish(0);
            return;
        }
        case Op::Confirm:
            if (!confirm_previous_) {
                c->err("nothing to confirm: no apply with --confirm-timeout is pending");
                c->finish(1);
                return;
            }
            confirm_previous_.reset();
            confirm_timer_->disarm();
            log("config", "", "confirmed: the applied change stays");
            c->out("Confirmed: the applied change stays.\n");
            c->finish(0);
            return;
        case Op::Reload: {
            std::string shown;
            Status s = load_and_apply(nullptr, "reload", &shown);
            if (!shown.empty()) c->out(shown);
            if (!s.ok()) {
                c->err(s.error());
                c->finish(1);
                return;
            }
            c->finish(0);
            return;
        }
    }
}

nlohmann::ordered_json Daemon::status_json() const {
    nlohmann::ordered_json j;
    auto missing = waiting_for();
    j["ready"] = missing.empty();
    j["waiting_for"] = missing;
    j["config"] = options_.network.config_path;
    j["pid"] = getpid();
    nlohmann::ordered_json links = nlohmann::ordered_json::array();
    auto steady = std::chrono::steady_clock::now();
    for (const auto& [name, want] : desired_.links) {
        const state::ObservedLink* l = kernel_state_.link(name);
        nlohmann::ordered_json lj = l ? link_json(*l, kernel_state_) : nlohmann::ordered_json{{"name", name}, {"present", false}};
        for (const auto& [key, e] : dhcp_) {
            if (e.link != name) continue;
            nlohmann::ordered_json d{{"family", e.v6 ? "dhcpv6" : "dhcpv4"}};
            if (e.session) {
                dhcp::io::SessionView v = e.session->view();
                d["state"] = v.state;
                if (v.lease) d["lease"] = v.lease->address.str();
                if (v.lease6) d["lease"] = v.lease6->address.str();
                if (v.next_timer)
                    d["next_timer_in_s"] = std::chrono::duration_cast<std::chrono::seconds>(*v.next_timer - steady).count();
            }
            lj["dhcp"].push_back(d);
        }
        links.push_back(lj);
    }
    j["links"] = links;
    nlohmann::ordered_json drift{{"mode", options_.correct_drift ? "correct" : "report"},
                                 {"seen", drift_seen_},
                                 {"corrected", drift_corrected_},
                                 {"conflicts", guard_.conflicts()}};
    if (!last_drift_.empty()) drift["last"] = {{"time", iso_time(last_drift_at_)}, {"what", last_drift_}};
    if (auto until = guard_.backing_off(steady))
        drift["backing_off_for_s"] = std::chrono::duration_cast<std::chrono::seconds>(*until - steady).count();
    j["drift"] = drift;
    j["conflicts"] = conflicts_;
    j["last_error"] = last_error_;
    j["confirm_pending"] = confirm_previous_.has_value();
    if (discovery_) j["discovery"] = discovery_->status_json();
    if (kubespan_) j["kubespan"] = kubespan_->status_json();
    return j;
}

bool Daemon::link_online(const std::string& name) const {
    const state::ObservedLink* l = kernel_state_.link(name);
    if (!l || !l->up || !l->carrier) return false;
    for (const auto& [key, e] : dhcp_)
        if (e.link == name && !e.lease && !e.lease6) return false;
    return true;
}

void Daemon::serve_waiters() {
    bool ready = waiting_for().empty();
    for (auto it = waiters_.begin(); it != waiters_.end();) {
        Waiter& w = *it;
        bool met;
        if (w.links.empty()) {
            met = w.any ? std::any_of(desired_.links.begin(), desired_.links.end(),
                                      [this](const auto& l) { return link_online(l.first); })
                        : ready;
        } else {
            size_t online = static_cast<size_t>(std::count_if(w.links.begin(), w.links.end(), [this](const std::string& l) { return link_online(l); }));
            met = w.any ? online > 0 : online == w.links.size();
        }
        if (!w.connection->open()) {
            it = waiters_.erase(it);
        } else if (met) {
            w.connection->out("online\n");
            w.connection->finish(0);
            it = waiters_.erase(it);
        } else {
            ++it;
        }
    }
}

std::vector<std::string> Daemon::waiting_for() const {
    std::vector<std::string> missing;
    if (!planned_once_) missing.push_back("the first plan" + (last_error_.empty() ? "" : ": " + last_error_));
    else if (!last_error_.empty()) missing.push_back("the apply to succeed: " + last_error_);
    for (const std::string& c : conflicts_) missing.push_back("a conflict to clear: " + c);
    for (const auto& [name, link] : desired_.links)
        if (!link.logical() && !kernel_state_.link(name)) missing.push_back("link " + name + " (absent)");
    for (const state::Dhcp4Link& l : dhcp_links_.v4) {
        auto it = dhcp_.find("v4/" + l.link);
        if (it == dhcp_.end() || !it->second.lease) missing.push_back("a DHCPv4 lease on " + l.link);
    }
    for (const state::Dhcp6Link& l : dhcp_links_.v6) {
        auto it = dhcp_.find("v6/" + l.link);
        if (it == dhcp_.end() || !it->second.lease6) missing.push_back("a DHCPv6 lease on " + l.link);
    }
    return missing;
}

void Daemon::check_ready() {
    // Inside a DHCP session's callback the lease is in the kernel but not yet in its file: ready is
    // declared once the session has saved it, so that a restart right after READY keeps it.
    if (in_session_) {
        recheck_timer_->arm_in(std::chrono::milliseconds(0));
        return;
    }
    auto missing = waiting_for();
    if (missing.empty()) {
        size_t leases = 0;
        for (const auto& [key, e] : dhcp_) leases += (e.lease || e.lease6) ? 1 : 0;
        std::string text = "configured: " + std::to_string(desired_.links.size()) + " link(s), " + std::to_string(leases) +
                           " DHCP lease(s)";
        if (!notifier_.is_ready()) {
            if (auto s = notifier_.ready(text); !s.ok()) log("error", "ready file", s.error(), true);
            log("ready", "", text);
        } else {
            notifier_.status(text);
        }
    } else {
        std::string text = "waiting for " + missing.front() + (missing.size() > 1 ? " (+" + std::to_string(missing.size() - 1) + " more)" : "");
        notifier_.status(text);
    }
    serve_waiters();
}

Status Daemon::load_and_apply(const std::string* text, const std::string& why, std::string* shown) {
    auto loaded = engine::load_config(options_.network, text);
    if (!loaded.ok()) return Error{loaded.error()};
    std::optional<engine::LoadedConfig> previous = std::move(config_);
    config_ = std::move(*loaded);
    dhcp_links_known_ = false;
    Status s = reconcile(bit(Cause::Config), shown);
    if (!s.ok()) {
        config_ = std::move(previous);  // the transaction rolled the kernel back; the old config rules again
        return s;
    }
    log("config", "", "loaded (" + why + ")");
    schedule(Cause::Config);  // DHCP sessions follow the new config from the loop
    return success();
}

void Daemon::apply_config(const std::shared_ptr<Connection>& c, const Request& r, std::string payload) {
    engine::NetworkOptions shown_as = options_.network;
    shown_as.config_path = r.config_path.empty() ? "config" : r.config_path;
    // The bytes the daemon runs already, validated then, and no kernel change since its last plan
    // found nothing to do: nothing to validate, read or write (a no-op apply costs a digest).
    if (config_ && plan::text_digest(payload) == config_->digest && pending_ == 0 && !settle_timer_->armed() &&
        last_plan_.empty() && conflicts_.empty() && last_error_.empty() && planned_once_ && !confirm_previous_) {
        if (r.output == "json") c->out(plan::render_json(plan::Plan{}).dump(2) + "\n");
        else c->out("No changes: the kernel matches the config.\n");
        c->finish(0);
        return;
    }
    auto loaded = engine::load_config(shown_as, &payload);
    if (!loaded.ok()) {
        log("refused", "config", "apply of " + shown_as.config_path + " refused: the config has errors; the running state is kept", true);
        // The diagnostics as `validate` prints them, then the verdict as the error line.
        const std::string& e = loaded.error();
        size_t cut = e.rfind('\n');
        if (cut != std::string::npos) c->send({{"diag", e.substr(0, cut + 1)}});
        c->err(cut == std::string::npos ? e : e.substr(cut + 1));
        c->finish(1);
        return;
    }
    for (const std::string& w : loaded->warnings) c->err("warning: " + w);
    std::string old_text = config_ ? config_->text : std::string();
    const std::string& path = options_.network.config_path;
    // The daemon's config file is what it applies after a restart or SIGHUP: it becomes the new
    // config first, and goes back when the apply fails.
    bool same_file = payload == old_text;
    if (auto s = same_file ? success() : replace_config_file(path, payload); !s.ok()) {
        c->err("cannot replace the daemon's config " + path + ": " + s.error() + "; nothing was changed");
        c->finish(1);
        return;
    }
    std::optional<engine::LoadedConfig> previous = std::move(config_);
    config_ = std::move(*loaded);
    dhcp_links_known_ = false;
    std::string shown;
    show_json_ = r.output == "json";
    Status s = reconcile(bit(Cause::Config), &shown);
    show_json_ = false;
    if (!shown.empty()) c->out(shown);
    if (!s.ok()) {
        config_ = std::move(previous);
        if (!same_file) (void)replace_config_file(path, old_text);
        log("refused", "config", "apply of " + shown_as.config_path + " failed; the running state is kept", true);
        c->err(s.error());
        c->finish(1);
        return;
    }
    if (!conflicts_.empty()) {
        for (const std::string& x : conflicts_) c->err("conflict: " + x);
        c->err("not applied in full: objects nodenet does not own stand in the way");
    }
    log("config", "", "applied " + shown_as.config_path + " through the control socket");
    if (r.output != "json")
        c->out(shown.empty() ? "No changes: the kernel matches the config.\n" : "Applied; the kernel matches the config.\n");
    if (r.confirm_timeout > 0 && !shown.empty()) {
        confirm_previous_ = old_text;
        confirm_timer_->arm_in(std::chrono::seconds(r.confirm_timeout));
        c->out("Run `nodenet confirm` within " + std::to_string(r.confirm_timeout) +
               " s to keep this change; otherwise it is reverted.\n");
    }
    schedule(Cause::Config);
    c->finish(conflicts_.empty() ? 0 : 1);
}

void Daemon::confirm_expired() {
    if (!confirm_previous_) return;
    std::string text = std::move(*confirm_previous_);
    confirm_previous_.reset();
    std::string shown;
    Status s = replace_config_file(options_.network.config_path, text);
    if (s.ok()) s = load_and_apply(&text, "not confirmed in time: reverted", &shown);
    if (!s.ok()) log("error", "config", "reverting the unconfirmed apply failed: " + s.error(), true);
    else log("config", "", "the unconfirmed apply was reverted");
}

}  // namespace nodenet::daemon::io
