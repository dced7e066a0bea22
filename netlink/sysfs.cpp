#include "netlink/sysfs.h"

#include <cctype>
#include <charconv>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>

namespace nodenet::netlink {

namespace {

namespace fs = std::filesystem;

std::optional<std::string> read_line(const fs::path& path) {
    std::ifstream in(path);
    std::string line;
    if (!in || !std::getline(in, line)) return std::nullopt;
    while (!line.empty() && std::isspace(static_cast<unsigned char>(line.back()))) line.pop_back();
    return line;
}

std::optional<unsigned> parse_number(std::string_view text, int base) {
    if (base == 16 && (text.starts_with("0x") || text.starts_with("0X"))) text.remove_prefix(2);
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value, base);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// "0x8086\n" → 0x8086; the PCI ID is written the way Talos and lspci -n show it: "8086:100E".
std::string pci_id(const fs::path& device) {
    auto vendor = read_line(device / "vendor"), product = read_line(device / "device");
    if (!vendor || !product) return "";
    auto v = parse_number(*vendor, 16), p = parse_number(*product, 16);
    if (!v || !p || *v > 0xFFFF || *p > 0xFFFF) return "";
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04X:%04X", *v, *p);
    return buf;
}

}  // namespace

void read_device_info(const std::string& sysfs_root, state::ObservedLink& link) {
    std::error_code ec;
    fs::path dir = fs::path(sysfs_root) / "class" / "net" / link.name;
    // /sys mounted for another network namespace may hold a different device under the same name.
    auto index = read_line(dir / "ifindex");
    auto parsed = index ? parse_number(*index, 10) : std::nullopt;
    if (!parsed || static_cast<int>(*parsed) != link.index) return;

    fs::path device = dir / "device";
    if (!fs::exists(device, ec)) return;
    link.physical = true;
    fs::path target = fs::read_symlink(device, ec);
    if (!ec) link.bus_path = target.filename().string();
    fs::path driver = fs::read_symlink(device / "driver", ec);
    if (!ec) link.driver = driver.filename().string();
    link.pci_id = pci_id(device);
}

}  // namespace nodenet::netlink
