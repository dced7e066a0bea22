#include "schema/schema_check.h"

// The adapter header comes first: it sets VALIJSON_USE_EXCEPTIONS for every valijson header.
#include "schema/yaml_tree_adapter.h"

#include "config/go_syntax.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <exception>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>
#include <valijson/adapters/nlohmann_json_adapter.hpp>
#include <valijson/schema.hpp>
#include <valijson/schema_parser.hpp>
#include <valijson/validation_results.hpp>
#include <valijson/validator.hpp>

namespace nodenet::schema {

namespace {

using nlohmann::json;
namespace go = config::go;  // Talos messages quote names and values with Go's %q

// valijson's wording, matched to tell leaf causes from the messages it propagates to parents.
constexpr std::string_view kUnknownProperty =
    "Object contains a property that could not be validated using 'properties' or 'additionalProperties' "
    "constraints: '";
constexpr std::string_view kWrongType = "Value type not permitted by 'type' constraint.";
constexpr std::string_view kPropagated[] = {
    "Failed to validate against schema associated with property name",
    "Failed to validate item #",
    "Failed to validate against additional properties schema",
};
constexpr std::string_view kDefinitionsRef = "#/definitions/";

std::string lower(std::string_view text) {
    std::string out(text);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

// Levenshtein distance where swapping two neighbours also costs one (optimal string alignment),
// so the common "tabel" for "table" is as close as a single wrong letter.
size_t edit_distance(std::string_view a, std::string_view b) {
    const size_t width = b.size() + 1;
    std::vector<size_t> d((a.size() + 1) * width);
    auto at = [&](size_t i, size_t j) -> size_t& { return d[i * width + j]; };
    for (size_t i = 0; i <= a.size(); ++i) at(i, 0) = i;
    for (size_t j = 0; j <= b.size(); ++j) at(0, j) = j;
    for (size_t i = 1; i <= a.size(); ++i) {
        for (size_t j = 1; j <= b.size(); ++j) {
            size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
            at(i, j) = std::min({at(i - 1, j) + 1, at(i, j - 1) + 1, at(i - 1, j - 1) + cost});
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                at(i, j) = std::min(at(i, j), at(i - 2, j - 2) + 1);
        }
    }
    return at(a.size(), b.size());
}

// The allowed name the user most likely meant: a case-insensitive match, else the nearest by
// edit distance if it is close for the key's length. Ties go to the first name in sorted order.
std::string suggest(std::string_view key, const std::vector<std::string>& allowed) {
    const std::string wanted = lower(key);
    for (const std::string& name : allowed)
        if (lower(name) == wanted) return name;
    const size_t limit = std::max<size_t>(1, key.size() / 3);
    std::string best;
    size_t best_distance = limit + 1;
    for (const std::string& name : allowed) {
        size_t d = edit_distance(wanted, lower(name));
        if (d < best_distance) {
            best_distance = d;
            best = name;
        }
    }
    return best;
}

// One step from a node to a child: a mapping key or a sequence index.
struct Step {
    std::string key;
    size_t index = 0;
    bool is_index = false;
};

std::string join_path(std::string_view prefix, const std::vector<Step>& steps) {
    std::string path(prefix);
    for (const Step& step : steps) {
        if (step.is_index) {
            path += '[' + std::to_string(step.index) + ']';
        } else {
            if (!path.empty()) path += '.';
            path += step.key;
        }
    }
    return path;
}

// The node a valijson context ("<root>", "[machine]", "[interfaces]", "[0]", ...) names. The tree
// decides whether "[0]" is an index or a key, so keys that look like numbers are not misread.
struct Location {
    const yaml::Node* node = nullptr;
    std::vector<Step> steps;
};

bool locate(const yaml::Node& root, const std::vector<std::string>& context, Location& out) {
    out.node = &root;
    for (size_t i = 1; i < context.size(); ++i) {
        std::string_view segment = context[i];
        if (segment.size() < 2 || segment.front() != '[' || segment.back() != ']') return false;
        segment = segment.substr(1, segment.size() - 2);
        const yaml::Node* node = out.node;
        if (node->is_mapping()) {
            auto it = std::find_if(node->entries.begin(), node->entries.end(),
                                   [&](const yaml::Entry& e) { return e.key->value == segment; });
            if (it == node->entries.end()) return false;
            out.steps.push_back(Step{std::string(segment), 0, false});
            out.node = it->value;
        } else if (node->is_sequence()) {
            size_t index = 0;
            auto [end, ec] = std::from_chars(segment.data(), segment.data() + segment.size(), index);
            if (ec != std::errc() || end != segment.data() + segment.size() || index >= node->items.size())
                return false;
            out.steps.push_back(Step{{}, index, true});
            out.node = node->items[index];
        } else {
            return false;
        }
    }
    return true;
}

// Schema lookups for messages: the definition a path leads to, through properties, items and
// $ref, as valijson walked it. Only the keywords network.schema.json uses are understood.
const json* follow_refs(const json& definitions, const json* node) {
    for (int hops = 0; node != nullptr && hops < 32; ++hops) {
        auto ref = node->find("$ref");
        if (ref == node->end() || !ref->is_string()) return node;
        std::string_view target = ref->get_ref<const std::string&>();
        if (target.substr(0, kDefinitionsRef.size()) != kDefinitionsRef) return nullptr;
        auto def = definitions.find(std::string(target.substr(kDefinitionsRef.size())));
        node = def == definitions.end() ? nullptr : &*def;
    }
    return nullptr;
}

const json* resolve(const json& definitions, const json& start, const std::vector<Step>& steps) {
    const json* node = follow_refs(definitions, &start);
    for (const Step& step : steps) {
        if (node == nullptr || !node->is_object()) return nullptr;
        const json* next = nullptr;
        if (step.is_index) {
            auto items = node->find("items");
            if (items != node->end()) next = &*items;
        } else {
            auto props = node->find("properties");
            if (props != node->end() && props->contains(step.key)) {
                next = &(*props)[step.key];
            } else if (auto extra = node->find("additionalProperties"); extra != node->end() && extra->is_object()) {
                next = &*extra;
            }
        }
        node = follow_refs(definitions, next);
    }
    return node;
}

std::vector<std::string> property_names(const json* node) {
    std::vector<std::string> names;
    if (node == nullptr || !node->is_object()) return names;
    auto props = node->find("properties");
    if (props == node->end() || !props->is_object()) return names;
    for (auto it = props->begin(); it != props->end(); ++it) names.push_back(it.key());
    return names;
}

std::string expected_shape(const json* node) {
    if (node == nullptr || !node->is_object() || !node->contains("type")) return "another kind of node";
    const json& type = (*node)["type"];
    std::vector<std::string> types;
    if (type.is_string()) types.push_back(type.get<std::string>());
    if (type.is_array())
        for (const json& t : type)
            if (t.is_string()) types.push_back(t.get<std::string>());
    for (const std::string& t : types) {
        if (t == "object") return "a mapping";
        if (t == "array") return "a sequence";
        if (t == "string") return "a scalar";
    }
    return types.empty() ? "another kind of node" : types.front();
}

std::string found_shape(const yaml::Node& node) {
    switch (node.kind) {
        case yaml::Kind::Mapping: return "a mapping";
        case yaml::Kind::Sequence: return "a sequence";
        case yaml::Kind::Scalar: return "a scalar " + go::quote(node.value);
        case yaml::Kind::Null: return "null";
    }
    return "?";
}

struct Finding {
    yaml::Mark mark;
    std::string path;
    std::string message;
};

bool starts_with(std::string_view text, std::string_view prefix) { return text.substr(0, prefix.size()) == prefix; }

KindClass parse_class(const json& value) {
    if (!value.is_string()) return KindClass::Unknown;
    const std::string& name = value.get_ref<const std::string&>();
    if (name == "network") return KindClass::Network;
    if (name == "network-unapplied") return KindClass::NetworkUnapplied;
    if (name == "other") return KindClass::Other;
    return KindClass::Unknown;
}

}  // namespace

struct SchemaChecker::Impl {
    struct Built {
        std::unique_ptr<valijson::Schema> schema;  // null when the kind has no definition
        std::string error;                         // why the definition could not be built
    };

