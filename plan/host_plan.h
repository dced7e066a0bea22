// The resolver, /etc/hosts and host-name part of a plan: the desired HostSettings against what the
// files, the kernel's host name and systemd-resolved hold now. Pure: the reads are passed in.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "dns/link_dns.h"
#include "state/objects.h"

namespace nodenet::plan {

enum class ResolverWriter : uint8_t { None, File, Resolved };
enum class HostnameWriter : uint8_t { None, Kernel, File };  // File: <root>/etc/hostname, for images

struct HostTargets {
    ResolverWriter resolver = ResolverWriter::File;
    HostnameWriter hostname = HostnameWriter::Kernel;
    bool force = false;  // replace a resolv.conf that is a symlink
};

// A file as read: missing, a symlink (not followed), or its bytes.
struct ObservedFile {
    bool exists = false;
    std::optional<std::string> symlink_target;
    std::string content;
};

struct ObservedLinkDns {
    int ifindex = 0;
    dns::LinkDns dns;
};

struct HostObserved {
    ObservedFile resolv_conf, hosts, hostname_file;
    state::HostName hostname;  // the kernel's host name and domain name ("(none)" read as "")
    std::map<std::string, ObservedLinkDns> resolved;  // links in the kernel, read from systemd-resolved
    std::set<std::string> resolved_owned;             // links nodenet set in systemd-resolved before
};

// Paths are as the machine sees them ("/etc/resolv.conf"); the writer prefixes --root.
struct WriteFile {
    std::string path;
    std::string content;
    std::optional<std::string> before;  // unset: the file did not exist
    std::string summary;                // "nameservers 10.0.0.1, 1.1.1.1; search example.com"
};
struct SetHostname {
    state::HostName to, from;
};
struct SetLinkDns {
    std::string link;
    int ifindex = 0;
    dns::LinkDns to, from;
};
struct RevertLinkDns {
    std::string link;
    int ifindex = 0;
    dns::LinkDns from;
};

using HostChange = std::variant<WriteFile, SetHostname, SetLinkDns, RevertLinkDns>;

struct HostOperation {
    HostChange change;
    std::string reason;
};

// A file nodenet will not replace, and why (a symlinked resolv.conf): the apply stops, as for a
// kernel object in the way.
struct HostRefusal {
    std::string path, why, reason;
};

struct HostPlan {
    std::vector<HostOperation> operations;
    std::vector<HostRefusal> refusals;
    std::vector<std::string> warnings;
};

// Which link carries which servers and domains in systemd-resolved: a lease's on its own link;
// the config's and the defaults' on every link with a default route in `desired` (none: every
// link with an address), each such link a default route for DNS.
std::map<std::string, dns::LinkDns> resolved_links(const state::HostSettings::Resolver& resolver,
                                                   const state::DesiredState& desired);

HostPlan plan_host(const state::DesiredState& desired, const HostObserved& observed, const HostTargets& targets);

// The links to read from systemd-resolved for plan_host: those resolved_links() names and those
// nodenet set before.
std::vector<std::string> resolved_links_to_read(const state::DesiredState& desired, const std::set<std::string>& owned);

// "+ /etc/resolv.conf: nameservers ..." and so on, for the plan's text.
std::string describe(const HostOperation& op);
const char* action_name(const HostOperation& op);

}  // namespace nodenet::plan
