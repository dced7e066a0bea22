#include "dhcp/io/link_monitor.h"

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

namespace nodenet::dhcp::io {

namespace {

// The link's flags as RTM_GETLINK reports them now; nullopt when there is no link `index`.
// SIOCGIFFLAGS would not do: its 16 bits stop short of IFF_LOWER_UP.
Result<std::optional<unsigned>> query_flags(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE));
    if (!fd) return errno_error(iface, "rtnetlink socket");
    struct {
        nlmsghdr header;
        ifinfomsg info;
    } request{};
    request.header.nlmsg_len = sizeof request;
    request.header.nlmsg_type = RTM_GETLINK;
    request.header.nlmsg_flags = NLM_F_REQUEST;
    request.header.nlmsg_seq = 1;
    request.info.ifi_family = AF_UNSPEC;
    request.info.ifi_index = index;
    if (send(fd.get(), &request, sizeof request, 0) != static_cast<ssize_t>(sizeof request))
        return errno_error(iface, "ask for the link's flags");
    alignas(nlmsghdr) std::array<char, 16384> buf;
    for (;;) {
        ssize_t n = recv(fd.get(), buf.data(), buf.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return errno_error(iface, "read the link's flags");
        for (size_t offset = 0; static_cast<size_t>(n) - offset >= sizeof(nlmsghdr);) {
            nlmsghdr h;
            std::memcpy(&h, buf.data() + offset, sizeof h);
            if (h.nlmsg_len < sizeof h || h.nlmsg_len > static_cast<size_t>(n) - offset) break;
            if (h.nlmsg_type == NLMSG_ERROR && h.nlmsg_len >= NLMSG_LENGTH(sizeof(nlmsgerr))) {
                nlmsgerr e;
                std::memcpy(&e, buf.data() + offset + NLMSG_HDRLEN, sizeof e);
                if (e.error == -ENODEV) return std::optional<unsigned>();
                errno = -e.error;
                return errno_error(iface, "read the link's flags");
            }
            if (h.nlmsg_type == RTM_NEWLINK && h.nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) {
                ifinfomsg info;
                std::memcpy(&info, buf.data() + offset + NLMSG_HDRLEN, sizeof info);
                if (info.ifi_index == index) return std::optional<unsigned>(info.ifi_flags);
            }
            offset += NLMSG_ALIGN(h.nlmsg_len);
        }
    }
}

}  // namespace

bool carrier_in_flags(unsigned flags) {
    return (flags & IFF_UP) && (flags & IFF_LOWER_UP) && !(flags & IFF_DORMANT);
}

Result<LinkMonitor> LinkMonitor::open(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, NETLINK_ROUTE));
    if (!fd) return errno_error(iface, "rtnetlink socket");
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    local.nl_groups = RTMGRP_LINK;
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        return errno_error(iface, "subscribe to link changes");
    auto flags = query_flags(iface, index);
    if (!flags.ok()) return Error{flags.error()};
    if (!*flags) return Error{iface + ": the link was removed"};
    return LinkMonitor(iface, index, carrier_in_flags(**flags), std::move(fd));
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
            if (info.ifi_index == index_) note(carrier_in_flags(info.ifi_flags), changes);
        }
        offset = std::min(batch.size(), offset + NLMSG_ALIGN(h.nlmsg_len));
    }
    return true;
}

void LinkMonitor::note(bool carrier, std::vector<LinkChange>& changes) {
    // An MTU or name change, or linkwatch's later IFF_RUNNING for a carrier already seen: not the
    // client's business.
    if (carrier == carrier_) return;
    carrier_ = carrier;
    changes.push_back(carrier ? LinkChange::Up : LinkChange::Down);
}

Result<std::vector<LinkChange>> LinkMonitor::read() {
    std::vector<LinkChange> changes;
    alignas(nlmsghdr) std::array<char, 16384> buf;
    for (;;) {
        ssize_t n = recv(fd_.get(), buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) {
            // Notifications were lost: ask the link itself where it stands now.
            auto flags = query_flags(iface_, index_);
            if (!flags.ok()) return Error{flags.error()};
            if (!*flags) {
                changes.push_back(LinkChange::Removed);
                return changes;
            }
            note(carrier_in_flags(**flags), changes);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return changes;
        if (n < 0) return errno_error(iface_, "read link changes");
        if (!read_batch({buf.data(), static_cast<size_t>(n)}, changes)) return changes;
    }
}

}  // namespace nodenet::dhcp::io
