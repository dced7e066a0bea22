#include "netlink/kernel_features.h"

#include <gtest/gtest.h>

namespace nodenet::netlink {
namespace {

TEST(KernelFeatures, AddressProtocolFromLinux518On) {
    EXPECT_TRUE(release_keeps_address_protocol("5.18.0"));
    EXPECT_TRUE(release_keeps_address_protocol("6.1.0-13-amd64"));
    EXPECT_TRUE(release_keeps_address_protocol("6.18.44-fc-v595"));
    EXPECT_TRUE(release_keeps_address_protocol("10.0"));
    EXPECT_FALSE(release_keeps_address_protocol("5.17.15"));
    EXPECT_FALSE(release_keeps_address_protocol("5.4.0-150-generic"));
    EXPECT_FALSE(release_keeps_address_protocol("4.19.0"));
    // Unreadable: assume the older kind, whose only cost is a record that is never needed.
    EXPECT_FALSE(release_keeps_address_protocol(""));
    EXPECT_FALSE(release_keeps_address_protocol("linux"));
    EXPECT_FALSE(release_keeps_address_protocol("6"));
}

}  // namespace
}  // namespace nodenet::netlink
