// The kernel's WG_CMD_GET_DEVICE dump and acknowledgements, from arbitrary bytes taken as one
// received datagram: a device or an error, never a crash, a leak or unbounded memory. A device that
// was read is turned into SET_DEVICE requests (whole, and cut into small ones), which must decode
// back to the same device.
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/wireguard.h>

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "wireguard/genl_codec.h"

using namespace nodenet;
using namespace nodenet::wireguard;

namespace {

constexpr uint16_t kFamily = 0x1d;  // the seeds in fuzz/corpus/wireguard_genl use it
constexpr uint32_t kSeq = 1;

// SET_DEVICE requests dressed as the dump the kernel would send for them.
std::vector<uint8_t> as_dump(std::vector<GenlMessage> requests) {
    std::vector<uint8_t> out;
    for (GenlMessage& m : requests) {
        auto* h = reinterpret_cast<nlmsghdr*>(m.data());
        h->nlmsg_seq = kSeq;
        h->nlmsg_flags = NLM_F_MULTI;
        reinterpret_cast<genlmsghdr*>(m.data() + NLMSG_HDRLEN)->cmd = WG_CMD_GET_DEVICE;
        out.insert(out.end(), m.begin(), m.end());
    }
    nlmsghdr done{};
    done.nlmsg_len = NLMSG_LENGTH(sizeof(int));
    done.nlmsg_type = NLMSG_DONE;
    done.nlmsg_seq = kSeq;
    size_t at = out.size();
    out.resize(at + NLMSG_LENGTH(sizeof(int)), 0);
    std::memcpy(out.data() + at, &done, sizeof done);
    return out;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> bytes(data, size);
    auto ack = genl_find_ack(bytes, kSeq);
    if (!ack.ok() && ack.error().empty()) __builtin_trap();

    GenlDeviceDump dump(kFamily, kSeq);
    Status added = dump.add(bytes);
    if (!added.ok()) {
        if (added.error().empty()) __builtin_trap();
        return 0;
    }
    if (!dump.done()) return 0;
    auto config = dump.take();
    if (!config.ok()) {
        if (config.error().empty()) __builtin_trap();
        return 0;
    }
    // A device is as it is: nothing to write.
    if (!device_patch(*config, *config).empty()) __builtin_trap();
    for (size_t limit : {kGenlMessageLimit, size_t{512}}) {
        auto requests = genl_set_requests(kFamily, "wg0", *config, kSeq, limit);
        if (!requests.ok()) __builtin_trap();
        for (const GenlMessage& m : *requests)
            if (m.size() > limit) __builtin_trap();
        GenlDeviceDump back(kFamily, kSeq);
        if (!back.add(as_dump(std::move(*requests))).ok() || !back.done()) __builtin_trap();
        auto again = back.take();
        if (!again.ok() || !(*again == *config)) __builtin_trap();
    }
    return 0;
}
