#include "daemon/io/readiness_notifier.h"

#include <systemd/sd-daemon.h>

#include "store/atomic_file.h"

namespace nodenet::daemon::io {

void ReadinessNotifier::status(const std::string& text) {
    if (text == last_status_) return;
    last_status_ = text;
    sd_notify(0, ("STATUS=" + text).c_str());  // a no-op without NOTIFY_SOCKET
}

Status ReadinessNotifier::ready(const std::string& status_text) {
    if (ready_) return success();
    ready_ = true;
    last_status_ = status_text;
    sd_notify(0, ("READY=1\nSTATUS=" + status_text).c_str());
    if (ready_file_.empty()) return success();
    return store::write_file_atomic(ready_file_, status_text + "\n", 0644);
}

void ReadinessNotifier::stopping() { sd_notify(0, "STOPPING=1"); }

}  // namespace nodenet::daemon::io
