// nodenet-resolved.so: ResolvedBus over sdbus-c++ — one system bus connection, plain blocking calls
// (sd_bus_call) with a timeout each, no event loop thread. sdbus::Error stops here and becomes an
// Error value; nothing but the entry point is exported (common/module.h).
#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <utility>

#include "common/module.h"
#include "dns/io/resolved_bus.h"

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

using SdbusServers = std::vector<sdbus::Struct<int32_t, std::vector<uint8_t>>>;
using SdbusDomains = std::vector<sdbus::Struct<std::string, bool>>;

Error bus_error(const std::string& link, const std::string& method, const sdbus::Error& e) {
    return Error{link + ": " + method + ": " + e.getName() + ": " + e.getMessage()};
}

template <class... Args>
sdbus::MethodReply call(sdbus::IProxy& proxy, const char* interface, const char* method, const Args&... args) {
    sdbus::MethodCall message = proxy.createMethodCall(interface, method);
    (message << ... << args);
    return proxy.callMethod(message, kCallTimeout);
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

class SdbusResolvedBus final : public ResolvedBus {
public:
    explicit SdbusResolvedBus(std::unique_ptr<sdbus::IConnection> bus)
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

    Result<BusLink> read_link(int ifindex, const std::string& link) override {
        std::unique_ptr<sdbus::IProxy> link_object;
        try {
            sdbus::ObjectPath path;
            call(*manager_, kManager, "GetLink", int32_t{ifindex}) >> path;
            link_object = sdbus::createProxy(*bus_, kService, path);
        } catch (const sdbus::Error& e) {
            return bus_error(link, "GetLink", e);
        }
        auto servers = link_property<SdbusServers>(*link_object, link, "DNS", "a(iay)");
        if (!servers) return Error{servers.error()};
        auto domains = link_property<SdbusDomains>(*link_object, link, "Domains", "a(sb)");
        if (!domains) return Error{domains.error()};
        auto default_route = link_property<bool>(*link_object, link, "DefaultRoute", "b");
        if (!default_route) return Error{default_route.error()};

        BusLink out;
        for (auto& s : *servers) out.servers.emplace_back(std::get<0>(s), std::move(std::get<1>(s)));
        for (auto& d : *domains) out.domains.emplace_back(std::move(std::get<0>(d)), std::get<1>(d));
        out.default_route = *default_route;
        return out;
    }

    Status set_link(int ifindex, const std::string& link, const BusServers& servers, const BusDomains& domains,
                    std::optional<bool> default_route) override {
        SdbusServers bus_servers;
        for (const auto& [family, bytes] : servers) bus_servers.emplace_back(family, bytes);
        SdbusDomains bus_domains;
        for (const auto& [name, routing_only] : domains) bus_domains.emplace_back(name, routing_only);
        // Three calls, not one transaction: resolved has no call that sets them together. A failure
        // names the call it stopped at; the caller reverts or retries the whole link.
        const char* method = "SetLinkDNS";
        try {
            call(*manager_, kManager, method, int32_t{ifindex}, bus_servers);
            method = "SetLinkDomains";
            call(*manager_, kManager, method, int32_t{ifindex}, bus_domains);
            if (default_route) {
                method = "SetLinkDefaultRoute";
                call(*manager_, kManager, method, int32_t{ifindex}, *default_route);
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

Result<std::unique_ptr<ResolvedBus>> connect_system_bus() {
    try {
        std::unique_ptr<ResolvedBus> bus = std::make_unique<SdbusResolvedBus>(sdbus::createSystemBusConnection());
        return bus;
    } catch (const sdbus::Error& e) {
        return Error{"system bus: " + e.getName() + ": " + e.getMessage()};
    }
}

const ResolvedModule kModule{&connect_system_bus};

}  // namespace

}  // namespace nodenet::dns

NODENET_MODULE(resolved, nodenet::dns::ResolvedModule, nodenet::dns::kModule)
