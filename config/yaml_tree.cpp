#include "config/yaml_tree.h"

#include <yaml.h>

#include <string>
#include <unordered_map>
#include <unordered_set>

#include "config/go_syntax.h"

namespace nodenet::yaml {

const Entry* Node::find(std::string_view key) const {
    for (const Entry& e : entries)
        if (e.key->value == key && e.key->kind == Kind::Scalar) return &e;
    return nullptr;
}

const Node* Node::get(std::string_view key) const {
    const Entry* e = find(key);
    return e ? e->value : nullptr;
}

const Node* Node::key_node(std::string_view key) const {
    const Entry* e = find(key);
    return e ? e->key : nullptr;
}

const char* kind_name(Kind kind) {
    switch (kind) {
        case Kind::Null: return "null";
        case Kind::Scalar: return "scalar";
        case Kind::Mapping: return "mapping";
        case Kind::Sequence: return "sequence";
    }
    return "?";
}

namespace {

constexpr std::string_view kMergeTag = "tag:yaml.org,2002:merge";
constexpr std::string_view kNullTag = "tag:yaml.org,2002:null";

Mark to_mark(const yaml_mark_t& m) {
    return Mark{static_cast<uint32_t>(m.line + 1), static_cast<uint32_t>(m.column + 1)};
}

// libyaml reports reader errors (bad UTF-8, control characters) by byte offset only.
Mark mark_at_offset(std::string_view text, size_t offset) {
    Mark m{1, 1};
    // libyaml's own marks do not count a byte order mark; neither do these.
    size_t start = text.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;
    for (size_t i = start; i < offset && i < text.size(); ++i) {
        if (text[i] == '\n') {
            ++m.line;
            m.column = 1;
        } else if ((static_cast<unsigned char>(text[i]) & 0xC0) != 0x80) {
            ++m.column;
        }
    }
    return m;
}

bool is_plain_null(const yaml_event_t& ev, std::string_view value) {
    if (ev.data.scalar.style != YAML_PLAIN_SCALAR_STYLE) return false;
    if (ev.data.scalar.tag != nullptr)
        return std::string_view(reinterpret_cast<const char*>(ev.data.scalar.tag)) == kNullTag;
    return value.empty() || value == "~" || value == "null" || value == "Null" || value == "NULL";
}

bool is_merge_key(const Node& key) {
    return key.style == Style::Plain && key.value == "<<" && (key.tag.empty() || key.tag == kMergeTag);
}

class Builder {
public:
    Builder(std::string_view text, Stream& out, SyntaxError& error, const Limits& limits)
        : text_(text), out_(out), error_(error), limits_(limits) {}

    bool run();

private:
    struct Frame {
        Node* node = nullptr;
        const Node* pending_key = nullptr;
        std::string anchor;
        std::unordered_set<std::string_view> keys;  // filled once the mapping grows large
        bool has_merge = false;
    };

    bool fail(Mark mark, std::string message) {
        error_ = SyntaxError{mark, std::move(message)};
        return false;
    }
    bool fail_parser(const yaml_parser_t& parser);
    bool handle(const yaml_event_t& ev);
    bool on_scalar(const yaml_event_t& ev);
    bool on_alias(const yaml_event_t& ev);
    bool on_collection_start(const yaml_event_t& ev, Kind kind);
    bool on_collection_end();
    bool attach(const Node* child, Mark mark);
    bool add_entry(Frame& frame, const Node* key, const Node* value);
    bool resolve_merges(Node& mapping);
    bool grow(Node& parent, const Node* child, Mark mark);
    Node* new_node(Mark mark);

