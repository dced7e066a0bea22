// ResolvedClient over sdbus-c++: one system bus connection, plain blocking calls (sd_bus_call) with
// a timeout each, no event loop thread. sdbus::Error stops here and becomes an Error value.
#include "dns/io/resolved_client.h"

#include <sdbus-c++/sdbus-c++.h>
#include <sys/socket.h>

#include <chrono>
#include <utility>

namespace nodenet::dns {

namespace {

constexpr char kService[] = "org.freedesktop.resolve1";
constexpr char kManagerPath[] = "/org/freedesktop/resolve1";
constexpr char kManager[] = "org.freedesktop.resolve1.Manager";
constexpr char kLink[] = "org.freedesktop.resolve1.Link";
constexpr char kBusService[] = "org.freedesktop.DBus";
constexpr char kBusPath[] = "/org/freedesktop/DBus";
constexpr char kProperties[] = "org.freedesktop.DBus.Properties";
// resolved answers in milliseconds; a daemon that hangs (stopped, deadlocked, waiting on polkit)
// must cost nodenet seconds, not the bus's default of 25 s per call.
constexpr auto kCallTimeout = std::chrono::seconds(5);

using BusServers = std::vector<sdbus::Struct<int32_t, std::vector<uint8_t>>>;
using BusDomains = std::vector<sdbus::Struct<std::string, bool>>;

Error bus_error(const std::string& link, const std::string& method, const sdbus::Error& e) {
    return Error{link + ": " + method + ": " + e.getName() + ": " + e.getMessage()};
}

template <class... Args>
sdbus::MethodReply call(sdbus::IProxy& proxy, const char* interface, const char* method, const Args&... args) {
    sdbus::MethodCall message = proxy.createMethodCall(interface, method);
    (message << ... << args);
    return proxy.callMethod(message, kCallTimeout);
}

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

// One property of the Link object, checked against the type resolved documents: a variant of
// another type would otherwise read as an empty array.
template <class T>
Result<T> link_property(sdbus::IProxy& link_object, const std::string& link, const char* property,
                        const char* signature) {
    sdbus::Variant value;
    std::string method = std::string("Get(") + property + ")";
    try {
        call(link_object, kProperties, "Get", std::string(kLink), std::string(property)) >> value;
        if (!value.containsValueOfType<T>())
            return Error{link + ": " + method + ": reply is of type " + value.peekValueType() + ", expected " +
                         signature};
        return value.get<T>();
    } catch (const sdbus::Error& e) {
        return bus_error(link, method, e);
    }
}

class SdbusResolvedClient final : public ResolvedClient {
public:
    explicit SdbusResolvedClient(std::unique_ptr<sdbus::IConnection> bus)
        : bus_(std::move(bus)),
          manager_(sdbus::createProxy(*bus_, kService, kManagerPath)),
          driver_(sdbus::createProxy(*bus_, kBusService, kBusPath)) {}

    Result<bool> running() override {
        try {
            bool owned = false;
            call(*driver_, kBusService, "NameHasOwner", std::string(kService)) >> owned;
            return owned;
        } catch (const sdbus::Error& e) {
            return bus_error(kService, "NameHasOwner", e);
        }
    }

    Result<LinkDns> read_link(int ifindex, const std::string& link) override {
        std::unique_ptr<sdbus::IProxy> link_object;
        try {
            sdbus::ObjectPath path;
            call(*manager_, kManager, "GetLink", int32_t{ifindex}) >> path;
            link_object = sdbus::createProxy(*bus_, kService, path);
        } catch (const sdbus::Error& e) {
            return bus_error(link, "GetLink", e);
        }
        auto servers = link_property<BusServers>(*link_object, link, "DNS", "a(iay)");
        if (!servers) return Error{servers.error()};
        auto domains = link_property<BusDomains>(*link_object, link, "Domains", "a(sb)");
        if (!domains) return Error{domains.error()};
        auto default_route = link_property<bool>(*link_object, link, "DefaultRoute", "b");
        if (!default_route) return Error{default_route.error()};

        std::vector<std::pair<int32_t, std::vector<uint8_t>>> raw_servers;
        for (auto& s : *servers) raw_servers.emplace_back(std::get<0>(s), std::move(std::get<1>(s)));
        std::vector<std::pair<std::string, bool>> raw_domains;
        for (auto& d : *domains) raw_domains.emplace_back(std::move(std::get<0>(d)), std::get<1>(d));
        LinkDns dns;
        auto parsed_servers = servers_from_bus(raw_servers);
        if (!parsed_servers) return Error{link + ": " + parsed_servers.error()};
        auto parsed_domains = domains_from_bus(raw_domains);
        if (!parsed_domains) return Error{link + ": " + parsed_domains.error()};
        dns.servers = std::move(*parsed_servers);
        dns.domains = std::move(*parsed_domains);
        dns.default_route = *default_route;
        return dns;
    }

    Status set_link(int ifindex, const std::string& link, const LinkDns& dns) override {
        // Three calls, not one transaction: resolved has no call that sets them together. A failure
        // names the call it stopped at; the caller reverts or retries the whole link.
        const char* method = "SetLinkDNS";
        try {
            call(*manager_, kManager, method, int32_t{ifindex}, servers_to_bus(dns.servers));
            method = "SetLinkDomains";
            call(*manager_, kManager, method, int32_t{ifindex}, domains_to_bus(dns.domains));
            if (dns.default_route) {
                method = "SetLinkDefaultRoute";
                call(*manager_, kManager, method, int32_t{ifindex}, *dns.default_route);
            }
        } catch (const sdbus::Error& e) {
            return bus_error(link, method, e);
        }
        return success();
    }

    Status revert_link(int ifindex, const std::string& link) override {
        try {
            call(*manager_, kManager, "RevertLink", int32_t{ifindex});
        } catch (const sdbus::Error& e) {
            return bus_error(link, "RevertLink", e);
        }
        return success();
    }

private:
    std::unique_ptr<sdbus::IConnection> bus_;  // outlives the proxies, which only refer to it
    std::unique_ptr<sdbus::IProxy> manager_;
    std::unique_ptr<sdbus::IProxy> driver_;  // the bus itself, for NameHasOwner
};

}  // namespace

Result<std::unique_ptr<ResolvedClient>> connect_resolved() {
    try {
        std::unique_ptr<ResolvedClient> client = std::make_unique<SdbusResolvedClient>(sdbus::createSystemBusConnection());
        return client;
    } catch (const sdbus::Error& e) {
        return Error{"system bus: " + e.getName() + ": " + e.getMessage()};
    }
}

}  // namespace nodenet::dns
