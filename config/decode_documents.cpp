// The multi-document network kinds nodenet applies.
#include "config/decode.h"

namespace nodenet::config {

HostnameDoc decode_hostname_doc(const Cursor& doc) {
    HostnameDoc h;
    doc.at("auto").read(h.auto_mode);
    doc.at("hostname").read(h.hostname);
    return h;
}

ResolverDoc decode_resolver_doc(const Cursor& doc) {
    ResolverDoc r;
    // nameservers is a list of {address: IP}; the model keeps the addresses.
    // An entry without address keeps its own place, for the rules to point at.
    doc.at("nameservers").read_list(r.nameservers, [](const Cursor& c, Text& t) {
        if (Cursor address = c.at("address"); address.present()) address.read(t);
    });
    Cursor search = doc.at("searchDomains");
    r.search_domains_present = search.is_mapping();
    search.at("domains").read(r.search_domains);
    search.at("disableDefault").read(r.disable_default);
    return r;
}

StaticHostDoc decode_static_host_doc(const Cursor& doc) {
    StaticHostDoc s;
    doc.at("name").read(s.name);
    doc.at("hostnames").read(s.hostnames);
    return s;
}

LinkDoc decode_link_doc(const Cursor& doc) {
    LinkDoc l;
    doc.at("name").read(l.name);
    doc.at("up").read(l.up);
    doc.at("multicast").read(l.multicast);
    doc.at("mtu").read(l.mtu);
    doc.at("addresses").read_list(l.addresses, [](const Cursor& c, LinkAddress& a) {
        c.at("address").read(a.address);
        c.at("routePriority").read(a.route_priority);
    });
    doc.at("routes").read_list(l.routes, [](const Cursor& c, LinkRoute& r) {
        c.at("destination").read(r.destination);
        c.at("gateway").read(r.gateway);
        c.at("source").read(r.source);
        c.at("table").read(r.table);
        c.at("metric").read(r.metric);
        c.at("mtu").read(r.mtu);
    });
    return l;
}

DhcpDoc decode_dhcp_doc(const Cursor& doc, bool v6) {
    DhcpDoc d;
    d.v6 = v6;
    doc.at("name").read(d.name);
    doc.at("clientIdentifier").read(d.client_identifier);
    doc.at("duidRaw").read(d.duid_raw);
    doc.at("routeMetric").read(d.route_metric);
    doc.at("ignoreHostname").read(d.ignore_hostname);
    return d;
}

RoutingRuleDoc decode_routing_rule_doc(const Cursor& doc) {
    RoutingRuleDoc r;
    doc.at("name").read(r.name);
    doc.at("src").read(r.src);
    doc.at("dst").read(r.dst);
    doc.at("table").read(r.table);
    doc.at("action").read(r.action);
    doc.at("iifName").read(r.iif_name);
    doc.at("oifName").read(r.oif_name);
    doc.at("fwMark").read(r.fw_mark);
    doc.at("fwMask").read(r.fw_mask);
    return r;
}

KubeSpanDoc decode_kubespan_doc(const Cursor& doc) {
    KubeSpanDoc k;
    decode_kubespan(doc, k.spec);
    return k;
}

KubeSpanEndpointsDoc decode_kubespan_endpoints_doc(const Cursor& doc) {
    KubeSpanEndpointsDoc k;
    doc.at("extraAnnouncedEndpoints").read(k.extra_announced_endpoints);
    return k;
}

DiscoveryServiceDoc decode_discovery_service_doc(const Cursor& doc) {
    DiscoveryServiceDoc d;
    doc.at("name").read(d.name);
    doc.at("endpoint").read(d.endpoint);
    return d;
}

DiscoveryIdentityDoc decode_discovery_identity_doc(const Cursor& doc) {
    DiscoveryIdentityDoc d;
    doc.at("clusterID").read(d.cluster_id);
    doc.at("clusterSecret").read(d.cluster_secret);
    return d;
}

}  // namespace nodenet::config
