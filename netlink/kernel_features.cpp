#include "netlink/kernel_features.h"

#include <sys/utsname.h>

#include <charconv>

namespace nodenet::netlink {

bool release_keeps_address_protocol(std::string_view release) {
    unsigned major = 0, minor = 0;
    const char* p = release.data();
    const char* end = p + release.size();
    auto r = std::from_chars(p, end, major);
    if (r.ec != std::errc() || r.ptr == end || *r.ptr != '.') return false;  // unknown: assume the old kind
    r = std::from_chars(r.ptr + 1, end, minor);
    if (r.ec != std::errc()) return false;
    return major > 5 || (major == 5 && minor >= 18);
}

bool kernel_keeps_address_protocol() {
    static const bool keeps = [] {
        utsname u{};
        return uname(&u) == 0 && release_keeps_address_protocol(u.release);
    }();
    return keeps;
}

}  // namespace nodenet::netlink
