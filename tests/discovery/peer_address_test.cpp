// The client IP the discovery server reads from gRPC's peer names, and its inspect view.
#include "discovery/peer_address.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "discovery/server_inspect.h"

namespace nodenet::discovery {
namespace {

using namespace std::chrono_literals;

TEST(DiscoveryServerPeer, IpBytesFromGrpcPeerNames) {
    EXPECT_EQ(peer_ip_bytes("ipv4:127.0.0.1:5555"), std::string("\x7f\0\0\x01", 4));
    std::string v6 = peer_ip_bytes("ipv6:[2001:db8::1]:443");
    ASSERT_EQ(v6.size(), 16u);
    EXPECT_EQ(v6.substr(0, 4), std::string("\x20\x01\x0d\xb8", 4));
    EXPECT_EQ(peer_ip_bytes("ipv6:%5B::1%5D:5555"), std::string(15, '\0') + '\x01');
    EXPECT_EQ(peer_ip_bytes("ipv6:[fe80::1%25eth0]:1").size(), 16u);
    EXPECT_EQ(peer_ip_bytes("ipv6:[::ffff:10.0.0.1]:1"), std::string("\x0a\0\0\x01", 4));  // as Go sees it
    EXPECT_EQ(peer_ip_bytes("unix:/run/x.sock"), "");
    EXPECT_EQ(peer_ip_bytes("ipv4:300.0.0.1:1"), "");
    EXPECT_EQ(peer_ip_bytes("ipv6:::1"), "");
    EXPECT_EQ(peer_ip_bytes("%"), "");
}

TEST(DiscoveryServerPeer, InspectShowsSizesNotBytes) {
    ServerState state;
    const ServerTime t0{};
    std::vector<std::string> endpoints{"e1", "e2"};
    ASSERT_TRUE(state.update("c", "a", std::string_view("secret-bytes"), endpoints, 10min, t0).ok());
    auto json = nlohmann::json::parse(inspect_cluster_json(state, "c", t0 + 1min));
    ASSERT_EQ(json["affiliates"].size(), 1u);
    EXPECT_EQ(json["affiliates"][0]["data_bytes"], 12);
    EXPECT_EQ(json["affiliates"][0]["endpoints"], 2);
    EXPECT_EQ(json["affiliates"][0]["expires_in_s"], 540);
    EXPECT_EQ(json.dump().find("secret"), std::string::npos);
    // An unknown cluster, and one named with bytes that are not UTF-8: no affiliates, no exception.
    EXPECT_TRUE(nlohmann::json::parse(inspect_cluster_json(state, "\xff", t0))["affiliates"].empty());
}

}  // namespace
}  // namespace nodenet::discovery
