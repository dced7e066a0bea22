// ResolvedClient over the D-Bus adapter of nodenet-resolved.so (dns/io/resolved_bus.h): the module
// is loaded on the first connection, so runs that never talk to systemd-resolved do not map
// sdbus-c++, libsystemd and their libraries. What the bus returns is checked here
// (dns/link_dns.h): a reply is untrusted input.
#include "dns/io/resolved_client.h"

#include <sys/socket.h>

#include <utility>

#include "common/module_loader.h"
#include "dns/io/resolved_bus.h"

namespace nodenet::dns {

namespace {

BusServers servers_to_bus(const std::vector<state::IpAddress>& servers) {
    BusServers out;
    for (const auto& ip : servers) {
        int32_t family = ip.family == state::Family::V4 ? AF_INET : AF_INET6;
        out.emplace_back(family, std::vector<uint8_t>(ip.bytes.begin(), ip.bytes.begin() + ip.size()));
    }
    return out;
}

BusDomains domains_to_bus(const std::vector<LinkDomain>& domains) {
    BusDomains out;
    for (const auto& d : domains) out.emplace_back(d.name, d.routing_only);
    return out;
}

class BusResolvedClient final : public ResolvedClient {
public:
    explicit BusResolvedClient(std::unique_ptr<ResolvedBus> bus) : bus_(std::move(bus)) {}

    Result<bool> running() override { return bus_->running(); }

    Result<LinkDns> read_link(int ifindex, const std::string& link) override {
        Result<BusLink> raw = bus_->read_link(ifindex, link);
        if (!raw) return Error{raw.error()};
        auto servers = servers_from_bus(raw->servers);
        if (!servers) return Error{link + ": " + servers.error()};
        auto domains = domains_from_bus(raw->domains);
        if (!domains) return Error{link + ": " + domains.error()};
        LinkDns dns;
        dns.servers = std::move(*servers);
        dns.domains = std::move(*domains);
        dns.default_route = raw->default_route;
        return dns;
    }

    Status set_link(int ifindex, const std::string& link, const LinkDns& dns) override {
        return bus_->set_link(ifindex, link, servers_to_bus(dns.servers), domains_to_bus(dns.domains),
                              dns.default_route);
    }

    Status revert_link(int ifindex, const std::string& link) override { return bus_->revert_link(ifindex, link); }

private:
    std::unique_ptr<ResolvedBus> bus_;
};

}  // namespace

Status resolved_support() {
    Result<const ResolvedModule*> module = common::load_module<ResolvedModule>();
    if (!module) return Error{"systemd-resolved support: " + module.error()};
    return success();
}

Result<std::unique_ptr<ResolvedClient>> connect_resolved() {
    Result<const ResolvedModule*> module = common::load_module<ResolvedModule>();
    if (!module) return Error{"systemd-resolved support: " + module.error()};
    Result<std::unique_ptr<ResolvedBus>> bus = (*module)->connect_system_bus();
    if (!bus) return Error{bus.error()};
    std::unique_ptr<ResolvedClient> client = std::make_unique<BusResolvedClient>(std::move(*bus));
    return client;
}

}  // namespace nodenet::dns
