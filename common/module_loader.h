// Loads nodenet's optional modules (common/module.h) on first use.
//
// nodenet-<name>.so is looked for, in this order, in:
//   1. the directory of the running executable (a build tree: modules are built beside nodenet and
//      linked beside the test binary);
//   2. the module directory relative to the executable (../lib/<arch>/nodenet from sbin/), so that an
//      installed tree works under any prefix and when staged with DESTDIR;
//   3. the module directory of the configured prefix (/usr/lib/<arch>/nodenet), for a binary copied
//      elsewhere.
// The first file that exists is loaded (RTLD_NOW | RTLD_LOCAL) and never unloaded; a file that
// exists but does not load is an error, not a reason to try the next directory.
#pragma once

#include <string>

#include "common/module.h"
#include "common/result.h"

namespace nodenet::common {

// The module's interface; loaded once per process, later calls return the same pointer (also the
// same error). Thread-safe. The error names the module, every path tried and the reason.
Result<const void*> load_module(const std::string& name, uint32_t interface_version);

template <class Interface>
Result<const Interface*> load_module() {
    Result<const void*> loaded = load_module(Interface::kName, Interface::kVersion);
    if (!loaded) return Error{loaded.error()};
    return static_cast<const Interface*>(*loaded);
}

// The directories searched, in order (for messages and tests).
std::string module_search_path();

}  // namespace nodenet::common
