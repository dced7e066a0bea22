// KubeSpan's nftables table (`inet nodenet`, kubespan/nft_ruleset.h) in the kernel, through
// libnftables (the module nodenet-nftables.so). Works in the calling thread's network namespace;
// no other table is read or written.
#pragma once

#include <string>

#include "common/result.h"
#include "kubespan/nft_ruleset.h"

namespace nodenet::kubespan::io {

// Makes the table exactly `ruleset`: reads it and writes it (one atomic transaction,
// nft_replace_commands) only when it differs, so that a pass with nothing to change writes
// nothing. `changed` (optional) tells whether it wrote. Errors name the table and carry
// libnftables' message.
Status apply_nft_ruleset(const NftRuleset& ruleset, bool* changed = nullptr);

// Deletes the table; an absent table is success, and nothing is written.
Status remove_nft_ruleset(bool* changed = nullptr);

// The table as `nft -j list table inet nodenet` prints it; an empty string when there is no such
// table.
Result<std::string> list_nft_table_json();

}  // namespace nodenet::kubespan::io
