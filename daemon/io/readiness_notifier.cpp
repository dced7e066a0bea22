#include "daemon/io/readiness_notifier.h"

#include <cstdlib>

#include <spdlog/spdlog.h>

#include "common/module_loader.h"
#include "daemon/io/systemd_module.h"
#include "store/atomic_file.h"

namespace nodenet::daemon::io {
namespace {

// sd_notify through the module, loaded only when a service manager listens (NOTIFY_SOCKET): a
// daemon started by a script or a test never maps libsystemd.
void notify(const std::string& state) {
    if (!std::getenv("NOTIFY_SOCKET")) return;
    auto module = common::load_module<SystemdModule>();
    if (!module) {
        spdlog::warn("cannot tell the service manager \"{}\": {}", state.substr(0, state.find('\n')), module.error());
        return;
    }
    (*module)->notify(state);
}

}  // namespace

void ReadinessNotifier::status(const std::string& text) {
    if (text == last_status_) return;
    last_status_ = text;
    notify("STATUS=" + text);
}

Status ReadinessNotifier::ready(const std::string& status_text) {
    if (ready_) return success();
    ready_ = true;
    last_status_ = status_text;
    notify("READY=1\nSTATUS=" + status_text);
    if (ready_file_.empty()) return success();
    return store::write_file_atomic(ready_file_, status_text + "\n", 0644);
}

void ReadinessNotifier::stopping() { notify("STOPPING=1"); }

}  // namespace nodenet::daemon::io
