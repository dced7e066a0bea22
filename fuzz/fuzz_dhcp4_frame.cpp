// The DHCP client's link-level input from arbitrary bytes: IPv4/UDP frame parsing (with and without
// the UDP checksum check) and the ARP probe's reading of answers must neither crash nor read out of
// bounds; a frame that parses must be rebuilt by build_udp_frame into one that parses the same.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <span>

#include "dhcp/arp_codec.h"
#include "dhcp/dhcp4_codec.h"
#include "dhcp/ip_udp_codec.h"
#include "fuzz/fuzz_check.h"

namespace {

using nodenet::fuzz::check;
using namespace nodenet::dhcp;

void round_trip(std::span<const uint8_t> input, const UdpDatagram& d) {
    check(d.payload.data() >= input.data() && d.payload.data() + d.payload.size() <= input.data() + input.size());
    check(d.endpoints.destination_port == kClientPort);
    auto again = build_udp_frame(d.payload, d.endpoints);
    check(again.ok());
    auto back = parse_udp_frame(*again, kClientPort);
    check(back.ok() && back->endpoints == d.endpoints);
    check(std::equal(back->payload.begin(), back->payload.end(), d.payload.begin(), d.payload.end()));
    (void)decode(d.payload);  // what the client does next with it
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::span<const uint8_t> input(data, size);
    for (bool verify : {true, false}) {
        auto d = parse_udp_frame(input, kClientPort, verify);
        if (d.ok())
            round_trip(input, *d);
        else
            check(d.error().rfind("IPv4/UDP frame: ", 0) == 0);  // every refusal says what it refused
    }
    const Mac mac = {0x52, 0x54, 0x00, 0x6e, 0x6e, 0x01};
    (void)arp_conflict(input, mac, ipv4(10, 77, 0, 57));
    return 0;
}
