// Carrier changes of the client's link from the kernel (rtnetlink, RTNLGRP_LINK): a cable pulled
// and plugged back, a switch port down, the link removed. They become LinkDown / LinkUp events, so
// a client that moved to another network finds out at once instead of at T1.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "common/result.h"
#include "dhcp/io/unique_fd.h"

namespace nodenet::dhcp::io {

enum class LinkChange { Up, Down, Removed };

class LinkMonitor {
public:
    // Subscribes, then reads the link's state: a change in between is not lost.
    static Result<LinkMonitor> open(const std::string& iface, int index);

    int fd() const { return fd_.get(); }
    // Up with carrier, as of the last change read.
    bool carrier() const { return running_; }
    // The changes of this link among the notifications queued now, in order.
    Result<std::vector<LinkChange>> read();

private:
    LinkMonitor(std::string iface, int index, bool running, UniqueFd fd)
        : iface_(std::move(iface)), index_(index), running_(running), fd_(std::move(fd)) {}
    bool read_batch(std::span<const char> batch, std::vector<LinkChange>& changes);
    void note(bool running, std::vector<LinkChange>& changes);

    std::string iface_;
    int index_;
    bool running_;
    UniqueFd fd_;
};

}  // namespace nodenet::dhcp::io
