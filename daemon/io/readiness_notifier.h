// Telling whoever started the daemon that the network is up: systemd through sd_notify
// (`Type=notify` units: READY=1 and a STATUS= line), and a file for everything else (an initramfs
// script, a test) when --ready-file is given.
#pragma once

#include <filesystem>
#include <string>

#include "common/result.h"

namespace nodenet::daemon::io {

class ReadinessNotifier {
public:
    explicit ReadinessNotifier(std::filesystem::path ready_file) : ready_file_(std::move(ready_file)) {}

    // STATUS= only (what the daemon waits for); sent when it changes.
    void status(const std::string& text);
    // READY=1 with a STATUS= line, and the ready file (its content: the status line). Once.
    Status ready(const std::string& status_text);
    void stopping();
    bool is_ready() const { return ready_; }

private:
    std::filesystem::path ready_file_;
    std::string last_status_;
    bool ready_ = false;
};

}  // namespace nodenet::daemon::io
