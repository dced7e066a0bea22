// The discovery server's read-only HTTP view (`GET /inspect?clusterID=…`, JSON from
// discovery/server_inspect.h), served by cpp-httplib (Debian's libcpp-httplib-dev) on its own
// small thread pool, apart from gRPC.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"

namespace nodenet::discovery {

class InspectServer {
public:
    virtual ~InspectServer() = default;  // stops listening and joins its threads
};

// Listens on `listen` (ADDR:PORT, [v6]:PORT) at once; `render` gives the JSON of one cluster.
Result<std::unique_ptr<InspectServer>> start_inspect_server(const std::string& listen,
                                                            std::function<std::string(std::string_view)> render);

}  // namespace nodenet::discovery
