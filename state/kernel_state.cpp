// Lookups in a kernel snapshot. A host has few links, so a linear search beats building an index
// that every snapshot would pay for.
#include <algorithm>

#include "state/objects.h"

namespace nodenet::state {

const ObservedLink* KernelState::link(std::string_view name) const {
    auto it = std::find_if(links.begin(), links.end(), [&](const ObservedLink& l) { return l.name == name; });
    return it == links.end() ? nullptr : &*it;
}

const ObservedLink* KernelState::link(int index) const {
    auto it = std::find_if(links.begin(), links.end(), [&](const ObservedLink& l) { return l.index == index; });
    return it == links.end() ? nullptr : &*it;
}

}  // namespace nodenet::state
