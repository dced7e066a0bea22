// Reading and changing the host side of a plan: files under --root, the kernel's host name, and
// systemd-resolved's links. The one real implementation behind plan::plan_host's inputs and the
// HostOperations it returns.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include "common/result.h"
#include "dns/io/resolved_client.h"
#include "plan/host_plan.h"

namespace nodenet::dns {

// Reads /etc/resolv.conf, /etc/hosts and /etc/hostname under `root` (a symlink is reported, not
// followed), the kernel's host and domain name, and — with `resolved` — the DNS settings of those
// `links` that exist (by name, managed or not: a link nodenet no longer manages is read too, to
// give it back).
Result<plan::HostObserved> read_host_state(const std::filesystem::path& root, ResolvedClient* resolved,
                                           const std::vector<std::string>& links);

// Runs host operations in order. On a failure the ones done are undone (files back to their old
// bytes or removed, the old host name, the links' old DNS settings) and the error names the
// operation; undo() does the same after a later step (the kernel's) failed.
class HostWriter {
public:
    HostWriter(std::filesystem::path root, ResolvedClient* resolved) : root_(std::move(root)), resolved_(resolved) {}
    Status apply(const std::vector<plan::HostOperation>& operations);
    Status undo();
    // Takes `operations` as done (by another process's apply), for undo().
    void adopt(const std::vector<plan::HostOperation>& operations) {
        for (const plan::HostOperation& op : operations) done_.push_back(op.change);
    }

private:
    Status run(const plan::HostChange& change, bool reverse);
    std::filesystem::path under_root(const std::string& path) const;

    std::filesystem::path root_;
    ResolvedClient* resolved_;
    std::vector<plan::HostChange> done_;
};

}  // namespace nodenet::dns