    json definitions;
    std::map<std::string, KindClass, std::less<>> kinds;
    mutable std::map<std::string, Built, std::less<>> built;

    const Built& schema_for(std::string_view kind) const;
    void collect(const valijson::ValidationResults::Error& error, const yaml::Node& root, const json& start,
                 std::string_view prefix, std::vector<Finding>& findings) const;
    void unknown_keys(const Location& at, const json& start, std::string_view prefix, std::string_view named,
                      std::vector<Finding>& findings) const;
};

const SchemaChecker::Impl::Built& SchemaChecker::Impl::schema_for(std::string_view kind) const {
    if (auto it = built.find(kind); it != built.end()) return it->second;
    Built result;
    if (definitions.contains(std::string(kind))) {
        // A root that only points at the kind's definition, so $refs resolve within one document.
        json wrapper = {{"$ref", std::string(kDefinitionsRef) + std::string(kind)}, {"definitions", definitions}};
        try {
            auto schema = std::make_unique<valijson::Schema>();
            valijson::SchemaParser parser(valijson::SchemaParser::kDraft7);
            parser.populateSchema(valijson::adapters::NlohmannJsonAdapter(wrapper), *schema);
            result.schema = std::move(schema);
        } catch (const std::exception& e) {
            result.error = e.what();
        }
    }
    return built.emplace(std::string(kind), std::move(result)).first->second;
}

void SchemaChecker::Impl::unknown_keys(const Location& at, const json& start, std::string_view prefix,
                                       std::string_view named, std::vector<Finding>& findings) const {
    const json* object = resolve(definitions, start, at.steps);
    std::vector<std::string> allowed = property_names(object);
    std::vector<Step> steps = at.steps;
    for (const yaml::Entry& e : at.node->entries) {
        const std::string& key = e.key->value;
        // Without the object's definition, trust valijson for the one key it names.
        bool unknown = object != nullptr ? std::find(allowed.begin(), allowed.end(), key) == allowed.end() : key == named;
        if (!unknown) continue;
        std::string message = "unknown key " + go::quote(key);
        if (std::string hint = suggest(key, allowed); !hint.empty()) message += "; did you mean " + go::quote(hint) + "?";
        steps.push_back(Step{key, 0, false});
        findings.push_back(Finding{e.key->mark, join_path(prefix, steps), std::move(message)});
        steps.pop_back();
    }
}

void SchemaChecker::Impl::collect(const valijson::ValidationResults::Error& error, const yaml::Node& root,
                                  const json& start, std::string_view prefix, std::vector<Finding>& findings) const {
    const std::string& text = error.description;
    for (std::string_view propagated : kPropagated)
        if (starts_with(text, propagated)) return;
    Location at;
    if (!locate(root, error.context, at)) {
        findings.push_back(Finding{root.mark, std::string(prefix), text});
        return;
    }
    if (starts_with(text, kUnknownProperty) && at.node->is_mapping()) {
        std::string_view named = std::string_view(text).substr(kUnknownProperty.size());
        named = named.substr(0, named.rfind("'."));
        unknown_keys(at, start, prefix, named, findings);
    } else if (text == kWrongType) {
        std::string message = "expected " + expected_shape(resolve(definitions, start, at.steps)) + ", found " +
                              found_shape(*at.node);
        findings.push_back(Finding{at.node->mark, join_path(prefix, at.steps), std::move(message)});
    } else {
        // A constraint this translation does not know: keep valijson's own words rather than lose it.
        findings.push_back(Finding{at.node->mark, join_path(prefix, at.steps), text});
    }
}

SchemaChecker::SchemaChecker(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
SchemaChecker::SchemaChecker(SchemaChecker&&) noexcept = default;
SchemaChecker& SchemaChecker::operator=(SchemaChecker&&) noexcept = default;
SchemaChecker::~SchemaChecker() = default;

Result<SchemaChecker> SchemaChecker::load() { return load_from(embedded_schema_text()); }

Result<SchemaChecker> SchemaChecker::load_from(std::string_view schema_text) {
    json doc;
    try {
        doc = json::parse(schema_text);
    } catch (const json::exception& e) {
        return Error{std::string("network schema is not valid JSON: ") + e.what()};
    }
    if (!doc.is_object() || !doc.contains("definitions") || !doc["definitions"].is_object())
        return Error{"network schema has no \"definitions\" object"};
    if (!doc.contains("x-nodenet-kinds") || !doc["x-nodenet-kinds"].is_object())
        return Error{"network schema has no \"x-nodenet-kinds\" object"};
    auto impl = std::make_unique<Impl>();
    impl->definitions = std::move(doc["definitions"]);
    for (auto it = doc["x-nodenet-kinds"].begin(); it != doc["x-nodenet-kinds"].end(); ++it) {
        KindClass kind_class = parse_class(it.value());
        if (kind_class == KindClass::Unknown)
            return Error{"network schema: kind " + go::quote(it.key()) + " has no valid class in x-nodenet-kinds"};
        // A kind nodenet applies without a definition would silently pass every check.
        if (kind_class == KindClass::Network && !impl->definitions.contains(it.key()))
            return Error{"network schema: network kind " + go::quote(it.key()) + " has no definition"};
        impl->kinds.emplace(it.key(), kind_class);
    }
    return SchemaChecker(std::move(impl));
}

KindClass SchemaChecker::classify(std::string_view kind) const {
    auto it = impl_->kinds.find(kind);
    return it == impl_->kinds.end() ? KindClass::Unknown : it->second;
}

void SchemaChecker::check(std::string_view kind, const yaml::Node& root, std::string_view path_prefix,
                          config::Diagnostics& out) const {
    const Impl::Built& built = impl_->schema_for(kind);
    if (!built.error.empty()) {
        out.error(root.mark, std::string(path_prefix),
                  "internal error: the schema of " + go::quote(kind) + " cannot be built: " + built.error);
        return;
    }
    if (!built.schema) return;

    YamlTreeAdapter target(root);
    valijson::Validator validator(valijson::Validator::kStrongTypes);
    // Valid documents are the common case: a first pass without results stops at the first error.
    if (validator.validate(*built.schema, target, nullptr)) return;
    valijson::ValidationResults results;
    validator.validate(*built.schema, target, &results);

    const json& start = impl_->definitions.at(std::string(kind));
    std::vector<Finding> findings;
    for (const valijson::ValidationResults::Error& error : results)
        impl_->collect(error, root, start, path_prefix, findings);

    auto position = [](const Finding& f) { return std::tie(f.mark.line, f.mark.column, f.message, f.path); };
    std::sort(findings.begin(), findings.end(),
              [&](const Finding& a, const Finding& b) { return position(a) < position(b); });
    auto same_place = [](const Finding& a, const Finding& b) {
        return a.mark.line == b.mark.line && a.mark.column == b.mark.column && a.message == b.message;
    };
    findings.erase(std::unique(findings.begin(), findings.end(), same_place), findings.end());
    for (Finding& f : findings) out.error(f.mark, std::move(f.path), std::move(f.message));
}

}  // namespace nodenet::schema
