// Carrier changes of the client's link from the kernel (rtnetlink, RTNLGRP_LINK): a cable pulled
// and plugged back, a switch port down, the link removed. They become LinkDown / LinkUp events, so
// a client that moved to another network finds out at once instead of at T1.
//
// The carrier is IFF_LOWER_UP (with IFF_UP, and not IFF_DORMANT), not IFF_RUNNING: the kernel
// sets IFF_LOWER_UP as the driver reports the carrier, but IFF_RUNNING (the RFC 2863 operational
// state) only when its linkwatch work gets round to the link, which it rate-limits to once a second
// for changes it deems not urgent, such as a veth set up just before. Sending cannot start too
// early on IFF_LOWER_UP: a carrier that comes after the link was opened is an urgent linkwatch
// event (the transmit queues still need activating), handled before its notification is sent.
// IFF_DORMANT (802.1X or Wi-Fi authentication pending) still counts as no carrier.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

enum class LinkChange { Up, Down, Removed };

// Whether rtnetlink link flags (ifinfomsg.ifi_flags) say the link can carry packets.
bool carrier_in_flags(unsigned flags);

class LinkMonitor {
public:
    // Subscribes, then asks the kernel for the link's flags: a change in between is not lost.
    static Result<LinkMonitor> open(const std::string& iface, int index);

    int fd() const { return fd_.get(); }
    // Up with carrier, as of the last change read.
    bool carrier() const { return carrier_; }
    // The changes of this link among the notifications queued now, in order.
    Result<std::vector<LinkChange>> read();

private:
    LinkMonitor(std::string iface, int index, bool carrier, UniqueFd fd)
        : iface_(std::move(iface)), index_(index), carrier_(carrier), fd_(std::move(fd)) {}
    bool read_batch(std::span<const char> batch, std::vector<LinkChange>& changes);
    void note(bool carrier, std::vector<LinkChange>& changes);

    std::string iface_;
    int index_;
    bool carrier_;
    UniqueFd fd_;
};

}  // namespace nodenet::dhcp::io
