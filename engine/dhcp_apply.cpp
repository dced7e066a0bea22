#include "engine/dhcp_apply.h"

#include <map>

#include "engine/transaction.h"
#include "state/from_dhcp4.h"
#include "state/from_dhcp6.h"

namespace nodenet::engine {

namespace {

// Holds the current lease of each interface: every change is planned with all of them, so that
// applying one lease never takes another's address or routes away.
class ApplySink : public LeaseSink {
public:
    ApplySink(NetworkOptions options, uint32_t metric) : options_(std::move(options)), metric_(metric) {}

    Status apply(const std::string& iface, const dhcp::Lease& lease) override {
        leases_[iface] = lease;
        return converge_to_leases();
    }

    Status remove(const std::string& iface, const dhcp::Lease&) override {
        leases_.erase(iface);
        return converge_to_leases();
    }

    Status apply(const std::string& iface, const dhcp::v6::Lease& lease) override {
        leases6_[iface] = lease;
        return converge_to_leases();
    }

    Status remove(const std::string& iface, const dhcp::v6::Lease&) override {
        leases6_.erase(iface);
        return converge_to_leases();
    }

private:
    // A removed lease's address and routes go because nodenet owns them and nothing wants them.
    Status converge_to_leases() {
        std::vector<state::LayeredSpecs> layers;
        auto now = dhcp::Clock::now();
        for (const auto& [iface, lease] : leases_)
            layers.push_back(state::specs_from_dhcp4(iface, lease, {metric_, false, false}, now));
        for (const auto& [iface, lease] : leases6_) layers.push_back(state::specs_from_dhcp6(iface, lease, metric_, now));
        auto p = prepare(options_, std::move(layers));
        if (!p.ok()) return Error{p.error()};
        if (!p->plan.conflicts.empty())
            return Error{p->plan.conflicts.front().link + ": " + p->plan.conflicts.front().what + ": " +
                         p->plan.conflicts.front().holder + "; the lease is not applied"};
        if (p->plan.empty()) return success();
        auto applied = run_transaction(options_, *p);
        if (!applied.ok()) return Error{applied.error()};
        return success();
    }

    NetworkOptions options_;
    uint32_t metric_;
    std::map<std::string, dhcp::Lease> leases_;
    std::map<std::string, dhcp::v6::Lease> leases6_;
};

}  // namespace

std::unique_ptr<LeaseSink> make_apply_sink(const NetworkOptions& options, uint32_t route_metric) {
    return std::make_unique<ApplySink>(options, route_metric);
}

}  // namespace nodenet::engine
