// Reading typed fields out of the YAML tree, each with its source position and YAML path.
//
// Shape problems (a mapping where a scalar belongs, unknown keys) are the schema's to report;
// a cursor reports only what the schema cannot see: Go's typing of scalars (an out-of-range
// uint16, a quoted integer, "maybe" for a boolean).
#pragma once

#include <string>
#include <string_view>

#include "config/diagnostic.h"
#include "config/model.h"
#include "config/yaml_tree.h"

namespace nodenet::config {

class Cursor {
public:
    Cursor(const yaml::Node* node, std::string path, Diagnostics& out, const yaml::Node* key = nullptr)
        : node_(node), key_(key), path_(std::move(path)), out_(&out) {}

    const yaml::Node* node() const { return node_; }
    const std::string& path() const { return path_; }
    Diagnostics& out() const { return *out_; }
    bool present() const { return node_ != nullptr; }
    bool is_mapping() const { return node_ && node_->is_mapping(); }
    bool is_sequence() const { return node_ && node_->is_sequence(); }
    // Present and not null: Go leaves a struct pointer nil for `key: ~`.
    bool is_set() const { return node_ && !node_->is_null(); }

    Cursor at(std::string_view key) const;
    // Where diagnostics about this node point: a scalar's value, or the key that introduces a
    // mapping or sequence (its first line is the key's, not the first child's).
    Source source() const;

    void read(Text& field) const;
    void read(Flag& field) const;
    void read(Field<int64_t>& field) const;   // Go int
    void read(Field<uint32_t>& field) const;
    void read(Field<uint16_t>& field) const;
    void read(Field<uint8_t>& field) const;
    void read_duration(Field<int64_t>& field) const;
    void read(List<Text>& list) const;

    // Calls `item(cursor, element)` for each element of a sequence of `shape` (or null: Go decodes
    // null as a zero value). An element of another shape is skipped: Go refuses it while decoding,
    // so Talos never validates it; the schema reports it, and an empty stand-in in the model would
    // only draw errors about fields the user never left empty. Paths keep the element's index.
    template <class T, class Fn>
    void read_list(List<T>& list, Fn item, yaml::Kind shape = yaml::Kind::Mapping) const {
        list.present = is_set();  // Go: a nil slice for absent or null, non-nil for []
        list.src = source();
        if (!is_sequence()) return;
        list.items.reserve(node_->items.size());
        for (size_t i = 0; i < node_->items.size(); ++i) {
            const yaml::Node* n = node_->items[i];
            if (n->kind != shape && n->kind != yaml::Kind::Null) continue;
            Cursor c(n, path_ + "[" + std::to_string(i) + "]", *out_);
            T element{};
            element.src = c.source();
            item(c, element);
            list.items.push_back(std::move(element));
        }
    }

private:
    template <class F>
    void begin(F& field) const {
        field.present = present();
        field.src = source();
    }
    void read_unsigned(uint64_t& value, uint64_t max, const char* go_type) const;

    const yaml::Node* node_;
    const yaml::Node* key_;
    std::string path_;
    Diagnostics* out_;
};

}  // namespace nodenet::config
