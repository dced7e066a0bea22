// Configs that the output-format tests of `nodenet validate` share: the same findings, seen as text
// and as JSON.
#pragma once

namespace nodenet::cli_test {

// Two errors (a bad address, the KubeSpan MTU) and one warning (a nameserver that is no IP).
constexpr char kTwoErrorsOneWarning[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n"
    "    interfaces:\n"
    "      - interface: eth0\n"
    "        addresses: [10.0.0.300/24]\n"
    "    nameservers: [dns.example.com]\n"
    "    kubespan: {enabled: true, mtu: 1200}\n"
    "cluster:\n"
    "  discovery: {enabled: true}\n"
    "  id: cluster-id\n"
    "  secret: cluster-secret\n";

constexpr char kWarningOnly[] =
    "version: v1alpha1\n"
    "machine:\n"
    "  type: worker\n"
    "  network:\n"
    "    nameservers: [dns.example.com]\n";

}  // namespace nodenet::cli_test
