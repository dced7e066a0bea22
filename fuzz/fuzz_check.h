// What every fuzz target asserts with: a failed check stops the run at once (a trap libFuzzer
// reports with the input), and the texts nodenet shows (errors, names) must stay one printable line.
#pragma once

#include <string>

namespace nodenet::fuzz {

inline void check(bool ok) {
    if (!ok) __builtin_trap();
}

inline bool one_printable_line(const std::string& text) {
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7F) return false;
    }
    return true;
}

}  // namespace nodenet::fuzz
