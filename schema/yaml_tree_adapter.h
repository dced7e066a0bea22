// A valijson adapter over our YAML tree, so the JSON Schema sees the nodes the rest of nodenet
// reports on (with their marks) instead of a converted copy.
//
// Types are strict and follow YAML node kinds only: Null is null, Scalar is a string holding the
// raw scalar text, Mapping is an object, Sequence is an array. Scalars are never numbers or
// booleans here because Talos types them by the Go field they land in, which the C++ decoder
// does later; the schema only checks the shape of the tree.
#pragma once

// Without exceptions valijson aborts on a bad schema; the checker wants an error value instead.
// Defined before any valijson header so every translation unit sees the same inline functions.
#ifndef VALIJSON_USE_EXCEPTIONS
#define VALIJSON_USE_EXCEPTIONS 1
#endif

#include <cstddef>
#include <cstdint>
#include <deque>
#include <iterator>
#include <memory>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include <valijson/internal/adapter.hpp>
#include <valijson/internal/basic_adapter.hpp>
#include <valijson/internal/frozen_value.hpp>
#include <valijson/exceptions.hpp>

#include "config/yaml_tree.h"

namespace nodenet::schema {

class YamlTreeAdapter;
class YamlTreeArrayIterator;
class YamlTreeObjectIterator;

// valijson wants owned key strings in its member pairs (it looks them up in std::set<std::string>).
using YamlTreeObjectMember = std::pair<std::string, YamlTreeAdapter>;

namespace detail {

inline const yaml::Node& empty_node(yaml::Kind kind) {
    static const yaml::Node mapping = [] {
        yaml::Node n;
        n.kind = yaml::Kind::Mapping;
        return n;
    }();
    static const yaml::Node sequence = [] {
        yaml::Node n;
        n.kind = yaml::Kind::Sequence;
        return n;
    }();
    return kind == yaml::Kind::Sequence ? sequence : mapping;
}

}  // namespace detail

// A sequence node seen as a valijson array.
class YamlTreeArray {
public:
    using const_iterator = YamlTreeArrayIterator;
    using iterator = YamlTreeArrayIterator;

    YamlTreeArray() : node_(&detail::empty_node(yaml::Kind::Sequence)) {}
    explicit YamlTreeArray(const yaml::Node* node) : node_(node) {
        if (!node->is_sequence()) valijson::throwRuntimeError("Value is not an array.");
    }

    YamlTreeArrayIterator begin() const;
    YamlTreeArrayIterator end() const;
    size_t size() const { return node_->items.size(); }

private:
    const yaml::Node* node_;
};

// A mapping node seen as a valijson object; keys are the key nodes' text.
class YamlTreeObject {
public:
    using const_iterator = YamlTreeObjectIterator;
    using iterator = YamlTreeObjectIterator;

    YamlTreeObject() : node_(&detail::empty_node(yaml::Kind::Mapping)) {}
    explicit YamlTreeObject(const yaml::Node* node) : node_(node) {
        if (!node->is_mapping()) valijson::throwRuntimeError("Value is not an object.");
    }

    YamlTreeObjectIterator begin() const;
    YamlTreeObjectIterator end() const;
    YamlTreeObjectIterator find(const std::string& property_name) const;
    size_t size() const { return node_->entries.size(); }

private:
    const yaml::Node* node_;
};

// A deep copy of a subtree, for constraints (enum, const) that outlive the document they came
// from. Only built when a schema is parsed from a YAML tree; checking a config never freezes it.
class YamlTreeFrozenValue : public valijson::adapters::FrozenValue {
public:
    explicit YamlTreeFrozenValue(const yaml::Node* source) : arena_(std::make_shared<std::deque<yaml::Node>>()) {
        std::unordered_map<const yaml::Node*, const yaml::Node*> copied;
        root_ = copy(source, copied);
    }

    valijson::adapters::FrozenValue* clone() const override { return new YamlTreeFrozenValue(*this); }
    bool equalTo(const valijson::adapters::Adapter& other, bool strict) const override;

private:
    // Copies share the arena: the frozen tree is immutable, so clones need not copy it again.
    YamlTreeFrozenValue(const YamlTreeFrozenValue&) = default;

    // Memoised so aliased (shared) nodes stay shared instead of multiplying.
    const yaml::Node* copy(const yaml::Node* node, std::unordered_map<const yaml::Node*, const yaml::Node*>& copied) {
        if (auto it = copied.find(node); it != copied.end()) return it->second;
        yaml::Node& out = arena_->emplace_back();
        copied.emplace(node, &out);
        out.kind = node->kind;
        out.style = node->style;
        out.mark = node->mark;
        out.value = node->value;
        out.tag = node->tag;
        out.expanded_size = node->expanded_size;
        for (const yaml::Node* item : node->items) out.items.push_back(copy(item, copied));
        for (const yaml::Entry& e : node->entries) out.entries.push_back({copy(e.key, copied), copy(e.value, copied)});
        return &out;
    }

    std::shared_ptr<std::deque<yaml::Node>> arena_;
    const yaml::Node* root_ = nullptr;
};

// The value policy BasicAdapter builds on: what each node kind reads as.
class YamlTreeValue {
public:
    YamlTreeValue() : node_(&detail::empty_node(yaml::Kind::Mapping)) {}
    explicit YamlTreeValue(const yaml::Node* node) : node_(node) {}

    valijson::adapters::FrozenValue* freeze() const { return new YamlTreeFrozenValue(node_); }

