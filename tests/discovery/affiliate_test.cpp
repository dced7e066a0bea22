// The affiliate model's protobuf codec, the checks on what comes from outside, and sealing.
#include "discovery/affiliate.h"

#include <gtest/gtest.h>

#include "discovery/affiliate_seal.h"
#include "discovery/proto/affiliate.pb.h"
#include "tests/discovery/affiliate_fixtures.h"

namespace nodenet::discovery {
namespace {

using namespace fixtures;
namespace pb = sidero::discovery::client;

std::string decode_error(const pb::Affiliate& m) {
    auto r = decode_affiliate_data(m.SerializeAsString());
    return r.ok() ? "accepted" : r.error();
}

pb::Affiliate message_of(const Affiliate& a) {
    pb::Affiliate m;
    EXPECT_TRUE(m.ParseFromString(encode_affiliate_data(a)));
    return m;
}

TEST(Affiliate, MachineTypesAsTalosParsesThem) {
    EXPECT_EQ(parse_machine_type("controlplane"), MachineType::ControlPlane);
    EXPECT_EQ(parse_machine_type("init"), MachineType::Init);
    EXPECT_EQ(parse_machine_type("worker"), MachineType::Worker);
    EXPECT_EQ(parse_machine_type("join"), MachineType::Worker);
    EXPECT_EQ(parse_machine_type(""), MachineType::Worker);
    EXPECT_EQ(parse_machine_type("unknown"), MachineType::Unknown);
    EXPECT_EQ(parse_machine_type("ControlPlane"), MachineType::Unknown);
    EXPECT_EQ(machine_type_name(MachineType::ControlPlane), "controlplane");
    EXPECT_EQ(machine_type_name(MachineType::Unknown), "unknown");
}

TEST(Affiliate, DataRoundTrip) {
    for (Affiliate a : {control_plane(), worker()}) {
        a.kubespan.endpoints.clear();  // not part of the data
        auto back = decode_affiliate_data(encode_affiliate_data(a));
        ASSERT_TRUE(back.ok()) << back.error();
        EXPECT_EQ(*back, a);
    }
}

// Talos's pbAffiliate: the KubeSpan part only with a public key, the control plane part only with
// a port; Talos's specAffiliate reads an empty KubeSpan address as none.
TEST(Affiliate, OptionalPartsAsTalosWritesThem) {
    pb::Affiliate m = message_of(worker());
    EXPECT_FALSE(m.has_kubespan());
    EXPECT_FALSE(m.has_control_plane());
    EXPECT_EQ(m.machine_type(), "worker");
    Affiliate no_key = control_plane();
    no_key.kubespan.public_key.clear();
    EXPECT_FALSE(message_of(no_key).has_kubespan());
    // A KubeSpan part without a key is no KubeSpan: none of it is kept (found by fuzz_affiliate:
    // kept, it would not survive being published again).
    m = message_of(control_plane());
    m.mutable_kubespan()->clear_public_key();
    auto keyless = decode_affiliate_data(m.SerializeAsString());
    ASSERT_TRUE(keyless.ok()) << keyless.error();
    EXPECT_EQ(keyless->kubespan, KubeSpanPart{});
    m = message_of(control_plane());
    EXPECT_EQ(m.control_plane().api_server_port(), 6443u);
    EXPECT_EQ(m.kubespan().address().size(), 16u);
    m.mutable_kubespan()->clear_address();
    auto back = decode_affiliate_data(m.SerializeAsString());
    ASSERT_TRUE(back.ok()) << back.error();
    EXPECT_FALSE(back->kubespan.address.has_value());
}

TEST(Affiliate, EndpointRoundTrip) {
    for (const Endpoint& e : control_plane().kubespan.endpoints) {
        auto back = decode_endpoint(encode_endpoint(e));
        ASSERT_TRUE(back.ok()) << back.error();
        EXPECT_EQ(*back, e);
    }
    EXPECT_EQ(control_plane().kubespan.endpoints[1].str(), "[2001:db8::2]:51820");
    EXPECT_EQ(control_plane().kubespan.endpoints[0].str(), "10.5.0.2:51820");
}

TEST(Affiliate, DecodeRefusesMalformedFields) {
    EXPECT_EQ(decode_affiliate_data("\xff\xff\xff").error(), "not a protobuf Affiliate message");
    EXPECT_EQ(decode_affiliate_data(std::string("\x0a\x05", 2)).error(), "not a protobuf Affiliate message");
    pb::Affiliate m = message_of(control_plane());
    m.set_addresses(1, "12345");
    EXPECT_EQ(decode_error(m), "addresses[1]: 5 bytes, an IP address has 4 or 16");
    m = message_of(control_plane());
    m.set_addresses(0, "");
    EXPECT_EQ(decode_error(m), "addresses[0]: 0 bytes, an IP address has 4 or 16");
    m = message_of(control_plane());
    m.mutable_kubespan()->set_address("abc");
    EXPECT_EQ(decode_error(m), "kubespan.address: 3 bytes, an IP address has 4 or 16");
    m = message_of(control_plane());
    m.mutable_kubespan()->mutable_additional_addresses(0)->set_bits(33);
    EXPECT_EQ(decode_error(m), "kubespan.additionalAddresses[0]: /33 is longer than an IPv4 address");
    m = message_of(control_plane());
    m.mutable_kubespan()->mutable_exclude_advertised_addresses(0)->set_ip(std::string(17, 'x'));
    EXPECT_EQ(decode_error(m), "kubespan.excludeAdvertisedNetworks[0]: 17 bytes, an IP address has 4 or 16");
    m = message_of(control_plane());
    m.mutable_kubespan()->set_public_key("not a key");
    EXPECT_EQ(decode_error(m).substr(0, 37), "kubespan.publicKey: illegal base64 da");
    m = message_of(control_plane());
    m.mutable_control_plane()->set_api_server_port(70000);
    EXPECT_EQ(decode_error(m), "controlPlane.apiServerPort: 70000 is not a port");
    m.mutable_control_plane()->set_api_server_port(0);
    EXPECT_EQ(decode_error(m), "controlPlane.apiServerPort: 0 is not a port");
    m = message_of(control_plane());
    m.set_machine_type("superuser");  // Talos ignores the parse error: unknown
    EXPECT_EQ(decode_affiliate_data(m.SerializeAsString())->machine_type, MachineType::Unknown);
}

TEST(Affiliate, DecodeRefusesHostileText) {
    auto with = [](auto set) {
        pb::Affiliate m = message_of(worker());
        set(m);
        return decode_error(m);
    };
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_hostname("evil\nline"); }), "hostname: contains a control character");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_nodename("a b"); }), "nodename: contains a space");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_nodename("n\xc3\xa9"); }), "nodename: contains a byte that is not ASCII");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_hostname(std::string(254, 'h')); }), "hostname: 254 bytes, more than 253");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_operating_system("Talos \xff"); }), "operatingSystem: is not UTF-8");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_operating_system("Talos \xc2\x85"); }),
              "operatingSystem: contains a control character");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_operating_system("Talos \x1b[31m"); }),
              "operatingSystem: contains a control character");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_operating_system("Gentoo \xe2\x98\x83 (snow)"); }), "accepted");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_node_id(""); }), "nodeId: empty");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_node_id("a/b"); }), "nodeId: contains '/'");
    EXPECT_EQ(with([](pb::Affiliate& m) { m.set_node_id(std::string(257, 'n')); }), "nodeId: 257 bytes, more than 256");
    EXPECT_EQ(with([](pb::Affiliate& m) {
                  for (int i = 0; i < 513; ++i) m.add_addresses("\x0a\x00\x00\x01");
              }),
              "addresses: 514 addresses, more than 512");
}

