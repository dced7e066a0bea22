#include "daemon/io/logging.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/systemd_sink.h>
#include <spdlog/spdlog.h>

namespace nodenet::daemon::io {

namespace {

// JOURNAL_STREAM is "DEVICE:INODE" of the stream systemd connected; it counts only when standard
// error is still that stream (a child with redirected output inherits the variable).
bool stderr_is_journal() {
    const char* env = std::getenv("JOURNAL_STREAM");
    if (!env) return false;
    unsigned long long dev = 0, ino = 0;
    if (std::sscanf(env, "%llu:%llu", &dev, &ino) != 2) return false;
    struct stat st {};
    if (fstat(STDERR_FILENO, &st) != 0) return false;
    return st.st_dev == dev && st.st_ino == ino;
}

}  // namespace

Status setup_logging(const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        return Error{"--log-level \"" + level + "\": one of trace, debug, info, warn, error, off"};
    std::shared_ptr<spdlog::logger> logger;
    if (stderr_is_journal()) {
        logger = std::make_shared<spdlog::logger>("nodenet", std::make_shared<spdlog::sinks::systemd_sink_st>("nodenet"));
    } else {
        logger = std::make_shared<spdlog::logger>("nodenet", std::make_shared<spdlog::sinks::stderr_sink_st>());
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::trace);  // every line out at once: a test or an operator reads it live
    spdlog::set_default_logger(logger);
    return success();
}

}  // namespace nodenet::daemon::io
