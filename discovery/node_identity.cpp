#include "discovery/node_identity.h"

#include "common/printable.h"
#include "config/go_syntax.h"
#include "config/yaml_tree.h"
#include "discovery/base62.h"

namespace nodenet::discovery {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// yaml.v3 quotes a string that a reader would resolve to another type. A base62 string can only
// look like an integer or a float (`[0-9]+`, `[0-9]+[eE][0-9]+`); it never contains the '-', ':',
// '.' or '_' of the other forms, and is too long to be a boolean or null.
bool reads_as_number(std::string_view s) {
    size_t i = 0;
    while (i < s.size() && is_digit(s[i])) ++i;
    if (i == 0) return false;
    if (i == s.size()) return true;
    if (s[i] != 'e' && s[i] != 'E') return false;
    size_t exponent = ++i;
    while (i < s.size() && is_digit(s[i])) ++i;
    return i == s.size() && i > exponent;
}

}  // namespace

std::string node_id_from_bytes(const std::array<uint8_t, kNodeIdBytes>& random) { return base62_encode(random); }

Status check_node_id(std::string_view node_id) {
    if (node_id.empty()) return Error{"empty"};
    auto raw = base62_decode(node_id);
    if (!raw.ok()) return Error{raw.error()};
    if (raw->size() != kNodeIdBytes)
        return Error{"decodes to " + std::to_string(raw->size()) + " bytes, not " + std::to_string(kNodeIdBytes)};
    // The decoder maps several strings to the same bytes (a lost last character may still give 32);
    // Talos only ever writes the encoder's form, so anything else is a damaged file.
    if (base62_encode(*raw) != node_id)
        return Error{"not the base62 of the 32 bytes it decodes to (a character lost or changed?)"};
    return success();
}

std::string render_node_identity(std::string_view node_id) {
    std::string id(node_id);
    if (reads_as_number(node_id)) id = "\"" + id + "\"";
    return "nodeId: " + id + "\n";
}

Result<std::string> parse_node_identity(std::string_view text, std::string_view name) {
    auto fail = [&](const std::string& why) { return Error{std::string(name) + ": " + why}; };
    yaml::Stream stream;
    yaml::SyntaxError syntax;
    if (!yaml::parse(text, stream, syntax)) {
        return fail("not YAML: line " + std::to_string(syntax.mark.line) + ", column " +
                    std::to_string(syntax.mark.column) + ": " + printable_ascii(syntax.message));
    }
    if (stream.documents.empty() || stream.documents.front().root->is_null()) return fail("empty");
    const yaml::Node* root = stream.documents.front().root;
    if (!root->is_mapping()) return fail(std::string("a YAML ") + yaml::kind_name(root->kind) + ", not a mapping with nodeId");
    const yaml::Node* id = root->get("nodeId");
    if (id == nullptr) return fail("no nodeId");
    if (id->is_null()) return fail("nodeId is empty");
    if (!id->is_scalar()) return fail(std::string("nodeId is a YAML ") + yaml::kind_name(id->kind) + ", not a string");
    if (auto ok = check_node_id(id->value); !ok.ok())
        return fail("nodeId " + config::go::quote(printable_ascii(id->value, 64)) + ": " + ok.error());
    return id->value;
}

Result<std::string> machine_id_from_node_id(std::string_view node_id) {
    auto raw = base62_decode(node_id);
    if (!raw.ok()) return Error{"node ID: " + raw.error()};
    if (raw->size() < 16) return Error{"node ID: decodes to " + std::to_string(raw->size()) + " bytes, fewer than 16"};
    static constexpr char kHex[] = "0123456789abcdef";
    std::string hex;
    for (size_t i = 0; i < 16; ++i) {
        hex += kHex[(*raw)[i] >> 4];
        hex += kHex[(*raw)[i] & 0xF];
    }
    return hex;
}

}  // namespace nodenet::discovery
