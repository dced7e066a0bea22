#include "dns/io/host_files.h"

#include <net/if.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/overloaded.h"
#include "store/atomic_file.h"

namespace nodenet::dns {

namespace {

// resolv.conf and hosts are a few hundred bytes; a larger "file" is read only to be replaced.
constexpr off_t kMaxRead = 1 << 20;

Result<plan::ObservedFile> read_observed(const std::filesystem::path& path) {
    plan::ObservedFile f;
    struct stat st {};
    if (lstat(path.c_str(), &st) != 0) {
        if (errno == ENOENT) return f;
        return Error{path.string() + ": " + std::strerror(errno)};
    }
    f.exists = true;
    if (S_ISLNK(st.st_mode)) {
        std::error_code ec;
        auto target = std::filesystem::read_symlink(path, ec);
        f.symlink_target = ec ? std::string("?") : target.string();
        return f;
    }
    if (!S_ISREG(st.st_mode)) return Error{path.string() + ": not a regular file"};
    if (st.st_size > kMaxRead) {
        f.content = "(larger than 1 MiB)";
        return f;
    }
    auto text = store::read_file(path);
    if (!text.ok()) return Error{text.error()};
    f.content = std::move(*text);
    return f;
}

std::string kernel_name(int (*get)(char*, size_t)) {
    char buf[256] = {};
    if (get(buf, sizeof buf - 1) != 0) return "";
    std::string s = buf;
    return s == "(none)" ? "" : s;
}

Status errno_status(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

Status set_kernel_name(const state::HostName& name) {
    if (sethostname(name.hostname.data(), name.hostname.size()) != 0)
        return errno_status("sethostname " + name.hostname);
    if (setdomainname(name.domainname.data(), name.domainname.size()) != 0)
        return errno_status("setdomainname " + (name.domainname.empty() ? std::string("\"\"") : name.domainname));
    return success();
}

}  // namespace

Result<plan::HostObserved> read_host_state(const std::filesystem::path& root, ResolvedClient* resolved,
                                           const std::vector<std::string>& links) {
    plan::HostObserved o;
    auto etc = [&root](const char* name) { return root / "etc" / name; };
    auto resolv = read_observed(etc("resolv.conf"));
    if (!resolv.ok()) return Error{resolv.error()};
    o.resolv_conf = std::move(*resolv);
    auto hosts = read_observed(etc("hosts"));
    if (!hosts.ok()) return Error{hosts.error()};
    o.hosts = std::move(*hosts);
    auto hostname = read_observed(etc("hostname"));
    if (!hostname.ok()) return Error{hostname.error()};
    o.hostname_file = std::move(*hostname);
    o.hostname = {kernel_name(gethostname), kernel_name(getdomainname)};
    if (!resolved) return o;
    for (const std::string& name : links) {
        int index = static_cast<int>(if_nametoindex(name.c_str()));
        if (index == 0) continue;  // gone: systemd-resolved forgot it too
        auto dns = resolved->read_link(index, name);
        // A link created a moment ago is not known to systemd-resolved yet: as if it were absent
        // (the plan says its settings wait for it).
        if (!dns.ok() && dns.error().find("org.freedesktop.resolve1.NoSuchLink") != std::string::npos) continue;
        if (!dns.ok()) return Error{"systemd-resolved: " + dns.error()};
        o.resolved[name] = {index, std::move(*dns)};
    }
    return o;
}

std::filesystem::path HostWriter::under_root(const std::string& path) const {
    return root_ / std::filesystem::path(path).relative_path();
}

Status HostWriter::run(const plan::HostChange& change, bool reverse) {
    return std::visit(
        Overloaded{
            [&](const plan::WriteFile& w) -> Status {
                std::filesystem::path target = under_root(w.path);
                if (!reverse) return store::write_file_atomic(target, w.content, 0644);
                if (w.before) return store::write_file_atomic(target, *w.before, 0644);
                if (unlink(target.c_str()) != 0 && errno != ENOENT) return errno_status(target.string() + ": remove");
                return success();
            },
            [&](const plan::SetHostname& h) { return set_kernel_name(reverse ? h.from : h.to); },
            [&](const plan::SetLinkDns& s) -> Status {
                if (!resolved_) return Error{s.link + ": systemd-resolved is not connected"};
                return resolved_->set_link(s.ifindex, s.link, reverse ? s.from : s.to);
            },
            [&](const plan::RevertLinkDns& r) -> Status {
                if (!resolved_) return Error{r.link + ": systemd-resolved is not connected"};
                return reverse ? resolved_->set_link(r.ifindex, r.link, r.from) : resolved_->revert_link(r.ifindex, r.link);
            }},
        change);
}

Status HostWriter::apply(const std::vector<plan::HostOperation>& operations) {
    for (const plan::HostOperation& op : operations) {
        Status s = run(op.change, false);
        if (!s.ok()) {
            Status back = undo();
            return Error{s.error() + (back.ok() ? "" : "; undoing the files and names changed before failed too: " +
                                                           back.error())};
        }
        done_.push_back(op.change);
    }
    return success();
}

Status HostWriter::undo() {
    std::string failures;
    for (auto it = done_.rbegin(); it != done_.rend(); ++it)
        if (Status s = run(*it, true); !s.ok()) failures += (failures.empty() ? "" : "; ") + s.error();
    done_.clear();
    if (!failures.empty()) return Error{failures};
    return success();
}

}  // namespace nodenet::dns
