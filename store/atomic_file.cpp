#include "store/atomic_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

namespace nodenet::store {

namespace {

Status errno_error(const std::filesystem::path& path, const char* what) {
    return Error{path.string() + ": " + what + ": " + std::strerror(errno)};
}

}  // namespace

Status write_file_atomic(const std::filesystem::path& path, std::string_view content, mode_t mode,
                         Durability durability) {
    bool durable = durability == Durability::Durable;
    std::filesystem::path dir = path.has_parent_path() ? path.parent_path() : ".";
    std::string tmp = (dir / ("." + path.filename().string() + ".XXXXXX")).string();
    int fd = mkostemp(tmp.data(), O_CLOEXEC);
    if (fd < 0) return errno_error(path, "create temporary file");
    auto cleanup = [&](Status s) {
        close(fd);
        unlink(tmp.c_str());
        return s;
    };
    if (fchmod(fd, mode) != 0) return cleanup(errno_error(path, "chmod"));
    for (size_t off = 0; off < content.size();) {
        ssize_t n = write(fd, content.data() + off, content.size() - off);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return cleanup(errno_error(path, "write"));
        off += static_cast<size_t>(n);
    }
    if (durable && fsync(fd) != 0) return cleanup(errno_error(path, "fsync"));
    if (close(fd) != 0) {
        unlink(tmp.c_str());
        return errno_error(path, "close");
    }
    if (rename(tmp.c_str(), path.c_str()) != 0) {
        Status s = errno_error(path, "rename");
        unlink(tmp.c_str());
        return s;
    }
    // The rename itself must reach the disk, or a crash could bring back the old file.
    if (!durable) return success();
    int dfd = open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        fsync(dfd);
        close(dfd);
    }
    return success();
}

Result<std::string> read_file(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return Error{path.string() + ": " + std::strerror(errno)};
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

}  // namespace nodenet::store
