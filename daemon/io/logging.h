// The daemon's log through spdlog: one line per change. Started by systemd with its standard error
// connected to the journal (JOURNAL_STREAM names that stream), it writes journal entries directly
// (through the module nodenet-systemd.so), with the priority of each line, SYSLOG_IDENTIFIER=nodenet
// and the structured fields of the change (EVENT=, OBJECT=, LINK=), so that
// `journalctl -u nodenet LINK=eth0` shows one link's story; otherwise plain lines on standard error.
#pragma once

#include <string>

#include "common/result.h"
#include "daemon/io/systemd_module.h"

namespace nodenet::daemon::io {

// `level`: trace, debug, info, warn, error. Errors name the bad level.
Status setup_logging(const std::string& level);

// Fields given to every journal entry logged while it lives (on this thread); plain lines on stderr
// do not show them, the line itself names the object.
class LogFields {
public:
    explicit LogFields(JournalFields fields);
    ~LogFields();
    LogFields(const LogFields&) = delete;
    LogFields& operator=(const LogFields&) = delete;

private:
    JournalFields previous_;
};

}  // namespace nodenet::daemon::io
