#include "engine/program_identity.h"

#include <elf.h>
#include <link.h>

#include <cstdio>
#include <cstring>

namespace nodenet::engine {

namespace {

// The first object dl_iterate_phdr reports is the main program.
int find_build_id(dl_phdr_info* info, size_t, void* out) {
    auto& id = *static_cast<std::string*>(out);
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& ph = info->dlpi_phdr[i];
        if (ph.p_type != PT_NOTE) continue;
        const char* p = reinterpret_cast<const char*>(info->dlpi_addr + ph.p_vaddr);
        const char* end = p + ph.p_memsz;
        while (p + sizeof(ElfW(Nhdr)) <= end) {
            ElfW(Nhdr) note;
            std::memcpy(&note, p, sizeof note);
            const char* name = p + sizeof note;
            const char* desc = name + ((note.n_namesz + 3) & ~3u);
            const char* next = desc + ((note.n_descsz + 3) & ~3u);
            if (next > end) break;
            if (note.n_type == NT_GNU_BUILD_ID && note.n_namesz == 4 && std::memcmp(name, "GNU", 4) == 0) {
                char hex[3];
                for (unsigned j = 0; j < note.n_descsz; ++j) {
                    std::snprintf(hex, sizeof hex, "%02x", static_cast<unsigned char>(desc[j]));
                    id += hex;
                }
                return 1;
            }
            p = next;
        }
    }
    return 1;
}

}  // namespace

const std::string& program_identity() {
    static const std::string id = [] {
        std::string found;
        dl_iterate_phdr(find_build_id, &found);
        return found;
    }();
    return id;
}

}  // namespace nodenet::engine
