#include "kubespan/io/nft_table.h"

#include <nlohmann/json.hpp>
#include <sstream>

#include "common/module_loader.h"
#include "kubespan/io/nftables_module.h"

namespace nodenet::kubespan::io {

namespace {

using json = nlohmann::json;

const std::string kTableName = "nftables table inet nodenet";

// libnftables' error text on one line: its messages without the source echo and the ^^^ markers
// under it.
std::string one_line(const std::string& text) {
    std::istringstream in(text);
    std::string out;
    for (std::string line; std::getline(in, line);) {
        if (line.find_first_not_of(" \t^~") == std::string::npos) continue;
        if (line.rfind("Error:", 0) != 0 && line.rfind("Warning:", 0) != 0 && !out.empty()) continue;
        out += (out.empty() ? "" : "; ") + line;
    }
    return out.empty() ? "failed, without a message" : out;
}

// Runs `commands`; `what` names the operation in the error.
Result<NftOutcome> run(const json& commands, const std::string& what) {
    Result<const NftablesModule*> module = common::load_module<NftablesModule>();
    if (!module) return Error{kTableName + ": " + what + ": " + module.error()};
    NftOutcome outcome = (*module)->run_json(commands.dump());
    if (outcome.status != 0) return Error{kTableName + ": " + what + ": " + one_line(outcome.error)};
    return outcome;
}

// Whether the inet tables include ours (after a failed listing: absent, or another failure).
Result<bool> table_exists() {
    Result<NftOutcome> tables = run(nft_list_tables_commands(), "list tables");
    if (!tables) return Error{tables.error()};
    json listing = json::parse(tables->output, nullptr, /*allow_exceptions=*/false);
    if (!listing.is_object() || !listing.contains("nftables") || !listing["nftables"].is_array())
        return Error{kTableName + ": list tables: unexpected output " + tables->output.substr(0, 200)};
    for (const json& item : listing["nftables"]) {
        const json* table = item.is_object() && item.contains("table") ? &item["table"] : nullptr;
        if (table && table->is_object() && table->value("family", "") == kNftFamily &&
            table->value("name", "") == kNftTable)
            return true;
    }
    return false;
}

}  // namespace

Result<std::string> list_nft_table_json() {
    Result<NftOutcome> listed = run(nft_list_commands(), "list");
    if (listed) return listed->output;
    // libnftables says "No such file or directory" for an absent table, in words that may change
    // between versions: the list of tables tells for sure.
    Result<bool> exists = table_exists();
    if (exists && !*exists) return std::string();
    return Error{listed.error()};
}

Status apply_nft_ruleset(const NftRuleset& ruleset, bool* changed) {
    if (changed) *changed = false;
    Result<json> desired = nft_desired_table(ruleset);
    if (!desired) return Error{desired.error()};
    Result<std::string> listing = list_nft_table_json();
    if (!listing) return Error{listing.error()};
    if (!listing->empty()) {
        // A listing that does not normalise (a newer nft's format, say) is not ours to keep: the
        // write below replaces the table with what it must be.
        Result<json> current = normalise_nft_table(std::string_view(*listing));
        if (current && *current == *desired) return success();
    }
    Result<json> commands = nft_replace_commands(ruleset);
    if (!commands) return Error{commands.error()};
    Result<NftOutcome> written = run(*commands, "replace");
    if (!written) return Error{written.error()};
    if (changed) *changed = true;
    return success();
}

Status remove_nft_ruleset(bool* changed) {
    if (changed) *changed = false;
    Result<std::string> listing = list_nft_table_json();
    if (!listing) return Error{listing.error()};
    if (listing->empty()) return success();
    Result<NftOutcome> deleted = run(nft_delete_commands(), "delete");
    if (!deleted) return Error{deleted.error()};
    if (changed) *changed = true;
    return success();
}

}  // namespace nodenet::kubespan::io
