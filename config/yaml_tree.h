// A YAML stream parsed into an immutable tree whose every node knows its source position.
//
// Built from libyaml's event parser (the C library go-yaml, and so Talos, descends from), so the
// same text is accepted or rejected as Talos would. The tree keeps what Talos's typing depends
// on and a generic YAML DOM drops: whether a scalar was quoted, its explicit tag, and where each
// key stands. Hostile input is bounded: nesting depth, alias expansion and node count have limits,
// and aliases share the anchored node instead of copying it.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace nodenet::yaml {

// 1-based line and column (column counts characters, not bytes).
struct Mark {
    uint32_t line = 0;
    uint32_t column = 0;
};

enum class Kind : uint8_t { Null, Scalar, Mapping, Sequence };

// Plain scalars are resolved (null, bool, int, float, string); any other style is a string.
enum class Style : uint8_t { Plain, Quoted, Block };

struct Node;

struct Entry {
    const Node* key;    // always a scalar or null
    const Node* value;
};

struct Node {
    Kind kind = Kind::Null;
    Style style = Style::Plain;
    Mark mark;
    std::string value;  // scalar text as written (after YAML unescaping)
    std::string tag;    // explicit tag ("!!str", "tag:yaml.org,2002:int"), empty when none
    std::vector<const Node*> items;   // Sequence
    std::vector<Entry> entries;       // Mapping, in source order, merge keys (<<) resolved
    uint64_t expanded_size = 1;       // nodes counted as if every alias were copied

    bool is_null() const { return kind == Kind::Null; }
    bool is_scalar() const { return kind == Kind::Scalar; }
    bool is_mapping() const { return kind == Kind::Mapping; }
    bool is_sequence() const { return kind == Kind::Sequence; }
    // Value of `key` in a mapping, or nullptr when absent (or when this is not a mapping).
    const Node* get(std::string_view key) const;
    // The entry of `key`, or nullptr.
    const Entry* find(std::string_view key) const;
    // The key node of `key`, for diagnostics that point at the key itself.
    const Node* key_node(std::string_view key) const;
};

struct Document {
    const Node* root = nullptr;  // never null; a document of only comments has a Null root
    Mark start;                  // where the document's content begins
};

// A real machine config has a few thousand nodes; these bound time and memory for hostile input.
struct Limits {
    uint32_t max_depth = 128;
    uint64_t max_nodes = 500'000;             // nodes actually stored (about 130 bytes each)
    uint64_t max_expanded_nodes = 1'000'000;  // nodes as if every alias were copied
};

// Error position and text of a stream that could not be parsed.
struct SyntaxError {
    Mark mark;
    std::string message;
};

class Stream {
public:
    std::vector<Document> documents;

    Node* new_node() { return &arena_.emplace_back(); }

private:
    std::deque<Node> arena_;  // stable addresses; nodes point at each other
};

// Parses `text` into documents. On failure, returns the first syntax error with its position.
// The stream is returned through `out` so that the caller owns the arena either way.
bool parse(std::string_view text, Stream& out, SyntaxError& error, const Limits& limits = {});

const char* kind_name(Kind kind);

}  // namespace nodenet::yaml
