#include "config/cursor.h"

#include <limits>

#include "config/scalar_decode.h"

namespace nodenet::config {

Cursor Cursor::at(std::string_view key) const {
    const yaml::Entry* entry = is_mapping() ? node_->find(key) : nullptr;
    // Absent fields never appear in a diagnostic (rules point at what contains them), so they
    // carry no path: most fields of a config are absent, and this saves a string for each.
    if (!entry) return Cursor(nullptr, std::string(), *out_);
    std::string path = path_.empty() ? std::string(key) : path_ + "." + std::string(key);
    return Cursor(entry->value, std::move(path), *out_, entry->key);
}

Source Cursor::source() const {
    if (!node_) return Source{yaml::Mark{}, path_};
    bool container = node_->is_mapping() || node_->is_sequence();
    return Source{container && key_ ? key_->mark : node_->mark, path_};
}

void Cursor::read(Text& field) const {
    begin(field);
    if (!node_ || node_->is_mapping() || node_->is_sequence()) return;
    auto r = decode_string(*node_);
    if (r.ok())
        field.value = std::move(r.value());
    else
        out_->error(node_->mark, path_, r.error());
}

void Cursor::read(Flag& field) const {
    begin(field);
    if (!node_ || node_->is_mapping() || node_->is_sequence()) return;
    auto r = decode_bool(*node_);
    if (r.ok())
        field.value = r.value();
    else
        out_->error(node_->mark, path_, r.error());
}

void Cursor::read(Field<int64_t>& field) const {
    begin(field);
    if (!node_ || node_->is_mapping() || node_->is_sequence()) return;
    auto r = decode_int(*node_, std::numeric_limits<int64_t>::min(), std::numeric_limits<int64_t>::max(), "int");
    if (r.ok())
        field.value = r.value();
    else
        out_->error(node_->mark, path_, r.error());
}

void Cursor::read_unsigned(uint64_t& value, uint64_t max, const char* go_type) const {
    if (!node_ || node_->is_mapping() || node_->is_sequence()) return;
    auto r = decode_uint(*node_, max, go_type);
    if (r.ok())
        value = r.value();
    else
        out_->error(node_->mark, path_, r.error());
}

void Cursor::read(Field<uint32_t>& field) const {
    begin(field);
    uint64_t v = 0;
    read_unsigned(v, std::numeric_limits<uint32_t>::max(), "uint32");
    field.value = static_cast<uint32_t>(v);
}

void Cursor::read(Field<uint16_t>& field) const {
    begin(field);
    uint64_t v = 0;
    read_unsigned(v, std::numeric_limits<uint16_t>::max(), "uint16");
    field.value = static_cast<uint16_t>(v);
}

void Cursor::read(Field<uint8_t>& field) const {
    begin(field);
    uint64_t v = 0;
    read_unsigned(v, std::numeric_limits<uint8_t>::max(), "uint8");
    field.value = static_cast<uint8_t>(v);
}

void Cursor::read_duration(Field<int64_t>& field) const {
    begin(field);
    if (!node_ || node_->is_mapping() || node_->is_sequence()) return;
    auto r = decode_duration(*node_);
    if (r.ok())
        field.value = r.value();
    else
        out_->error(node_->mark, path_, r.error());
}

void Cursor::read(List<Text>& list) const {
    read_list(list, [](const Cursor& c, Text& t) { c.read(t); }, yaml::Kind::Scalar);
}

}  // namespace nodenet::config