TEST(Affiliate, EndpointDecodeRefusesMalformed) {
    EXPECT_EQ(decode_endpoint("\x0a\x02\x01\x02").error(), "ip: 2 bytes, an IP address has 4 or 16");
    EXPECT_EQ(decode_endpoint(std::string("\x0a\x04\x0a\x00\x00\x01", 6)).error(), "port 0 is not a port");
    EXPECT_EQ(decode_endpoint(std::string("\x0a\x04\x0a\x00\x00\x01\x10\x80\x80\x04", 10)).error(),
              "port 65536 is not a port");
    EXPECT_EQ(decode_endpoint("\x12").error(), "not a protobuf Endpoint message");
}

TEST(AffiliateSeal, RoundTripWithEndpoints) {
    ClusterKey key;
    key.bytes.fill(0x42);
    Nonce nonce{};
    auto sealed = seal_affiliate(key, control_plane(), nonce);
    ASSERT_TRUE(sealed.ok()) << sealed.error();
    ASSERT_EQ(sealed->endpoints.size(), 2u);
    EXPECT_EQ(sealed->endpoints[0].size(), 16u);  // IPv4
    EXPECT_EQ(sealed->endpoints[1].size(), 32u);  // IPv6
    auto opened = open_affiliate(key, control_plane().node_id, sealed->data, sealed->endpoints);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate, control_plane());
    EXPECT_TRUE(opened->warnings.empty());

    // A node without KubeSpan publishes no endpoints, and its readers ignore any.
    Affiliate w = worker();
    w.kubespan.endpoints = {Endpoint{ip("192.0.2.7"), 51820}};
    auto plain = seal_affiliate(key, w, nonce);
    ASSERT_TRUE(plain.ok()) << plain.error();
    EXPECT_TRUE(plain->endpoints.empty());
    auto read = open_affiliate(key, w.node_id, plain->data, sealed->endpoints);
    ASSERT_TRUE(read.ok()) << read.error();
    EXPECT_TRUE(read->affiliate.kubespan.endpoints.empty());
    ASSERT_EQ(read->warnings.size(), 1u);
    EXPECT_EQ(read->warnings[0], "affiliate " + w.node_id + ": 2 endpoints ignored: the affiliate has no KubeSpan part");
}

