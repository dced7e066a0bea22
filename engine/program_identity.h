// Which build of nodenet is running: its GNU build ID, which the linker derives from the code, so
// that a record one build made is never trusted by another.
#pragma once

#include <string>

namespace nodenet::engine {

// Hex build ID of the main executable; empty when it has none (then nothing is cached).
const std::string& program_identity();

}  // namespace nodenet::engine