    opt::optional<YamlTreeArray> getArrayOptional() const {
        if (node_->is_sequence()) return opt::make_optional(YamlTreeArray(node_));
        return {};
    }
    bool getArraySize(size_t& result) const {
        if (!node_->is_sequence()) return false;
        result = node_->items.size();
        return true;
    }
    opt::optional<YamlTreeObject> getObjectOptional() const {
        if (node_->is_mapping()) return opt::make_optional(YamlTreeObject(node_));
        return {};
    }
    bool getObjectSize(size_t& result) const {
        if (!node_->is_mapping()) return false;
        result = node_->entries.size();
        return true;
    }
    bool getString(std::string& result) const {
        if (!node_->is_scalar()) return false;
        result = node_->value;
        return true;
    }
    // No YAML node is a JSON number or boolean (see the file comment).
    bool getBool(bool&) const { return false; }
    bool getDouble(double&) const { return false; }
    bool getInteger(int64_t&) const { return false; }

    static bool hasStrictTypes() { return true; }

    bool isArray() const { return node_->is_sequence(); }
    bool isBool() const { return false; }
    bool isDouble() const { return false; }
    bool isInteger() const { return false; }
    bool isNull() const { return node_->is_null(); }
    bool isNumber() const { return false; }
    bool isObject() const { return node_->is_mapping(); }
    bool isString() const { return node_->is_scalar(); }

private:
    const yaml::Node* node_;
};

class YamlTreeAdapter : public valijson::adapters::BasicAdapter<YamlTreeAdapter, YamlTreeArray, YamlTreeObjectMember,
                                                                YamlTreeObject, YamlTreeValue> {
public:
    YamlTreeAdapter() = default;
    explicit YamlTreeAdapter(const yaml::Node* node) : BasicAdapter(YamlTreeValue(node)) {}
    explicit YamlTreeAdapter(const yaml::Node& node) : YamlTreeAdapter(&node) {}
};

class YamlTreeArrayIterator {
public:
    using iterator_category = std::bidirectional_iterator_tag;
    using value_type = YamlTreeAdapter;
    using difference_type = std::ptrdiff_t;
    using pointer = YamlTreeAdapter*;
    using reference = YamlTreeAdapter&;

    explicit YamlTreeArrayIterator(std::vector<const yaml::Node*>::const_iterator it) : it_(it) {}

    YamlTreeAdapter operator*() const { return YamlTreeAdapter(*it_); }
    valijson::adapters::DerefProxy<YamlTreeAdapter> operator->() const {
        return valijson::adapters::DerefProxy<YamlTreeAdapter>(**this);
    }
    bool operator==(const YamlTreeArrayIterator& other) const { return it_ == other.it_; }
    bool operator!=(const YamlTreeArrayIterator& other) const { return it_ != other.it_; }
    const YamlTreeArrayIterator& operator++() {
        ++it_;
        return *this;
    }
    YamlTreeArrayIterator operator++(int) {
        YamlTreeArrayIterator before = *this;
        ++it_;
        return before;
    }
    // valijson's uniqueItems check steps back from end().
    const YamlTreeArrayIterator& operator--() {
        --it_;
        return *this;
    }
    void advance(std::ptrdiff_t n) { it_ += n; }

private:
    std::vector<const yaml::Node*>::const_iterator it_;
};

class YamlTreeObjectIterator {
public:
    using iterator_category = std::forward_iterator_tag;
    using value_type = YamlTreeObjectMember;
    using difference_type = std::ptrdiff_t;
    using pointer = YamlTreeObjectMember*;
    using reference = YamlTreeObjectMember&;

    explicit YamlTreeObjectIterator(std::vector<yaml::Entry>::const_iterator it) : it_(it) {}

    YamlTreeObjectMember operator*() const { return YamlTreeObjectMember(it_->key->value, YamlTreeAdapter(it_->value)); }
    valijson::adapters::DerefProxy<YamlTreeObjectMember> operator->() const {
        return valijson::adapters::DerefProxy<YamlTreeObjectMember>(**this);
    }
    bool operator==(const YamlTreeObjectIterator& other) const { return it_ == other.it_; }
    bool operator!=(const YamlTreeObjectIterator& other) const { return it_ != other.it_; }
    const YamlTreeObjectIterator& operator++() {
        ++it_;
        return *this;
    }
    YamlTreeObjectIterator operator++(int) {
        YamlTreeObjectIterator before = *this;
        ++it_;
        return before;
    }

private:
    std::vector<yaml::Entry>::const_iterator it_;
};

inline YamlTreeArrayIterator YamlTreeArray::begin() const { return YamlTreeArrayIterator(node_->items.begin()); }
inline YamlTreeArrayIterator YamlTreeArray::end() const { return YamlTreeArrayIterator(node_->items.end()); }

inline YamlTreeObjectIterator YamlTreeObject::begin() const { return YamlTreeObjectIterator(node_->entries.begin()); }
inline YamlTreeObjectIterator YamlTreeObject::end() const { return YamlTreeObjectIterator(node_->entries.end()); }

inline YamlTreeObjectIterator YamlTreeObject::find(const std::string& property_name) const {
    for (auto it = node_->entries.begin(); it != node_->entries.end(); ++it)
        if (it->key->value == property_name) return YamlTreeObjectIterator(it);
    return end();
}

inline bool YamlTreeFrozenValue::equalTo(const valijson::adapters::Adapter& other, bool strict) const {
    return YamlTreeAdapter(root_).equalTo(other, strict);
}

}  // namespace nodenet::schema

template <>
struct valijson::adapters::AdapterTraits<nodenet::schema::YamlTreeAdapter> {
    using DocumentType = const nodenet::yaml::Node*;
    static std::string adapterName() { return "YamlTreeAdapter"; }
};
