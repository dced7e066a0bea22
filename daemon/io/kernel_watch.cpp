#include "daemon/io/kernel_watch.h"

#include <linux/if.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

namespace nodenet::daemon::io {

namespace {

Error errno_error(const std::string& what) { return Error{what + ": " + std::strerror(errno)}; }

LinkNotice link_notice(const nlmsghdr* h) {
    LinkNotice n;
    const auto* ifi = static_cast<const ifinfomsg*>(NLMSG_DATA(h));
    n.index = ifi->ifi_index;
    n.removed = h->nlmsg_type == RTM_DELLINK;
    n.up = (ifi->ifi_flags & IFF_UP) != 0;
    n.carrier = (ifi->ifi_flags & IFF_LOWER_UP) != 0;
    int len = static_cast<int>(h->nlmsg_len) - static_cast<int>(NLMSG_LENGTH(sizeof(ifinfomsg)));
    for (const rtattr* a = IFLA_RTA(ifi); len > 0 && RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        if (a->rta_type != IFLA_IFNAME) continue;
        const char* name = static_cast<const char*>(RTA_DATA(a));
        n.name.assign(name, strnlen(name, RTA_PAYLOAD(a)));
    }
    return n;
}

}  // namespace

Result<std::unique_ptr<KernelWatch>> KernelWatch::open(loop::EventLoop& loop, int receive_buffer, Handler handler) {
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) return errno_error("netlink notification socket");
    UniqueFd sock(fd);
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer, sizeof receive_buffer) != 0)
        (void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_nl addr{};
    addr.nl_family = AF_NETLINK;
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return errno_error("netlink bind");
    for (int group : {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE,
                      RTNLGRP_IPV4_RULE, RTNLGRP_IPV6_RULE})
        if (setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &group, sizeof group) != 0)
            return errno_error("netlink subscribe to group " + std::to_string(group));
    std::unique_ptr<KernelWatch> w(new KernelWatch(loop, std::move(sock), std::move(handler)));
    KernelWatch* self = w.get();
    if (auto s = loop.add(self->fd_.get(), EPOLLIN, [self](uint32_t) { self->readable(); }); !s.ok())
        return Error{s.error()};
    return w;
}

KernelWatch::~KernelWatch() { loop_.remove(fd_.get()); }

// Reads everything queued now, then hands it over as one batch: a burst of a thousand route
// changes is one wake-up of the daemon, not a thousand.
void KernelWatch::readable() {
    KernelChanges changes;
    alignas(nlmsghdr) char buf[65536];
    for (int reads = 0; reads < 256; ++reads) {
        ssize_t n = recv(fd_.get(), buf, sizeof buf, MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno == ENOBUFS) {
            changes.overflow = true;
            continue;
        }
        if (n <= 0) break;
        int len = static_cast<int>(n);
        for (auto* h = reinterpret_cast<nlmsghdr*>(buf); NLMSG_OK(h, static_cast<unsigned>(len)); h = NLMSG_NEXT(h, len)) {
            switch (h->nlmsg_type) {
                case RTM_NEWLINK:
                case RTM_DELLINK:
                    if (h->nlmsg_len >= NLMSG_LENGTH(sizeof(ifinfomsg))) changes.links.push_back(link_notice(h));
                    break;
                case NLMSG_ERROR:
                case NLMSG_DONE:
                case NLMSG_NOOP:
                    break;
                default:
                    changes.addresses_or_routes = true;
            }
        }
    }
    if (changes.overflow || changes.addresses_or_routes || !changes.links.empty()) handler_(changes);
}

}  // namespace nodenet::daemon::io
