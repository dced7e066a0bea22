#include "engine/host_side.h"

#include <algorithm>

#include "engine/network_pipeline.h"
#include "dns/io/host_files.h"

namespace nodenet::engine {

namespace {

bool at_real_root(const NetworkOptions& options) {
    std::error_code ec;
    return std::filesystem::equivalent(options.root, "/", ec);
}

// auto: systemd-resolved when it owns its bus name, else the file; under --root always the file
// (an image being built has no running resolver to ask).
Status choose_writers(const NetworkOptions& options, Prepared& p) {
    const std::string& choice = options.host.resolver;
    bool real_root = at_real_root(options);
    p.host_targets.hostname = real_root ? plan::HostnameWriter::Kernel : plan::HostnameWriter::File;
    p.host_targets.force = options.host.force;
    if (choice == "none") {
        p.host_targets.resolver = plan::ResolverWriter::None;
    } else if (choice == "file" || (choice == "auto" && !real_root)) {
        p.host_targets.resolver = plan::ResolverWriter::File;
    } else {
        // A module that does not load is a broken installation: an error, not a reason to write the
        // file behind a running systemd-resolved's back.
        if (auto support = dns::resolved_support(); !support.ok())
            return Error{"--resolver " + choice + ": " + support.error()};
        auto client = dns::connect_resolved();
        Result<bool> running = client.ok() ? (*client)->running() : Result<bool>(Error{client.error()});
        if (choice == "resolved" && !running.ok()) return Error{"--resolver resolved: " + running.error()};
        if (choice == "resolved" && !*running)
            return Error{"--resolver resolved: systemd-resolved is not running (org.freedesktop.resolve1 has no owner)"};
        if (running.ok() && *running) {
            p.host_targets.resolver = plan::ResolverWriter::Resolved;
            p.resolved = std::move(*client);
        } else {
            p.host_targets.resolver = plan::ResolverWriter::File;
        }
    }
    return success();
}

}  // namespace

Result<std::vector<state::IpAddress>> HostOptions::default_servers() const {
    std::vector<state::IpAddress> out;
    for (const std::string& s : default_nameservers) {
        if (s == "none") continue;
        auto ip = state::parse_ip_address(s);
        if (!ip) return Error{"--default-nameservers: \"" + s + "\" is not an IP address"};
        out.push_back(*ip);
    }
    return out;
}

Status plan_host_side(const NetworkOptions& options, Prepared& p) {
    if (p.desired.host == state::HostSettings{} && p.owned.resolved_links.empty()) return success();
    if (auto s = choose_writers(options, p); !s.ok()) return s;
    std::vector<std::string> links;
    if (p.resolved) links = plan::resolved_links_to_read(p.desired, p.owned.resolved_links);
    auto observed = dns::read_host_state(options.root, p.resolved.get(), links);
    if (!observed.ok()) return Error{observed.error()};
    observed->resolved_owned = p.owned.resolved_links;
    plan::HostPlan host = plan::plan_host(p.desired, *observed, p.host_targets);
    p.plan.host_operations = std::move(host.operations);
    p.plan.warnings.insert(p.plan.warnings.end(), host.warnings.begin(), host.warnings.end());
    for (plan::HostRefusal& r : host.refusals)
        p.plan.conflicts.push_back({r.path, "replace the file", std::move(r.why), std::move(r.reason)});
    return success();
}

std::string revert_host(const NetworkOptions& options, const std::vector<plan::HostOperation>& done) {
    if (done.empty()) return "";
    bool needs_bus = std::any_of(done.begin(), done.end(), [](const plan::HostOperation& op) {
        return std::holds_alternative<plan::SetLinkDns>(op.change) || std::holds_alternative<plan::RevertLinkDns>(op.change);
    });
    std::unique_ptr<dns::ResolvedClient> client;
    if (needs_bus)
        if (auto c = dns::connect_resolved(); c.ok()) client = std::move(*c);
    dns::HostWriter writer(options.root, client.get());
    writer.adopt(done);
    Status s = writer.undo();
    return s.ok() ? "" : "files and names NOT reverted: " + s.error();
}

}  // namespace nodenet::engine
