// The entry point of nodenet-discovery.so: the client and the server behind DiscoveryModule.
#include "common/module.h"
#include "discovery/io/discovery_module.h"
#include "discovery/io/server.h"
#include "discovery/io/service_client.h"

namespace nodenet::discovery {
namespace {

const DiscoveryModule kModule{&make_service_client, &run_discovery_server};

}  // namespace
}  // namespace nodenet::discovery

NODENET_MODULE(discovery, nodenet::discovery::DiscoveryModule, nodenet::discovery::kModule)
