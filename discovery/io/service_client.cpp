#include "discovery/io/service_client.h"

namespace nodenet::discovery {

Result<std::unique_ptr<ServiceClient>> make_service_client(const ClientOptions& options) {
    return Error{"discovery service " + options.endpoint + ": the client is not built yet"};
}

}  // namespace nodenet::discovery
