// systemd-resolved's Link properties from arbitrary bytes: whatever servers_from_bus and
// domains_from_bus accept is an address of its family's length or a valid DNS name ("." only as the
// routing-only root), converted without loss; every refusal names its entry and stays on one line.
//
// Input: records until the bytes run out. A tag byte whose low bit is 0 starts a DNS entry (family
// byte, read signed so -1 and 0 occur; length byte; that many address bytes); 1 starts a Domains
// entry (bit 1 of the tag: routing-only; length byte; that many name bytes).
#include <cstddef>
#include <cstdint>
#include <string>
#include <sys/socket.h>
#include <utility>
#include <vector>

#include "dns/dns_name.h"
#include "dns/link_dns.h"
#include "fuzz/fuzz_check.h"

namespace {

using nodenet::fuzz::check;
using nodenet::fuzz::one_printable_line;
using namespace nodenet;

void check_servers(const std::vector<std::pair<int32_t, std::vector<uint8_t>>>& dns) {
    auto servers = dns::servers_from_bus(dns);
    if (!servers) {
        check(servers.error().rfind("DNS[", 0) == 0 && one_printable_line(servers.error()));
        return;
    }
    check(servers->size() == dns.size());
    for (size_t i = 0; i < dns.size(); ++i) {
        const auto& ip = (*servers)[i];
        check(dns[i].first == (ip.family == state::Family::V4 ? AF_INET : AF_INET6));
        check(dns[i].second.size() == ip.size());
        for (size_t b = 0; b < ip.bytes.size(); ++b) check(ip.bytes[b] == (b < ip.size() ? dns[i].second[b] : 0));
    }
}

void check_domains(const std::vector<std::pair<std::string, bool>>& domains) {
    auto out = dns::domains_from_bus(domains);
    if (!out) {
        check(out.error().rfind("Domains[", 0) == 0 && one_printable_line(out.error()));
        return;
    }
    check(out->size() == domains.size());
    std::vector<std::pair<std::string, bool>> again;
    for (size_t i = 0; i < domains.size(); ++i) {
        const auto& d = (*out)[i];
        check(d.routing_only == domains[i].second);
        if (d.name == ".") {
            check(d.routing_only && domains[i].first == ".");
        } else {
            check(dns::valid_dns_name(d.name) && d.name.back() != '.');
            check(domains[i].first == d.name || domains[i].first == d.name + ".");
        }
        again.emplace_back(d.name, d.routing_only);
    }
    // What was accepted reads the same a second time: nodenet may write it back to resolved.
    auto twice = dns::domains_from_bus(again);
    check(twice.ok() && *twice == *out);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    std::vector<std::pair<int32_t, std::vector<uint8_t>>> dns;
    std::vector<std::pair<std::string, bool>> domains;
    size_t at = 0;
    auto next = [&]() -> uint8_t { return at < size ? data[at++] : 0; };
    while (at < size) {
        uint8_t tag = next();
        if ((tag & 1) == 0) {
            auto family = static_cast<int32_t>(static_cast<int8_t>(next()));
            size_t n = next();
            std::vector<uint8_t> bytes;
            for (size_t i = 0; i < n && at < size; ++i) bytes.push_back(next());
            dns.emplace_back(family, std::move(bytes));
        } else {
            size_t n = next();
            std::string name;
            for (size_t i = 0; i < n && at < size; ++i) name += static_cast<char>(next());
            domains.emplace_back(std::move(name), (tag & 2) != 0);
        }
    }
    check_servers(dns);
    check_domains(domains);
    return 0;
}
