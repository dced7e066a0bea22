#include "netlink/wireguard_ops.h"

#include <chrono>

#include "wireguard/backend.h"
#include "wireguard/genl_client.h"
#include "wireguard/userspace_daemon.h"

namespace nodenet::netlink {

namespace {

constexpr std::chrono::milliseconds kDaemonStartTimeout{5000};

bool kernel_lacks_wireguard() {
    static const bool lacks = !wireguard::kernel_has_wireguard();
    return lacks;
}

}  // namespace

bool runs_outside_rtnetlink(const plan::Operation& op) {
    if (std::holds_alternative<plan::ConfigureWireguard>(op.change)) return true;
    const auto* create = std::get_if<plan::CreateLink>(&op.change);
    return create && create->link->kind == state::LinkKind::Wireguard && kernel_lacks_wireguard();
}

Status run_outside_rtnetlink(const plan::Operation& op) {
    if (const auto* c = std::get_if<plan::ConfigureWireguard>(&op.change)) {
        // Against the device as the plan read it: only what differs is written, and peers that did
        // not change keep their sessions. A device not read before (new) is replaced whole.
        Status s = wireguard::backend_for(c->link)->configure(c->link, *c->to, c->from.get());
        if (!s.ok()) return Error{s.error()};
        return success();
    }
    if (const auto* create = std::get_if<plan::CreateLink>(&op.change)) {
        const std::string& name = create->link->name;
        Status s = wireguard::start_userspace_device(name, wireguard::kDefaultRunDir, kDaemonStartTimeout);
        if (!s.ok()) return Error{"the kernel has no WireGuard, and wireguard-go failed: " + s.error()};
        return success();
    }
    return Error{"not an operation outside rtnetlink"};
}

Status read_wireguard_devices(state::KernelState& state, const std::set<int>& links) {
    for (state::ObservedLink& link : state.links) {
        if (!links.count(link.index)) continue;
        if (link.kind == "tun" && wireguard::runs_in_userspace(link.name)) link.kind = "wireguard";
        if (link.kind != "wireguard") continue;
        auto device = wireguard::backend_for(link.name)->read(link.name);
        if (!device.ok()) return Error{device.error()};
        link.wireguard = wireguard::normalized(std::move(*device));
    }
    return success();
}

}  // namespace nodenet::netlink
