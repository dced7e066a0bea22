// RFC 5227 address conflict detection before an address is used, scaled down: RFC 5227 waits 1–2 s
// before and between its three probes (about 7 s in all), which would hold up every boot; three
// probes over about 300 ms catch any host that answers ARP on a quiet link, as dhcpcd's and
// systemd-networkd's short modes do.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "dhcp/arp_codec.h"
#include "dhcp/io/unique_fd.h"
#include "loop/event_loop.h"
#include "state/ip.h"

namespace nodenet::dhcp::io {

struct ProbeTiming {
    int probes = 3;
    std::chrono::milliseconds interval{100};  // between probes, and after the last one
};

// The probe as a guest of an event loop: answers and intervals are events of the loop, so the
// other links' clients in the same loop go on while an address is checked.
class ArpProbe {
public:
    // True: another host uses or claims the address. Called once, from the loop, unless the probe
    // is cancelled or destroyed first; the probe must not be destroyed inside it.
    using Done = std::function<void(Result<bool> conflict)>;

    // Sends the first probe for `address` on link `index` (`iface` names it in errors) from `mac`
    // at once; errors up to that point are returned, later ones handed to `done`.
    static Result<std::unique_ptr<ArpProbe>> start(loop::EventLoop& loop, const std::string& iface, int index,
                                                   const Mac& mac, const state::IpAddress& address, Done done,
                                                   ProbeTiming timing = {});
    ~ArpProbe() { cancel(); }
    ArpProbe(const ArpProbe&) = delete;
    ArpProbe& operator=(const ArpProbe&) = delete;

    // Leaves the loop without calling `done`.
    void cancel();

private:
    ArpProbe(loop::EventLoop& loop, std::string iface, int index, const Mac& mac, const state::IpAddress& address,
             Done done, ProbeTiming timing, UniqueFd fd);
    Status send_next();
    void on_answers();
    void on_interval();
    void finish(Result<bool> conflict);

    loop::EventLoop& loop_;
    std::string iface_;
    int index_;
    Mac mac_;
    state::IpAddress address_;
    Done done_;
    ProbeTiming timing_;
    UniqueFd fd_;
    std::unique_ptr<loop::Timer> interval_;
    int sent_ = 0;
};

// The same probe in a loop of its own: blocks for probes × interval, less when a host answers.
Result<bool> probe_address(const std::string& iface, int index, const Mac& mac, const state::IpAddress& address,
                           ProbeTiming timing = {});

}  // namespace nodenet::dhcp::io
