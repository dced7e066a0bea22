// The config's WireGuard settings (state::WireguardSettings, base64 keys as written) as a device
// config. Kept apart from device.h so that the state model can hold DeviceConfig values.
#pragma once

#include "common/result.h"
#include "state/objects.h"
#include "wireguard/device.h"

namespace nodenet::wireguard {

// Base64 keys decoded, endpoints checked, allowed IPs masked. Errors name the peer
// ("peers[1] (xTIB…=): endpoint …").
Result<DeviceConfig> device_config(const state::WireguardSettings& settings);

}  // namespace nodenet::wireguard
