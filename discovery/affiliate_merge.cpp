#include "discovery/affiliate_merge.h"

#include <algorithm>
#include <map>

namespace nodenet::discovery {
namespace {

template <class T>
void union_into(std::vector<T>& base, const std::vector<T>& other) {
    for (const T& item : other)
        if (std::find(base.begin(), base.end(), item) == base.end()) base.push_back(item);
}

}  // namespace

std::string raw_service_id(std::string_view node_id) { return "service/" + std::string(node_id); }

void merge_into(Affiliate& base, const Affiliate& other) {
    union_into(base.addresses, other.addresses);
    if (!other.hostname.empty()) base.hostname = other.hostname;
    if (!other.nodename.empty()) base.nodename = other.nodename;
    if (other.machine_type != MachineType::Unknown) base.machine_type = other.machine_type;
    if (other.api_server_port) base.api_server_port = other.api_server_port;
    KubeSpanPart& k = base.kubespan;
    if (!other.kubespan.public_key.empty()) k.public_key = other.kubespan.public_key;
    if (other.kubespan.address) k.address = other.kubespan.address;
    union_into(k.additional_addresses, other.kubespan.additional_addresses);
    union_into(k.exclude_advertised_networks, other.kubespan.exclude_advertised_networks);
    union_into(k.endpoints, other.kubespan.endpoints);
}

std::vector<Affiliate> merge_affiliates(std::span<const RawAffiliate> raw) {
    std::vector<const RawAffiliate*> ordered;
    for (const auto& r : raw) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(), [](const RawAffiliate* a, const RawAffiliate* b) { return a->id < b->id; });
    std::map<std::string, Affiliate> merged;
    for (const RawAffiliate* r : ordered) {
        auto [it, fresh] = merged.try_emplace(r->spec.node_id, r->spec);
        if (!fresh) merge_into(it->second, r->spec);
    }
    std::vector<Affiliate> out;
    out.reserve(merged.size());
    for (auto& [id, affiliate] : merged) out.push_back(std::move(affiliate));
    return out;
}

std::vector<Member> members_of(std::span<const Affiliate> merged) {
    std::vector<const Affiliate*> ordered;
    for (const auto& a : merged) ordered.push_back(&a);
    std::stable_sort(ordered.begin(), ordered.end(), [](const Affiliate* a, const Affiliate* b) { return a->node_id < b->node_id; });
    std::map<std::string, Member> members;
    for (const Affiliate* a : ordered) {
        if (a->nodename.empty()) continue;
        members[a->nodename] = Member{a->nodename, a->node_id, a->addresses, a->hostname, a->machine_type,
                                      a->operating_system, a->api_server_port};
    }
    std::vector<Member> out;
    out.reserve(members.size());
    for (auto& [id, member] : members) out.push_back(std::move(member));
    return out;
}

}  // namespace nodenet::discovery
