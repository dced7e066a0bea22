// The daemon's control socket: any bytes a local client may send as a request line. Whatever is
// accepted must round-trip through the client's own encoding unchanged.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "daemon/control_protocol.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    using namespace nodenet::daemon;
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto r = parse_request(line, 16 * 1024 * 1024);
    if (!r.ok()) return 0;
    std::string again = request_line(*r);
    auto back = parse_request(std::string_view(again).substr(0, again.size() - 1), 16 * 1024 * 1024);
    if (!back.ok() || back->op != r->op || back->links.size() != (r->op == Op::WaitOnline ? r->links.size() : 0u))
        std::abort();
    return 0;
}
