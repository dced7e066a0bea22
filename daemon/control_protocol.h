// The control socket's protocol, pure: a request is one JSON line (at most kMaxHeaderBytes), an
// apply's config follows it as `config_bytes` raw bytes (at most the config size limit); every
// answer is a stream of JSON lines — {"out": text}, {"err": text}, {"event": {...}},
// {"status": {...}}, {"resources": [...]} — ending with {"exit": code}, the exit status the client returns.
// Whatever a local client sends is checked here before the daemon acts on it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/result.h"

namespace nodenet::daemon {

inline constexpr size_t kMaxHeaderBytes = 64 * 1024;

enum class Op { Status, Events, WaitOnline, Apply, Confirm, Reload, Get, Leave };

struct Request {
    Op op = Op::Status;
    // events
    size_t tail = 0;
    bool follow = false;
    // wait-online
    std::vector<std::string> links;
    bool any = false;
    // apply
    uint64_t config_bytes = 0;
    std::string config_path;  // the client's name for the file, for messages
    int confirm_timeout = 0;
    std::string output = "text";
    // get: a resource kind ("affiliates") and namespace ("" = the kind's own)
    std::string kind, ns;
};

// Whether `op` changes what the daemon does (only root or the control group may).
bool changes_state(Op op);
std::string_view op_name(Op op);

// The request of one header line (without its newline). Errors say what is wrong, for the client.
Result<Request> parse_request(std::string_view line, uint64_t max_config_bytes);
// The header line a client sends (with its newline).
std::string request_line(const Request& r);

}  // namespace nodenet::daemon
