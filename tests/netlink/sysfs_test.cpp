// Device facts for selectors, from a fake sysfs tree shaped like the kernel's: a PCI NIC, a
// virtual link, a device without PCI IDs, and an entry of another namespace's device.
#include "netlink/sysfs.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>

#include "tests/netlink/netns.h"

namespace nodenet::netlink {
namespace {

namespace fs = std::filesystem;

class FakeSysfs {
public:
    FakeSysfs() {
        char pattern[] = "/tmp/nodenet-sysfs-XXXXXX";
        if (!mkdtemp(pattern)) throw std::runtime_error("mkdtemp failed");
        root_ = pattern;
    }
    ~FakeSysfs() {
        std::error_code ignored;
        fs::remove_all(root_, ignored);
    }
    FakeSysfs(const FakeSysfs&) = delete;
    FakeSysfs& operator=(const FakeSysfs&) = delete;

    std::string root() const { return root_.string(); }

    void write(const fs::path& relative, const std::string& content) const {
        fs::create_directories((root_ / relative).parent_path());
        std::ofstream(root_ / relative) << content;
    }

    // class/net/<name> with its ifindex, and, for a device, the links the kernel makes:
    // class/net/<name>/device -> ../../../devices/<bus path>, device/driver -> ../../../bus/pci/drivers/<driver>.
    void link(const std::string& name, int index, const std::string& bus_path = "", const std::string& driver = "") const {
        write(fs::path("class/net") / name / "ifindex", std::to_string(index) + "\n");
        if (bus_path.empty()) return;
        fs::create_directories(root_ / "devices" / bus_path);
        fs::create_directory_symlink(fs::path("../../../devices") / bus_path, root_ / "class/net" / name / "device");
        if (driver.empty()) return;
        fs::create_directories(root_ / "bus/pci/drivers" / driver);
        fs::create_directory_symlink(fs::path("../../../bus/pci/drivers") / driver, root_ / "devices" / bus_path / "driver");
    }

private:
    fs::path root_;
};

state::ObservedLink named(const std::string& name, int index) {
    state::ObservedLink l;
    l.name = name;
    l.index = index;
    return l;
}

TEST(Sysfs, PciNicHasDriverBusPathAndPciId) {
    FakeSysfs sys;
    sys.link("eth0", 2, "pci0000:00/0000:00:03.0", "e1000e");
    sys.write("devices/pci0000:00/0000:00:03.0/vendor", "0x8086\n");
    sys.write("devices/pci0000:00/0000:00:03.0/device", "0x10d3\n");
    state::ObservedLink l = named("eth0", 2);
    read_device_info(sys.root(), l);
    EXPECT_TRUE(l.physical);
    EXPECT_EQ(l.driver, "e1000e");
    EXPECT_EQ(l.bus_path, "0000:00:03.0");
    EXPECT_EQ(l.pci_id, "8086:10D3");
}

TEST(Sysfs, VirtualLinkHasNoDevice) {
    FakeSysfs sys;
    sys.link("br0", 3);
    state::ObservedLink l = named("br0", 3);
    read_device_info(sys.root(), l);
    EXPECT_FALSE(l.physical);
    EXPECT_EQ(l.driver, "");
    EXPECT_EQ(l.bus_path, "");
    EXPECT_EQ(l.pci_id, "");
}

TEST(Sysfs, DeviceWithoutIdsOrDriverKeepsWhatItHas) {
    FakeSysfs sys;
    sys.link("usb0", 4, "usb1/1-1/1-1:1.0");
    state::ObservedLink l = named("usb0", 4);
    read_device_info(sys.root(), l);
    EXPECT_TRUE(l.physical);
    EXPECT_EQ(l.bus_path, "1-1:1.0");
    EXPECT_EQ(l.driver, "");
    EXPECT_EQ(l.pci_id, "");
}

TEST(Sysfs, EntryOfAnotherDeviceWithTheSameNameIsIgnored) {
    FakeSysfs sys;
    sys.link("eth0", 2, "pci0000:00/0000:00:03.0", "e1000e");
    state::ObservedLink l = named("eth0", 9);  // our eth0 is not the eth0 this sysfs describes
    read_device_info(sys.root(), l);
    EXPECT_FALSE(l.physical);
    EXPECT_EQ(l.driver, "");
}

TEST(Sysfs, MissingEntryIsNoError) {
    FakeSysfs sys;
    state::ObservedLink l = named("eth7", 2);
    read_device_info(sys.root(), l);
    EXPECT_FALSE(l.physical);
}

// The snapshot reads sysfs under the root it is given.
TEST(Sysfs, SnapshotUsesTheSysfsRootItIsGiven) {
    NODENET_NETNS_OR_SKIP(ns);
    ns.must("link add eth0 type veth peer name eth1");
    int index = 0;
    for (const auto& l : ns.ip_json("link show"))
        if (l["ifname"] == "eth0") index = l["ifindex"];
    FakeSysfs sys;
    sys.link("eth0", index, "virtio3", "virtio_net");
    sys.write("devices/virtio3/vendor", "0x1af4\n");
    sys.write("devices/virtio3/device", "0x0001\n");
    nlohmann::json snap = netlink_test::snapshot_in(ns, netlink_test::everything(), sys.root());
    ASSERT_TRUE(snap.contains("state")) << snap.dump();
    for (const auto& l : snap["state"]["links"]) {
        SCOPED_TRACE(l.dump());
        bool eth0 = l["name"] == "eth0";
        EXPECT_EQ(l["physical"], eth0);
        EXPECT_EQ(l["driver"], eth0 ? "virtio_net" : "");
        EXPECT_EQ(l["bus_path"], eth0 ? "virtio3" : "");
        EXPECT_EQ(l["pci_id"], eth0 ? "1AF4:0001" : "");
    }
}

}  // namespace
}  // namespace nodenet::netlink
