// Digests that let an unchanged config and an unchanged kernel be recognised without parsing the
// config again: a re-apply of the config last found in sync costs one kernel read.
//
// The plan is a function of the config text, the program, the links present (device selectors
// and names), what nodenet owns, and the managed part of the kernel state. When all of them are
// as they were when a plan came out empty, the plan is empty again.
#pragma once

#include <string>
#include <string_view>

#include "state/objects.h"

namespace nodenet::plan {

// XXH3-128 of the text, in hex. Not a cryptographic hash, and it need not be one: whoever can
// write the config or change the kernel's routes can change the network anyway; the digests
// only have to tell real changes apart, and 128 bits leave no room for an accident.
std::string text_digest(std::string_view text);

// The digest of everything of a snapshot a plan or a device selector can read: each link (all but
// its carrier, which nodenet does not manage), each address (all but the ticking lifetimes) and
// each route and each rule, in the kernel's order.
std::string kernel_digest(const state::KernelState& kernel);

}  // namespace nodenet::plan
