// How many routes a network namespace holds, without dumping them: the kernel's own FIB statistics
// (/proc/net/fib_triestat: "Prefixes" per IPv4 table; /proc/net/rt6_stats: IPv6 route entries).
// A snapshot uses the count to choose how to read routes (snapshot.cpp), never to decide what it
// reads: a count that cannot be had only means the filtered dumps.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace nodenet::netlink {

// The routes of every IPv4 table in fib_triestat's text. With no policy rules of its own the kernel
// keeps the local and main tables in one trie and shows it twice ("Local:" reads as "Main:"): counted
// once.
std::optional<size_t> ipv4_routes_from_triestat(std::string_view text);

// The IPv6 route entries (fib_rt_entries, the fourth of rt6_stats's hexadecimal fields).
std::optional<size_t> ipv6_routes_from_rt6_stats(std::string_view text);

// Both, for the calling thread's network namespace (`proc_net`: /proc/thread-self/net, where a thread
// that entered a namespace with setns sees its own). IPv6 absent from the kernel counts 0; an
// unreadable or unparsable IPv4 file gives nullopt.
std::optional<size_t> routes_in_namespace(const std::string& proc_net = "/proc/thread-self/net");

}  // namespace nodenet::netlink
