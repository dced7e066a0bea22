// The UAPI replies of a userspace WireGuard daemon, from arbitrary bytes: any input gives a device or
// an error saying why, never a crash, a leak or unbounded memory; and a device that was read is
// written and read back the same.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "wireguard/uapi_codec.h"

using namespace nodenet::wireguard;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    (void)reply_end(text);
    auto set = parse_set_reply(text);
    if (!set.ok() && set.error().empty()) __builtin_trap();

    auto config = parse_get_reply(text);
    if (!config.ok()) {
        if (config.error().empty()) __builtin_trap();  // every refusal says what is wrong
        return 0;
    }
    auto again = parse_get_reply(format_get_reply(*config));
    if (!again.ok() || !(*again == *config)) __builtin_trap();
    // A device is as it is: nothing to write.
    if (!device_patch(*config, *config).empty()) __builtin_trap();
    // What a device reported can be sent to a device: endpoints come back canonical.
    if (!set_request(*config).ok()) __builtin_trap();
    return 0;
}
