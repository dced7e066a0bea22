// The entry point of nodenet-systemd.so: libsystemd's sd_notify and sd_journal_sendv behind
// SystemdModule (daemon/io/systemd_module.h).
#include "daemon/io/systemd_module.h"

#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "common/module.h"

namespace nodenet::daemon::io {
namespace {

int notify(const std::string& state) { return sd_notify(0, state.c_str()); }

int journal_send(const std::string& message, int priority, const std::string& identifier, const JournalFields& fields) {
    std::vector<std::string> items;
    items.reserve(fields.size() + 3);
    items.push_back("MESSAGE=" + message);
    items.push_back("PRIORITY=" + std::to_string(priority));
    items.push_back("SYSLOG_IDENTIFIER=" + identifier);
    for (const auto& [name, value] : fields) items.push_back(name + "=" + value);
    std::vector<iovec> iov;
    iov.reserve(items.size());
    for (std::string& item : items) iov.push_back(iovec{item.data(), item.size()});
    return sd_journal_sendv(iov.data(), static_cast<int>(iov.size()));
}

const SystemdModule kModule{&notify, &journal_send};

}  // namespace
}  // namespace nodenet::daemon::io

NODENET_MODULE(systemd, nodenet::daemon::io::SystemdModule, nodenet::daemon::io::kModule)