    std::string_view text_;
    Stream& out_;
    SyntaxError& error_;
    const Limits& limits_;
    std::vector<Frame> stack_;
    std::unordered_map<std::string, const Node*> anchors_;
    std::unordered_set<std::string> open_anchors_;
    const Node* root_ = nullptr;
    Mark doc_start_;
    uint64_t nodes_ = 0;
};

bool Builder::fail_parser(const yaml_parser_t& parser) {
    if (parser.error == YAML_READER_ERROR) {
        std::string msg = parser.problem ? parser.problem : "cannot read input";
        if (parser.problem_value != -1) {
            char buf[32];
            std::snprintf(buf, sizeof buf, " (byte 0x%02X)", parser.problem_value & 0xFF);
            msg += buf;
        }
        return fail(mark_at_offset(text_, parser.problem_offset), msg);
    }
    if (parser.error == YAML_MEMORY_ERROR) return fail(Mark{1, 1}, "out of memory while parsing YAML");
    std::string msg = parser.problem ? parser.problem : "invalid YAML";
    if (parser.context) {
        msg += " (";
        msg += parser.context;
        msg += " at line " + std::to_string(parser.context_mark.line + 1) + ")";
    }
    return fail(to_mark(parser.problem_mark), msg);
}

bool Builder::run() {
    yaml_parser_t parser;
    if (!yaml_parser_initialize(&parser)) return fail(Mark{1, 1}, "cannot initialise the YAML parser");
    yaml_parser_set_input_string(&parser, reinterpret_cast<const unsigned char*>(text_.data()),
                                 text_.size());
    bool ok = true;
    for (bool done = false; ok && !done;) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&parser, &ev)) {
            ok = fail_parser(parser);
            break;
        }
        done = ev.type == YAML_STREAM_END_EVENT;
        ok = handle(ev);
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&parser);
    return ok;
}

bool Builder::handle(const yaml_event_t& ev) {
    switch (ev.type) {
        case YAML_DOCUMENT_START_EVENT:
            root_ = nullptr;
            doc_start_ = to_mark(ev.end_mark);
            anchors_.clear();
            return true;
        case YAML_DOCUMENT_END_EVENT: {
            const Node* root = root_;
            if (root == nullptr) {
                Node* n = out_.new_node();
                n->mark = doc_start_;
                root = n;
            }
            out_.documents.push_back(Document{root, root->mark});
            return true;
        }
        case YAML_SCALAR_EVENT: return on_scalar(ev);
        case YAML_ALIAS_EVENT: return on_alias(ev);
        case YAML_SEQUENCE_START_EVENT: return on_collection_start(ev, Kind::Sequence);
        case YAML_MAPPING_START_EVENT: return on_collection_start(ev, Kind::Mapping);
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT: return on_collection_end();
        default: return true;
    }
}

Node* Builder::new_node(Mark mark) {
    if (++nodes_ > limits_.max_nodes) {
        fail(mark, "the config has more than " + std::to_string(limits_.max_nodes) + " YAML nodes");
        return nullptr;
    }
    Node* n = out_.new_node();
    n->mark = mark;
    return n;
}

