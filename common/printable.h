// Text from the network or a daemon made safe for one log or table line.
#pragma once

#include <string>
#include <string_view>

namespace nodenet {

// Printable ASCII kept, every other byte (control characters, a line break, UTF-8) shown as '?',
// and at most `limit` characters, then "…": a server's message cannot forge or flood log lines.
inline std::string printable_ascii(std::string_view text, size_t limit = 256) {
    std::string out;
    for (char c : text) {
        if (out.size() >= limit) return out + "…";
        out += (c >= 0x20 && c < 0x7F) ? c : '?';
    }
    return out;
}

}  // namespace nodenet