TEST(AffiliateSeal, SkipsWhatCannotBeRead) {
    ClusterKey key;
    key.bytes.fill(0x42);
    ClusterKey other;
    other.bytes.fill(0x43);
    auto sealed = *seal_affiliate(key, control_plane(), Nonce{});
    const std::string id = control_plane().node_id;
    EXPECT_EQ(open_affiliate(other, id, sealed.data, sealed.endpoints).error(),
              "affiliate " + id + ": authentication failed (AES-GCM): another cluster's secret, or damaged data");
    EXPECT_EQ(open_affiliate(key, id, "", {}).error(), "affiliate " + id + ": no data");
    EXPECT_EQ(open_affiliate(key, "other\nid", sealed.data, {}).error(),
              "affiliate other?id: its data names node " + id + " instead");
    // One unreadable endpoint is left out; the others stay.
    std::vector<std::string> endpoints = {sealed.endpoints[0], std::string(16, 'x'), sealed.endpoints[1], "short"};
    auto opened = open_affiliate(key, id, sealed.data, endpoints);
    ASSERT_TRUE(opened.ok()) << opened.error();
    EXPECT_EQ(opened->affiliate.kubespan.endpoints, control_plane().kubespan.endpoints);
    ASSERT_EQ(opened->warnings.size(), 2u);
    EXPECT_EQ(opened->warnings[0].rfind("affiliate " + id + ": endpoint 2 of 4 left out: ", 0), 0u) << opened->warnings[0];
    EXPECT_EQ(opened->warnings[1],
              "affiliate " + id + ": endpoint 4 of 4 left out: 5 bytes, not a whole number of 16-byte AES blocks");
}

TEST(AffiliateSeal, RefusesToSendWhatTheServiceWouldRefuse) {
    ClusterKey key;
    Affiliate a = control_plane();
    for (int i = 0; i < 400; ++i) a.addresses.push_back(ip("10.1.2.3"));
    EXPECT_EQ(seal_affiliate(key, a, Nonce{}).error(),
              "local affiliate: affiliate data: 2643 bytes encrypted, more than the 2048 a discovery service keeps "
              "(too many addresses?)");
    a = control_plane();
    a.kubespan.endpoints.push_back(Endpoint{ip("10.0.0.1"), 0});
    EXPECT_EQ(seal_affiliate(key, a, Nonce{}).error(), "local affiliate: kubespan.endpoints[2]: port 0");
    a = control_plane();
    a.hostname = "bad host";
    EXPECT_EQ(seal_affiliate(key, a, Nonce{}).error(), "local affiliate: hostname: contains a space");
}

}  // namespace
}  // namespace nodenet::discovery
