#include "kubespan/kubespan_identity.h"

#include <algorithm>

#include "common/printable.h"
#include "config/go_syntax.h"
#include "config/yaml_tree.h"
#include "kubespan/kubespan_address.h"

namespace nodenet::kubespan {

namespace {

std::string prefix_text(const std::optional<state::IpPrefix>& p) { return p ? p->str() : "\"\""; }

// A key's value: absent or empty is nullptr with no error; a non-scalar is an error.
Result<const yaml::Node*> scalar(const yaml::Node& root, std::string_view key) {
    const yaml::Node* n = root.get(key);
    if (n == nullptr || n->is_null() || (n->is_scalar() && n->value.empty())) return static_cast<const yaml::Node*>(nullptr);
    if (!n->is_scalar()) return Error{std::string(key) + " is a YAML " + yaml::kind_name(n->kind) + ", not a string"};
    return n;
}

// netip.Prefix's UnmarshalText: "" is the zero prefix, anything else must be a prefix.
Result<std::optional<state::IpPrefix>> read_prefix(const yaml::Node& root, std::string_view key) {
    auto n = scalar(root, key);
    if (!n.ok()) return Error{n.error()};
    if (*n == nullptr) return std::optional<state::IpPrefix>{};
    auto p = config::go::parse_prefix((*n)->value);
    if (!p.ok()) return Error{std::string(key) + " " + config::go::quote(printable_ascii((*n)->value, 64)) + ": " + p.error()};
    state::IpPrefix prefix;
    prefix.addr.family = p->addr.v6 ? state::Family::V6 : state::Family::V4;
    prefix.addr.bytes = p->addr.bytes;
    prefix.len = static_cast<uint8_t>(p->bits);
    return std::optional<state::IpPrefix>{prefix};
}

Result<Identity> read_identity(const yaml::Node& root) {
    Identity id;
    auto priv = scalar(root, "privateKey");
    if (!priv.ok()) return Error{priv.error()};
    if (*priv == nullptr) return Error{root.get("privateKey") ? "privateKey is empty" : "no privateKey"};
    auto key = wireguard::parse_key_base64((*priv)->value);
    if (!key.ok()) return Error{"privateKey: " + key.error()};
    id.private_key = *key;

    auto derived = wireguard::public_key(id.private_key);
    if (!derived.ok()) return Error{derived.error()};
    auto pub = scalar(root, "publicKey");
    if (!pub.ok()) return Error{pub.error()};
    if (*pub != nullptr) {
        auto stored = wireguard::parse_key_base64((*pub)->value);
        if (!stored.ok()) return Error{"publicKey: " + stored.error()};
        // Talos publishes the stored public key as it is; a wrong one would make every peer
        // encrypt to a key this node cannot use.
        if (*stored != *derived) return Error{"publicKey does not match privateKey"};
    }
    id.public_key = *derived;

    for (auto [key_name, field] : {std::pair{"address", &id.address}, std::pair{"subnet", &id.subnet}}) {
        auto p = read_prefix(root, key_name);
        if (!p.ok()) return Error{p.error()};
        *field = *p;
    }
    return id;
}

}  // namespace

Result<Identity> new_identity(std::span<const uint8_t, wireguard::kKeyLength> random) {
    Identity id;
    std::copy(random.begin(), random.end(), id.private_key.bytes.begin());
    id.private_key = wireguard::clamped(id.private_key);
    auto pub = wireguard::public_key(id.private_key);
    if (!pub.ok()) return Error{pub.error()};
    id.public_key = *pub;
    return id;
}

Result<Identity> with_address(Identity identity, const state::IpPrefix& subnet, std::string_view mac) {
    auto ip = kubespan_address(subnet, mac);
    if (!ip)
        return Error{"KubeSpan address: " + std::string(subnet.family() == state::Family::V6 ? "" : "the subnet is not IPv6, or ") +
                     "the hardware address " + config::go::quote(printable_ascii(mac, 64)) +
                     " is not a MAC of 6 or 8 bytes"};
    identity.subnet = subnet.masked();
    identity.address = state::IpPrefix{*ip, 128};
    return identity;
}

std::string render_identity_file(const Identity& identity) {
    return "address: " + prefix_text(identity.address) + "\nsubnet: " + prefix_text(identity.subnet) +
           "\nprivateKey: " + wireguard::to_base64(identity.private_key) +
           "\npublicKey: " + wireguard::to_base64(identity.public_key) + "\n";
}

Result<Identity> parse_identity_file(std::string_view text, std::string_view name) {
    auto fail = [&](const std::string& why) { return Error{std::string(name) + ": " + why}; };
    yaml::Stream stream;
    yaml::SyntaxError syntax;
    if (!yaml::parse(text, stream, syntax))
        return fail("not YAML: line " + std::to_string(syntax.mark.line) + ", column " + std::to_string(syntax.mark.column) +
                    ": " + printable_ascii(syntax.message));
    if (stream.documents.empty() || stream.documents.front().root->is_null()) return fail("empty");
    const yaml::Node* root = stream.documents.front().root;
    if (!root->is_mapping())
        return fail(std::string("a YAML ") + yaml::kind_name(root->kind) + ", not a mapping with privateKey");
    auto id = read_identity(*root);
    if (!id.ok()) return fail(id.error());
    return id;
}

}  // namespace nodenet::kubespan
