#include "discovery/affiliate_seal.h"

#include "common/printable.h"

namespace nodenet::discovery {

Result<SealedAffiliate> seal_affiliate(const ClusterKey& key, const Affiliate& affiliate, const Nonce& nonce) {
    if (auto ok = check_affiliate(affiliate); !ok.ok()) return Error{"local affiliate: " + ok.error()};
    auto data = seal_affiliate_data(key, encode_affiliate_data(affiliate), nonce);
    if (!data.ok()) return Error{"local affiliate: " + data.error() + " (too many addresses?)"};
    SealedAffiliate out{std::move(*data), {}};
    if (affiliate.has_kubespan()) {
        auto endpoints = seal_endpoints(key, affiliate.kubespan.endpoints);
        if (!endpoints.ok()) return Error{"local affiliate: " + endpoints.error()};
        out.endpoints = std::move(*endpoints);
    }
    return out;
}

Result<std::vector<std::string>> seal_endpoints(const ClusterKey& key, std::span<const Endpoint> endpoints) {
    if (endpoints.size() > kMaxEndpoints)
        return Error{std::to_string(endpoints.size()) + " endpoints, more than the " + std::to_string(kMaxEndpoints) +
                     " a discovery service keeps"};
    std::vector<std::string> out;
    for (const Endpoint& e : endpoints) {
        if (auto ok = check_endpoint(e); !ok.ok()) return Error{"endpoint " + e.str() + ": " + ok.error()};
        auto blob = seal_endpoint(key, encode_endpoint(e));
        if (!blob.ok()) return Error{"endpoint " + e.str() + ": " + blob.error()};
        out.push_back(std::move(*blob));
    }
    return out;
}

Result<OpenedAffiliate> open_affiliate(const ClusterKey& key, std::string_view id, std::string_view data,
                                       std::span<const std::string> endpoints) {
    std::string name = "affiliate " + printable_ascii(id, 80);
    auto plain = open_affiliate_data(key, data);
    if (!plain.ok()) return Error{name + ": " + plain.error()};
    auto affiliate = decode_affiliate_data(*plain);
    if (!affiliate.ok()) return Error{name + ": " + affiliate.error()};
    if (affiliate->node_id != id)
        return Error{name + ": its data names node " + printable_ascii(affiliate->node_id, 80) + " instead"};
    OpenedAffiliate out{std::move(*affiliate), {}};
    if (!endpoints.empty() && !out.affiliate.has_kubespan()) {
        // Talos reads endpoints only into the KubeSpan part.
        out.warnings.push_back(name + ": " + std::to_string(endpoints.size()) +
                               " endpoints ignored: the affiliate has no KubeSpan part");
        return out;
    }
    for (size_t i = 0; i < endpoints.size(); ++i) {
        std::string at = name + ": endpoint " + std::to_string(i + 1) + " of " + std::to_string(endpoints.size());
        if (out.affiliate.kubespan.endpoints.size() == kMaxEndpoints) {
            out.warnings.push_back(at + " and the rest left out: more than " + std::to_string(kMaxEndpoints));
            break;
        }
        auto bytes = open_endpoint(key, endpoints[i]);
        if (!bytes.ok()) {
            out.warnings.push_back(at + " left out: " + bytes.error());
            continue;
        }
        auto endpoint = decode_endpoint(*bytes);
        if (!endpoint.ok()) {
            out.warnings.push_back(at + " left out: " + endpoint.error());
            continue;
        }
        out.affiliate.kubespan.endpoints.push_back(*endpoint);
    }
    return out;
}

}  // namespace nodenet::discovery
