// Optional parts of nodenet built as shared modules (nodenet-<name>.so) and loaded on first use,
// so that a library only some runs need costs nothing to the others: sdbus-c++ and libsystemd (with
// libgcrypt, liblzma, libzstd, liblz4, libcap) are mapped only when systemd-resolved is asked.
//
// A module is a small adapter around the library, behind an interface declared in a header of the
// host (a struct of function pointers, or a factory returning an abstract class):
//
//   // dns/io/resolved_bus.h (host and module)
//   struct ResolvedModule {
//       static constexpr char kName[] = "resolved";   // nodenet-resolved.so, nodenet_module_resolved
//       static constexpr uint32_t kVersion = 1;        // bumped on every change of this struct
//       Result<std::unique_ptr<ResolvedBus>> (*connect_system_bus)();
//   };
//   // dns/io/resolved_module.cpp (the module only)
//   const ResolvedModule kModule{&connect};
//   NODENET_MODULE(resolved, ResolvedModule, kModule)
//   // the host
//   Result<const ResolvedModule*> m = common::load_module<ResolvedModule>();
//
// The interface may carry C++ types (std::string, std::unique_ptr, Result): host and modules come
// from one build and are installed together; the loader refuses a module built for another
// interface version or by another compiler. Exceptions do not cross the boundary: a module catches
// its library's exceptions and returns errors as values, as every I/O adapter of nodenet does.
#pragma once

#include <cstdint>

namespace nodenet::common {

struct ModuleInfo {
    uint32_t info_size;         // sizeof(ModuleInfo) in the module's build
    const char* name;           // "resolved"
    uint32_t interface_version; // Interface::kVersion in the module's build
    const char* compiler;       // __VERSION__ of the module's compiler (the C++ ABI of the interface)
    const void* interface;      // the Interface instance
};

}  // namespace nodenet::common

// Defines the module's entry point `nodenet_module_<name>`, the only symbol it exports (modules are
// compiled with hidden visibility).
#define NODENET_MODULE(name, Interface, instance)                                                             \
    extern "C" __attribute__((visibility("default"))) const ::nodenet::common::ModuleInfo* nodenet_module_##name() { \
        static_assert(sizeof(#name) == sizeof(Interface::kName) &&                                            \
                          __builtin_memcmp(#name, Interface::kName, sizeof(#name)) == 0,                      \
                      "NODENET_MODULE's name must be the interface's kName");                                 \
        static const ::nodenet::common::ModuleInfo info{sizeof(::nodenet::common::ModuleInfo), #name,         \
                                                        Interface::kVersion, __VERSION__, &(instance)};      \
        return &info;                                                                                          \
    }
