#include "dns/io/resolved_client.h"

namespace nodenet::dns {

Result<std::unique_ptr<ResolvedClient>> connect_resolved() { return Error{"systemd-resolved: not built yet"}; }

}  // namespace nodenet::dns
