// The discovery server's state as bytes (discovery/proto/server_snapshot.proto) and back. Pure:
// `now` is passed in; the file is written by the adapter (store/atomic_file.h).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"
#include "discovery/server_state.h"

namespace nodenet::discovery {

// Every affiliate and endpoint not yet expired at `now`, with its remaining TTL. Watchers are not
// kept: their streams end with the process, and clients re-watch.
std::string encode_server_snapshot(const ServerState& state, ServerTime now);

// A state holding the snapshot's affiliates, their TTLs counted from `now`. Each affiliate goes
// through ServerState::update, so a snapshot cannot carry what a client could not send; anything
// unreadable or out of limits refuses the whole snapshot, with the reason (the caller names the
// file): starting with part of the state would silently lose the rest at the next write.
Result<ServerState> decode_server_snapshot(std::string_view bytes, ServerTime now);

}  // namespace nodenet::discovery
