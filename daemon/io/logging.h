// The daemon's log through spdlog: one line per change. Started by systemd with its standard error
// connected to the journal (JOURNAL_STREAM names that stream), it logs to journald directly, with
// the priority of each line and SYSLOG_IDENTIFIER=nodenet; otherwise plain lines on standard error.
#pragma once

#include <string>

#include "common/result.h"

namespace nodenet::daemon::io {

// `level`: trace, debug, info, warn, error. Errors name the bad level.
Status setup_logging(const std::string& level);

}  // namespace nodenet::daemon::io
