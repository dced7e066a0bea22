// What the daemon asks of systemd: readiness (sd_notify) and structured journal entries
// (sd_journal_sendv). libsystemd brings libgcrypt, liblzma, libzstd, liblz4 and libcap; it lives in
// the module nodenet-systemd.so (daemon/io/systemd_module.cpp, common/module.h), loaded only when
// systemd is there to listen: NOTIFY_SOCKET set, or standard error connected to the journal. Every
// other run, every other command, never maps it.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace nodenet::daemon::io {

// A journal field: name (upper case, as journald requires) and value.
using JournalFields = std::vector<std::pair<std::string, std::string>>;

struct SystemdModule {
    static constexpr char kName[] = "systemd";
    static constexpr uint32_t kVersion = 1;

    // sd_notify(0, state): > 0 sent, 0 no NOTIFY_SOCKET, < 0 -errno.
    int (*notify)(const std::string& state);
    // One journal entry: MESSAGE=, PRIORITY= (syslog level), SYSLOG_IDENTIFIER= and `fields`.
    // 0 or -errno.
    int (*journal_send)(const std::string& message, int priority, const std::string& identifier,
                        const JournalFields& fields);
};

}  // namespace nodenet::daemon::io
