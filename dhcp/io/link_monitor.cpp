#include "dhcp/io/link_monitor.h"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>

#include "dhcp/io/link_info.h"

namespace nodenet::dhcp::io {

Result<LinkMonitor> LinkMonitor::open(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
    if (!fd) return errno_error(iface, "rtnetlink socket");
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK;
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        return errno_error(iface, "subscribe to link changes");
    auto link = lookup_link(iface);
    if (!link.ok()) return Error{link.error()};
    if (link->index != index) return Error{iface + ": the link was replaced"};
    return LinkMonitor(iface, index, link->running, std::move(fd));
}

// The notifications of one datagram, in order. False once the link is removed: nothing after that
// concerns it.
bool LinkMonitor::read_batch(std::span<const char> batch, std::vector<LinkChange>& changes) {
    size_t offset = 0;
    while (batch.size() - offset >= sizeof(nlmsghdr)) {
        nlmsghdr h;
        std::memcpy(&h, batch.data() + offset, sizeof h);
        if (h.nlmsg_len < sizeof h || h.nlmsg_len > batch.size() - offset) break;  // truncated: the rest is lost
        bool link_message = h.nlmsg_type == RTM_NEWLINK || h.nlmsg_type == RTM_DELLINK;
        if (link_message && h.nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) {
            ifinfomsg info;
            std::memcpy(&info, batch.data() + offset + NLMSG_HDRLEN, sizeof info);
            if (info.ifi_index == index_ && h.nlmsg_type == RTM_DELLINK) {
                changes.push_back(LinkChange::Removed);
                return false;
            }
            if (info.ifi_index == index_) note((info.ifi_flags & IFF_UP) && (info.ifi_flags & IFF_RUNNING), changes);
        }
        offset = std::min(batch.size(), offset + NLMSG_ALIGN(h.nlmsg_len));
    }
    return true;
}

void LinkMonitor::note(bool running, std::vector<LinkChange>& changes) {
    if (running == running_) return;  // an MTU or name change, say: not the client's business
    running_ = running;
    changes.push_back(running ? LinkChange::Up : LinkChange::Down);
}

Result<std::vector<LinkChange>> LinkMonitor::read() {
    std::vector<LinkChange> changes;
    alignas(nlmsghdr) std::array<char, 16384> buf;
    for (;;) {
        ssize_t n = recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) {
            // Notifications were lost: ask the link itself where it stands now.
            auto link = lookup_link(iface_);
            if (!link.ok() || link->index != index_) return Error{iface_ + ": the link is gone"};
            note(link->running, changes);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return changes;
        if (n < 0) return errno_error(iface_, "read link changes");
        if (!read_batch({buf.data(), static_cast<size_t>(n)}, changes)) return changes;
    }
}

}  // namespace nodenet::dhcp::io
