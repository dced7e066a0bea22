// YAML tree -> typed model, for the v1alpha1 document and each multi-document network kind.
#pragma once

#include <string>

#include "config/cursor.h"
#include "config/model.h"

namespace nodenet::config {

MachineConfig decode_machine_config(const yaml::Node& root, Diagnostics& out);

// Each takes a cursor on the document root; the cursor's path is the document's label.
HostnameDoc decode_hostname_doc(const Cursor& doc);
ResolverDoc decode_resolver_doc(const Cursor& doc);
StaticHostDoc decode_static_host_doc(const Cursor& doc);
LinkDoc decode_link_doc(const Cursor& doc);
DhcpDoc decode_dhcp_doc(const Cursor& doc, bool v6);
RoutingRuleDoc decode_routing_rule_doc(const Cursor& doc);
KubeSpanDoc decode_kubespan_doc(const Cursor& doc);
KubeSpanEndpointsDoc decode_kubespan_endpoints_doc(const Cursor& doc);
DiscoveryServiceDoc decode_discovery_service_doc(const Cursor& doc);
DiscoveryIdentityDoc decode_discovery_identity_doc(const Cursor& doc);

// Shared by v1alpha1 `machine.network.kubespan` and the KubeSpanConfig document.
void decode_kubespan(const Cursor& c, KubeSpan& k);

}  // namespace nodenet::config
