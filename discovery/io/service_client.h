// The discovery service client over grpc++ (discovery/service_client.h).
#pragma once

#include <memory>

#include "common/result.h"
#include "discovery/service_client.h"

namespace nodenet::discovery {

Result<std::unique_ptr<ServiceClient>> make_service_client(const ClientOptions& options);

}  // namespace nodenet::discovery
