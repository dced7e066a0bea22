// The multi-document network kinds nodenet applies.
#include "config/decode.h"

namespace nodenet::config {

namespace {

// As in decode_v1alpha1.cpp: an element of the wrong shape fails Go's decoding, so the schema
// reports it and the rules never see an empty stand-in for it. Null elements are Go zero values.
template <class T>
void drop_misshapen(const Cursor& c, List<T>& list, yaml::Kind shape) {
    if (!c.is_sequence()) return;
    std::vector<T> kept;
    for (size_t i = 0; i < list.items.size(); ++i) {
        yaml::Kind kind = c.node()->items[i]->kind;
        if (kind == shape || kind == yaml::Kind::Null) kept.push_back(std::move(list.items[i]));
    }
    list.items = std::move(kept);
}

void read_texts(const Cursor& c, List<Text>& list) {
    c.read(list);
    drop_misshapen(c, list, yaml::Kind::Scalar);
}

template <class T, class Fn>
void read_structs(const Cursor& c, List<T>& list, Fn item) {
    c.read_list(list, item);
    drop_misshapen(c, list, yaml::Kind::Mapping);
}

}  // namespace

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
    read_structs(doc.at("nameservers"), r.nameservers, [](const Cursor& c, Text& t) {
        if (Cursor address = c.at("address"); address.present()) address.read(t);
    });
    Cursor search = doc.at("searchDomains");
    r.search_domains_present = search.is_mapping();
    read_texts(search.at("domains"), r.search_domains);
    search.at("disableDefault").read(r.disable_default);
    return r;
}

StaticHostDoc decode_static_host_doc(const Cursor& doc) {
    StaticHostDoc s;
    doc.at("name").read(s.name);
    read_texts(doc.at("hostnames"), s.hostnames);
    return s;
}

LinkDoc decode_link_doc(const Cursor& doc) {
    LinkDoc l;
    doc.at("name").read(l.name);
    doc.at("up").read(l.up);
    doc.at("multicast").read(l.multicast);
    doc.at("mtu").read(l.mtu);
    read_structs(doc.at("addresses"), l.addresses, [](const Cursor& c, LinkAddress& a) {
        c.at("address").read(a.address);
        c.at("routePriority").read(a.route_priority);
    });
    read_structs(doc.at("routes"), l.routes, [](const Cursor& c, LinkRoute& r) {
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

KubeSpanDoc decode_kubespan_doc(const Cursor& doc) {
    KubeSpanDoc k;
    decode_kubespan(doc, k.spec);
    return k;
}

KubeSpanEndpointsDoc decode_kubespan_endpoints_doc(const Cursor& doc) {
    KubeSpanEndpointsDoc k;
    read_texts(doc.at("extraAnnouncedEndpoints"), k.extra_announced_endpoints);
    return k;
}

}  // namespace nodenet::config
