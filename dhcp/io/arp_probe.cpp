#include "dhcp/io/arp_probe.h"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <optional>
#include <vector>

#include "dhcp/io/packet_socket.h"

namespace nodenet::dhcp::io {

namespace {

Result<UniqueFd> open_arp_socket(const std::string& iface, int index) {
    UniqueFd fd(socket(AF_PACKET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ARP)));
    if (!fd) return errno_error(iface, "ARP socket (needs root or CAP_NET_RAW)");
    sockaddr_ll local{};
    local.sll_family = AF_PACKET;
    local.sll_protocol = htons(ETH_P_ARP);
    local.sll_ifindex = index;
    if (bind(fd.get(), reinterpret_cast<const sockaddr*>(&local), sizeof local) != 0)
        return errno_error(iface, "bind the ARP socket");
    return fd;
}

// Reads what is queued; true when a packet shows a conflict.
bool read_answers(int fd, const Mac& mac, const state::IpAddress& address) {
    std::array<uint8_t, 256> buf;
    for (;;) {
        ssize_t n = recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return false;
        if (arp_conflict({buf.data(), static_cast<size_t>(n)}, mac, address)) return true;
    }
}

}  // namespace

ArpProbe::ArpProbe(loop::EventLoop& loop, std::string iface, int index, const Mac& mac,
                   const state::IpAddress& address, Done done, ProbeTiming timing, UniqueFd fd)
    : loop_(loop),
      iface_(std::move(iface)),
      index_(index),
      mac_(mac),
      address_(address),
      done_(std::move(done)),
      timing_(timing),
      fd_(std::move(fd)) {}

Result<std::unique_ptr<ArpProbe>> ArpProbe::start(loop::EventLoop& loop, const std::string& iface, int index,
                                                  const Mac& mac, const state::IpAddress& address, Done done,
                                                  ProbeTiming timing) {
    auto fd = open_arp_socket(iface, index);
    if (!fd.ok()) return Error{fd.error()};
    std::unique_ptr<ArpProbe> probe(new ArpProbe(loop, iface, index, mac, address, std::move(done), timing,
                                                 std::move(*fd)));
    ArpProbe* self = probe.get();
    auto interval = loop::Timer::open(loop, [self] { self->on_interval(); });
    if (!interval.ok()) return Error{iface + ": " + interval.error()};
    probe->interval_ = std::move(*interval);
    if (auto s = loop.add(probe->fd_.get(), EPOLLIN, [self](uint32_t) { self->on_answers(); }); !s.ok())
        return Error{iface + ": " + s.error()};
    if (auto s = probe->send_next(); !s.ok()) return Error{s.error()};
    return probe;
}

void ArpProbe::cancel() {
    done_ = nullptr;
    if (fd_) loop_.remove(fd_.get());
    fd_.reset();
    if (interval_) interval_->disarm();
}

Status ArpProbe::send_next() {
    const std::vector<uint8_t> probe = arp_probe(mac_, address_);
    sockaddr_ll to{};
    to.sll_family = AF_PACKET;
    to.sll_protocol = htons(ETH_P_ARP);
    to.sll_ifindex = index_;
    to.sll_halen = static_cast<unsigned char>(kBroadcastMac.size());
    std::copy(kBroadcastMac.begin(), kBroadcastMac.end(), to.sll_addr);
    if (sendto(fd_.get(), probe.data(), probe.size(), 0, reinterpret_cast<const sockaddr*>(&to), sizeof to) < 0)
        return errno_error(iface_, "send an ARP probe");
    ++sent_;
    interval_->arm_in(timing_.interval);
    return success();
}

void ArpProbe::on_answers() {
    if (read_answers(fd_.get(), mac_, address_)) finish(true);
}

void ArpProbe::on_interval() {
    if (!fd_) return;
    if (sent_ >= timing_.probes) return finish(false);
    if (auto s = send_next(); !s.ok()) finish(Error{s.error()});
}

// The last thing either handler does: `done` may start the next step of its owner.
void ArpProbe::finish(Result<bool> conflict) {
    Done done = std::move(done_);
    cancel();
    if (done) done(std::move(conflict));
}

Result<bool> probe_address(const std::string& iface, int index, const Mac& mac, const state::IpAddress& address,
                           ProbeTiming timing) {
    auto loop = loop::EventLoop::open();
    if (!loop.ok()) return Error{iface + ": " + loop.error()};
    std::optional<Result<bool>> result;
    auto probe = ArpProbe::start(*loop, iface, index, mac, address, [&](Result<bool> r) { result = std::move(r); },
                                 timing);
    if (!probe.ok()) return Error{probe.error()};
    while (!result)
        if (auto s = loop->run_once(); !s.ok()) return Error{iface + ": " + s.error()};
    return *result;
}

}  // namespace nodenet::dhcp::io
