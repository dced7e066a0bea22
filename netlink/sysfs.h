// What sysfs adds to a link for device selectors: whether it is a physical device, its driver, bus
// path and PCI ID. Talos matches `deviceSelector` against these (busPath, pciID, driver, physical).
#pragma once

#include <string>

#include "state/objects.h"

namespace nodenet::netlink {

// Fills `physical`, `driver`, `bus_path` and `pci_id` of `link` from `<sysfs_root>/class/net/<name>`.
// Virtual links (no `device` entry) keep them unset. A missing or unreadable entry is not an error:
// selectors then simply do not match on that field.
void read_device_info(const std::string& sysfs_root, state::ObservedLink& link);

}  // namespace nodenet::netlink
