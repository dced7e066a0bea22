#include "daemon/io/logging.h"

#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <mutex>

#include <spdlog/details/null_mutex.h>
#include <spdlog/sinks/base_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include "common/module_loader.h"

namespace nodenet::daemon::io {

namespace {

thread_local JournalFields current_fields;

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

int syslog_priority(spdlog::level::level_enum level) {
    switch (level) {
        case spdlog::level::critical: return LOG_CRIT;
        case spdlog::level::err: return LOG_ERR;
        case spdlog::level::warn: return LOG_WARNING;
        case spdlog::level::info: return LOG_INFO;
        default: return LOG_DEBUG;
    }
}

// spdlog's own systemd_sink links libsystemd into the program and takes no per-entry fields; this
// one sends through the module with the fields of the change being logged.
class JournalSink final : public spdlog::sinks::base_sink<spdlog::details::null_mutex> {
public:
    explicit JournalSink(const SystemdModule* module) : module_(module) {}

protected:
    void sink_it_(const spdlog::details::log_msg& msg) override {
        std::string text(msg.payload.data(), msg.payload.size());
        module_->journal_send(text, syslog_priority(msg.level), "nodenet", current_fields);
    }
    void flush_() override {}

private:
    const SystemdModule* module_;
};

}  // namespace

LogFields::LogFields(JournalFields fields) : previous_(std::exchange(current_fields, std::move(fields))) {}
LogFields::~LogFields() { current_fields = std::move(previous_); }

Status setup_logging(const std::string& level) {
    auto lvl = spdlog::level::from_str(level);
    if (lvl == spdlog::level::off && level != "off")
        return Error{"--log-level \"" + level + "\": one of trace, debug, info, warn, error, off"};
    std::shared_ptr<spdlog::logger> logger;
    std::string journal_problem;
    if (stderr_is_journal()) {
        auto module = common::load_module<SystemdModule>();
        if (module)
            logger = std::make_shared<spdlog::logger>("nodenet", std::make_shared<JournalSink>(*module));
        else
            journal_problem = module.error();
    }
    if (!logger) {
        logger = std::make_shared<spdlog::logger>("nodenet", std::make_shared<spdlog::sinks::stderr_sink_st>());
        logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
    }
    logger->set_level(lvl);
    logger->flush_on(spdlog::level::trace);  // every line out at once: a test or an operator reads it live
    spdlog::set_default_logger(logger);
    if (!journal_problem.empty()) spdlog::warn("logging to standard error, not the journal: {}", journal_problem);
    return success();
}

}  // namespace nodenet::daemon::io
