#include "engine/config_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace nodenet::engine {

Result<ConfigFile> read_config_file(const std::string& path, uint64_t max_bytes) {
    int fd = path == "-" ? dup(STDIN_FILENO) : open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return Error{path + ": " + std::strerror(errno)};
    ConfigFile file;
    struct stat st {};
    if (fstat(fd, &st) == 0) {
        if (S_ISDIR(st.st_mode)) {
            close(fd);
            return Error{path + ": is a directory"};
        }
        if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
            close(fd);
            file.too_large = true;
            file.size = static_cast<uint64_t>(st.st_size);
            return file;
        }
    }
    // One buffer for the whole file: a string grown by doubling leaves its earlier buffers behind
    // (with ASan, in its quarantine), about twice the file at the limit. A regular file's size is
    // known; a pipe gets the limit reserved, which costs address space, not memory, until read.
    file.text.reserve(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) : static_cast<size_t>(max_bytes));
    // Pipes have no size up front: read one byte past the limit to know it was crossed.
    char buf[65536];
    uint64_t total = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) {
            int err = errno;
            close(fd);
            return Error{path + ": " + std::strerror(err)};
        }
        if (n == 0) break;
        total += static_cast<uint64_t>(n);
        if (total > max_bytes) {
            file.too_large = true;
            std::string().swap(file.text);
            break;
        }
        file.text.append(buf, static_cast<size_t>(n));
    }
    close(fd);
    return file;
}

}  // namespace nodenet::engine