bool Builder::on_scalar(const yaml_event_t& ev) {
    Node* n = new_node(to_mark(ev.start_mark));
    if (!n) return false;
    n->value.assign(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
    if (ev.data.scalar.tag) n->tag = reinterpret_cast<const char*>(ev.data.scalar.tag);
    switch (ev.data.scalar.style) {
        case YAML_SINGLE_QUOTED_SCALAR_STYLE:
        case YAML_DOUBLE_QUOTED_SCALAR_STYLE: n->style = Style::Quoted; break;
        case YAML_LITERAL_SCALAR_STYLE:
        case YAML_FOLDED_SCALAR_STYLE: n->style = Style::Block; break;
        default: n->style = Style::Plain; break;
    }
    n->kind = is_plain_null(ev, n->value) ? Kind::Null : Kind::Scalar;
    if (ev.data.scalar.anchor) anchors_[reinterpret_cast<const char*>(ev.data.scalar.anchor)] = n;
    return attach(n, n->mark);
}

bool Builder::on_alias(const yaml_event_t& ev) {
    std::string name = reinterpret_cast<const char*>(ev.data.alias.anchor);
    Mark mark = to_mark(ev.start_mark);
    if (open_anchors_.count(name)) return fail(mark, "anchor \"" + name + "\" value contains itself");
    auto it = anchors_.find(name);
    if (it == anchors_.end()) return fail(mark, "unknown anchor \"" + name + "\" referenced");
    return attach(it->second, mark);
}

bool Builder::on_collection_start(const yaml_event_t& ev, Kind kind) {
    Mark mark = to_mark(ev.start_mark);
    if (stack_.size() >= limits_.max_depth)
        return fail(mark, "nesting is deeper than " + std::to_string(limits_.max_depth) + " levels");
    Node* n = new_node(mark);
    if (!n) return false;
    n->kind = kind;
    const yaml_char_t* anchor =
        kind == Kind::Mapping ? ev.data.mapping_start.anchor : ev.data.sequence_start.anchor;
    const yaml_char_t* tag = kind == Kind::Mapping ? ev.data.mapping_start.tag : ev.data.sequence_start.tag;
    if (tag) n->tag = reinterpret_cast<const char*>(tag);
    Frame frame;
    frame.node = n;
    if (anchor) {
        frame.anchor = reinterpret_cast<const char*>(anchor);
        open_anchors_.insert(frame.anchor);
    }
    stack_.push_back(std::move(frame));
    return true;
}

bool Builder::on_collection_end() {
    Frame frame = std::move(stack_.back());
    stack_.pop_back();
    if (frame.has_merge && !resolve_merges(*frame.node)) return false;
    if (!frame.anchor.empty()) {
        open_anchors_.erase(frame.anchor);
        anchors_[frame.anchor] = frame.node;
    }
    return attach(frame.node, frame.node->mark);
}

bool Builder::grow(Node& parent, const Node* child, Mark mark) {
    parent.expanded_size += child->expanded_size;
    if (parent.expanded_size > limits_.max_expanded_nodes)
        return fail(mark, "aliases expand the document beyond " +
                              std::to_string(limits_.max_expanded_nodes) + " nodes");
    return true;
}

bool Builder::attach(const Node* child, Mark mark) {
    if (stack_.empty()) {
        root_ = child;
        return true;
    }
    Frame& top = stack_.back();
    if (!grow(*top.node, child, mark)) return false;
    if (top.node->kind == Kind::Sequence) {
        top.node->items.push_back(child);
        return true;
    }
    if (top.pending_key == nullptr) {
        if (child->kind == Kind::Mapping || child->kind == Kind::Sequence)
            return fail(mark, "mapping keys must be scalars, found a " + std::string(kind_name(child->kind)));
        top.pending_key = child;
        return true;
    }
    const Node* key = top.pending_key;
    top.pending_key = nullptr;
    return add_entry(top, key, child);
}

bool Builder::add_entry(Frame& frame, const Node* key, const Node* value) {
    Node& map = *frame.node;
    bool merge = is_merge_key(*key);
    frame.has_merge = frame.has_merge || merge;
    if (!merge) {
        constexpr size_t kLinearScan = 16;
        const Node* previous = nullptr;
        if (map.entries.size() < kLinearScan) {
            for (const Entry& e : map.entries)
                if (e.key->value == key->value && !is_merge_key(*e.key))
                    previous = e.key;
        } else {
            if (frame.keys.empty())
                for (const Entry& e : map.entries) frame.keys.insert(e.key->value);
            if (!frame.keys.insert(key->value).second)
                for (const Entry& e : map.entries)
                    if (e.key->value == key->value) previous = e.key;
        }
        // yaml.v3's words, the key quoted as Go's %#v quotes it: a key's tab or line break is
        // escaped, never written into the message (and the diagnostic line) as it is.
        if (previous)
            return fail(key->mark, "mapping key " + config::go::quote(key->value) + " already defined at line " +
                                       std::to_string(previous->mark.line));
    }
    map.entries.push_back(Entry{key, value});
    return true;
}

// `<<: *base` (or a list of them) copies the keys the mapping does not set itself; explicit keys
// win, and among several merged mappings the first one wins, as in go-yaml.
bool Builder::resolve_merges(Node& mapping) {
    std::vector<const Node*> sources;
    std::vector<Entry> own;
    for (const Entry& e : mapping.entries) {
        if (!is_merge_key(*e.key)) {
            own.push_back(e);
            continue;
        }
        if (e.value->kind == Kind::Mapping) {
            sources.push_back(e.value);
        } else if (e.value->kind == Kind::Sequence) {
            for (const Node* item : e.value->items) {
                if (item->kind != Kind::Mapping)
                    return fail(item->mark, "map merge requires map or sequence of maps as the value");
                sources.push_back(item);
            }
        } else {
            return fail(e.value->mark, "map merge requires map or sequence of maps as the value");
        }
    }
    if (sources.empty()) return true;
    std::unordered_set<std::string_view> present;
    for (const Entry& e : own) present.insert(e.key->value);
    for (const Node* src : sources)
        for (const Entry& e : src->entries)
            if (present.insert(e.key->value).second) own.push_back(e);
    mapping.entries = std::move(own);
    return true;
}

}  // namespace

bool parse(std::string_view text, Stream& out, SyntaxError& error, const Limits& limits) {
    Builder builder(text, out, error, limits);
    return builder.run();
}

}  // namespace nodenet::yaml
