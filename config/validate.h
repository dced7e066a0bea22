// Load + validate one config file: YAML -> documents -> schema -> typed model -> rules.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.h"
#include "config/model.h"
#include "config/rules.h"

namespace nodenet::schema {
class SchemaChecker;
}

namespace nodenet::config {

// Larger files are refused before parsing: a machine config is a few tens of kilobytes.
constexpr size_t kMaxConfigBytes = 16 * 1024 * 1024;

// The diagnostic for a file over kMaxConfigBytes; its size is unknown when it came from a pipe.
std::string too_large_message(std::optional<uint64_t> size);

struct Options {
    Mode mode = Mode::Metal;
    bool strict = false;
};

template <class T>
struct Doc {
    Source src;  // the document root; its path is the document's label (`LinkConfig[eth0]`)
    T spec;
};

// The typed network configuration of one file: the v1alpha1 document and the multi-document kinds.
struct Config {
    std::optional<MachineConfig> machine;
    std::vector<Doc<HostnameDoc>> hostnames;
    std::vector<Doc<ResolverDoc>> resolvers;
    std::vector<Doc<StaticHostDoc>> static_hosts;
    std::vector<Doc<LinkDoc>> links;
    std::vector<Doc<DhcpDoc>> dhcp;
    std::vector<Doc<KubeSpanDoc>> kubespan;
    std::vector<Doc<KubeSpanEndpointsDoc>> kubespan_endpoints;
};

struct Validation {
    Config config;
    Diagnostics diagnostics;  // sorted in source order
};

Validation validate(std::string_view text, const schema::SchemaChecker& schema, const Options& options);

// Rules of the multi-document kinds and their conflicts with the v1alpha1 document (reference §7).
void check_documents(const Config& config, Diagnostics& out);

// Every host name, alias and search domain must be a valid DNS name (dns/dns_name.h): errors,
// since an invalid one could add lines to resolv.conf or /etc/hosts (Talos writes them as given).
void check_names(const Config& config, Diagnostics& out);

}  // namespace nodenet::config
