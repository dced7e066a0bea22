#include "state/from_dhcp6.h"

#include "state/from_dhcp4.h"
#include "state/from_lease_names.h"

namespace nodenet::state {

LayeredSpecs specs_from_dhcp6(const std::string& link, const dhcp::v6::Lease& lease, uint32_t route_metric,
                              dhcp::TimePoint now) {
    LayeredSpecs out;
    const Origin origin{Layer::Operator, "dhcp6/" + link};
    Link l;
    l.name = link;
    l.up = true;
    l.origin = origin;
    out.links.push_back(l);

    Address a{link, IpPrefix{lease.address, 128}, route_metric, origin};
    if (lease.valid != dhcp::v6::kInfiniteDuration) {
        a.valid_lifetime = lifetime_until(lease.expires_at(), now);
        a.preferred_lifetime = lease.preferred == dhcp::v6::kInfiniteDuration
                                   ? *a.valid_lifetime
                                   : lifetime_until(lease.acquired_at + lease.preferred, now);
    }
    out.addresses.push_back(a);
    add_lease_names(out, origin, link, LeaseNames{lease.dns, lease.domains, std::nullopt, std::nullopt});
    return out;
}

}  // namespace nodenet::state
