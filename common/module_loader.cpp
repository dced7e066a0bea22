#include "common/module_loader.h"

#include <dlfcn.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <map>
#include <mutex>
#include <utility>
#include <vector>

// Set by CMakeLists.txt: the installed module directory, absolute and relative to the directory of
// the installed executable.
#ifndef NODENET_MODULE_DIR
#error "NODENET_MODULE_DIR must be defined (the installed module directory)"
#endif
#ifndef NODENET_MODULE_DIR_FROM_BIN
#error "NODENET_MODULE_DIR_FROM_BIN must be defined (the module directory relative to the executable's)"
#endif

namespace nodenet::common {

namespace {

namespace fs = std::filesystem;

std::vector<fs::path> search_directories() {
    std::vector<fs::path> dirs;
    auto add = [&dirs](const fs::path& dir) {
        fs::path normal = dir.lexically_normal();
        if (!normal.empty() && normal.filename().empty()) normal = normal.parent_path();  // no trailing slash
        for (const fs::path& d : dirs)
            if (d == normal) return;
        dirs.push_back(normal);
    };
    std::error_code ec;
    fs::path exe = fs::read_symlink("/proc/self/exe", ec);
    if (!ec && exe.is_absolute()) {
        add(exe.parent_path());
        add(exe.parent_path() / NODENET_MODULE_DIR_FROM_BIN);
    }
    add(NODENET_MODULE_DIR);
    return dirs;
}

std::string joined(const std::vector<fs::path>& dirs) {
    std::string out;
    for (const fs::path& d : dirs) out += (out.empty() ? "" : ":") + d.string();
    return out;
}

Result<const void*> check_module(void* handle, const std::string& file, const std::string& name, uint32_t version) {
    std::string entry = "nodenet_module_" + name;
    dlerror();
    void* symbol = dlsym(handle, entry.c_str());
    if (!symbol) return Error{file + ": no entry point " + entry + " (not a nodenet module)"};
    auto info = reinterpret_cast<const ModuleInfo* (*)()>(symbol)();
    if (!info || info->info_size < sizeof(ModuleInfo) || !info->name || name != info->name)
        return Error{file + ": " + entry + " describes another module"};
    if (info->interface_version != version || !info->compiler || std::strcmp(info->compiler, __VERSION__) != 0)
        return Error{file + ": from another nodenet build (interface version " +
                     std::to_string(info->interface_version) + ", compiler " + (info->compiler ? info->compiler : "?") +
                     "; this nodenet needs version " + std::to_string(version) + ", compiler " + __VERSION__ + ")"};
    if (!info->interface) return Error{file + ": " + entry + " has no interface"};
    return info->interface;
}

Result<const void*> open_module(const std::string& name, uint32_t version) {
    std::string filename = "nodenet-" + name + ".so";
    std::vector<fs::path> dirs = search_directories();
    for (const fs::path& dir : dirs) {
        std::string file = (dir / filename).string();
        struct stat st {};
        if (stat(file.c_str(), &st) != 0) continue;
        // RTLD_LOCAL: the module's libraries stay out of the global scope, so that no later symbol
        // lookup of the program walks them. Never closed: its code backs objects handed out.
        void* handle = dlopen(file.c_str(), RTLD_NOW | RTLD_LOCAL);
        if (!handle) {
            const char* why = dlerror();
            return Error{"cannot load module " + file + ": " + (why ? why : "unknown error")};
        }
        return check_module(handle, file, name, version);
    }
    return Error{"module " + filename + " not found in " + joined(dirs) + " (is nodenet installed completely?)"};
}

}  // namespace

Result<const void*> load_module(const std::string& name, uint32_t interface_version) {
    static std::mutex mutex;
    static std::map<std::pair<std::string, uint32_t>, Result<const void*>> loaded;
    std::lock_guard lock(mutex);
    auto key = std::make_pair(name, interface_version);
    auto it = loaded.find(key);
    if (it == loaded.end()) it = loaded.emplace(key, open_module(name, interface_version)).first;
    return it->second;
}

std::string module_search_path() { return joined(search_directories()); }

}  // namespace nodenet::common
