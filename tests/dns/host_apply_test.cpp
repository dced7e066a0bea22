// `nodenet apply` writing resolv.conf, /etc/hosts and the host name for real: under --root in a
// temporary directory (byte-exact content, mode, symlink refusal, unchanged files left alone, a
// writer killed at random points), and at / inside a test namespace whose /etc is a copy-on-write
// overlay and whose UTS namespace is private (tests/netlink/netns.h), so the machine's own files
// and host name are never touched.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <random>
#include <sstream>
#include <thread>

#include "tests/cli/run_nodenet.h"
#include "tests/netlink/netns.h"

namespace nodenet::netlink_test {
namespace {

namespace fs = std::filesystem;
using cli_test::TempDir;

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

struct timespec mtime_of(const fs::path& p) {
    struct stat st {};
    EXPECT_EQ(lstat(p.c_str(), &st), 0) << p;
    return st.st_mtim;
}

constexpr const char* kNetwork =
    "    hostname: node1.example.com\n"
    "    nameservers: [10.0.0.53, 2001:db8::53]\n"
    "    searchDomains: [corp.example]\n"
    "    interfaces:\n"
    "      - interface: eth0\n"
    "        addresses: [10.0.0.5/24]\n"
    "        routes:\n"
    "          - network: 0.0.0.0/0\n"
    "            gateway: 10.0.0.1\n"
    "    extraHostEntries:\n"
    "      - ip: 10.0.0.9\n"
    "        aliases: [gw, gateway.example]\n";

constexpr const char* kResolvConf =
    "# Written by nodenet from the machine config and DHCP; `nodenet apply` replaces edits.\n"
    "nameserver 10.0.0.53\n"
    "nameserver 2001:db8::53\n"
    "\n"
    "search corp.example example.com\n";

constexpr const char* kHosts =
    "# Written by nodenet from the machine config; `nodenet apply` replaces edits.\n"
    "127.0.0.1 localhost\n"
    "10.0.0.5  node1.example.com node1\n"
    "::1       localhost ip6-localhost ip6-loopback\n"
    "ff02::1   ip6-allnodes\n"
    "ff02::2   ip6-allrouters\n"
    "10.0.0.9  gw gateway.example\n";

class HostApply : public testing::Test {
protected:
    void SetUp() override {
        ns.must("link add eth0 type veth peer name peer0");
        fs::create_directories(root() / "etc");
    }

    fs::path root() const { return dir.path() / "root"; }
    fs::path etc(const char* name) const { return root() / "etc" / name; }

    std::string config(const std::string& network) const {
        return dir.write("config-" + std::to_string(++configs) + ".yaml",
                         "version: v1alpha1\nmachine:\n  type: worker\n  network:\n" + network);
    }

    CommandResult apply(const std::string& config_path, std::vector<std::string> extra = {}) const {
        std::vector<std::string> argv = {NODENET_BINARY, "apply", "-c", config_path, "--root", root().string()};
        argv.insert(argv.end(), extra.begin(), extra.end());
        return ns.run(argv);
    }

    TestNetns ns;
    TempDir dir;
    mutable int configs = 0;
};

TEST_F(HostApply, FilesByteExactWithMode0644AndReapplyWritesNothing) {
    std::string cfg = config(kNetwork);
    auto plan = ns.run({NODENET_BINARY, "plan", "-c", cfg, "--root", root().string()});
    EXPECT_EQ(plan.exit_code, 2) << plan.err;
    EXPECT_NE(plan.out.find("/etc/resolv.conf\n  + nameservers 10.0.0.53, 2001:db8::53; search corp.example example.com"
                            "    # machine.network.nameservers\n"),
              std::string::npos)
        << plan.out;
    EXPECT_NE(plan.out.find("/etc/hosts\n  + localhost, node1.example.com at 10.0.0.5, 1 static entry    # "
                            "machine.network.hostname, machine.network.extraHostEntries[0]\n"),
              std::string::npos)
        << plan.out;
    EXPECT_NE(plan.out.find("/etc/hostname\n  + node1    # machine.network.hostname\n"), std::string::npos) << plan.out;

    auto r = apply(cfg);
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(slurp(etc("resolv.conf")), kResolvConf);
    EXPECT_EQ(slurp(etc("hosts")), kHosts);
    EXPECT_EQ(slurp(etc("hostname")), "node1\n");  // under --root the file, not the kernel's name
    for (const char* f : {"resolv.conf", "hosts", "hostname"}) {
        struct stat st {};
        ASSERT_EQ(stat(etc(f).c_str(), &st), 0);
        EXPECT_EQ(st.st_mode & 07777, 0644u) << f;
    }
    EXPECT_EQ(ns.ip_json("-4 addr show dev eth0")[0]["addr_info"][0]["local"], "10.0.0.5");

    auto before = mtime_of(etc("resolv.conf"));
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    auto again = apply(cfg);
    ASSERT_EQ(again.exit_code, 0) << again.err;
    EXPECT_EQ(again.out, "No changes: the kernel matches the config.\n");
    auto after = mtime_of(etc("resolv.conf"));
    EXPECT_EQ(before.tv_sec, after.tv_sec);
    EXPECT_EQ(before.tv_nsec, after.tv_nsec);

    // A hand edit is planned back.
    std::ofstream(etc("hosts"), std::ios::app) << "6.6.6.6 added.by.hand\n";
    auto drift = ns.run({NODENET_BINARY, "plan", "-c", cfg, "--root", root().string()});
    EXPECT_EQ(drift.exit_code, 2);
    EXPECT_NE(drift.out.find("/etc/hosts\n  ~ localhost, node1.example.com at 10.0.0.5, 1 static entry"), std::string::npos)
        << drift.out;
}

TEST_F(HostApply, ASymlinkedResolvConfIsRefusedUnlessForced) {
    fs::create_symlink("../run/systemd/resolve/stub-resolv.conf", etc("resolv.conf"));
    std::string cfg = config(kNetwork);
    auto r = apply(cfg);
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("! /etc/resolv.conf: replace the file: a symlink to ../run/systemd/resolve/stub-resolv.conf"),
              std::string::npos)
        << r.out;
    EXPECT_TRUE(fs::is_symlink(etc("resolv.conf")));
    EXPECT_FALSE(fs::exists(etc("hosts")));  // nothing half-way
    EXPECT_TRUE(ns.ip_json("-4 addr show dev eth0")[0]["addr_info"].empty());

    auto forced = apply(cfg, {"--force"});
    ASSERT_EQ(forced.exit_code, 0) << forced.err << forced.out;
    EXPECT_FALSE(fs::is_symlink(etc("resolv.conf")));
    EXPECT_EQ(slurp(etc("resolv.conf")), kResolvConf);
}

TEST_F(HostApply, InjectedNamesAreRefusedAndFilesStayAsTheyWere) {
    std::ofstream(etc("resolv.conf")) << "nameserver 192.0.2.1\n";
    std::ofstream(etc("hosts")) << "127.0.0.1 localhost\n";
    const std::string long_name(300, 'a');
    for (const std::string& bad :
         {std::string("    searchDomains: [\"evil\\nnameserver 6.6.6.6\"]\n"), std::string("    hostname: \"my host\"\n"),
          "    hostname: " + long_name + "\n",
          std::string("    extraHostEntries:\n      - ip: 10.0.0.9\n        aliases: [\"gw\\n6.6.6.6 evil\"]\n")}) {
        auto r = apply(config("    nameservers: [10.0.0.53]\n" + bad));
        EXPECT_EQ(r.exit_code, 1) << bad;
        EXPECT_NE(r.err.find("is not a valid DNS name"), std::string::npos) << r.err;
        EXPECT_EQ(slurp(etc("resolv.conf")), "nameserver 192.0.2.1\n") << bad;
        EXPECT_EQ(slurp(etc("hosts")), "127.0.0.1 localhost\n") << bad;
        EXPECT_FALSE(fs::exists(etc("hostname")));
    }
}

TEST_F(HostApply, AFailedFileWriteRollsTheKernelBack) {
    if (std::system(("chattr +i " + (root() / "etc").string() + " 2>/dev/null").c_str()) != 0)
        GTEST_SKIP() << "chattr +i is not supported on " << root() << ": cannot make the write fail";
    std::string cfg = config(kNetwork);
    auto r = apply(cfg);
    std::system(("chattr -i " + (root() / "etc").string()).c_str());
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.err.find("apply failed: " + etc("resolv.conf").string() + ": create temporary file: Operation not permitted"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("rolled back; the kernel is as it was before"), std::string::npos) << r.err;
    EXPECT_TRUE(ns.ip_json("-4 addr show dev eth0")[0]["addr_info"].empty());
    EXPECT_FALSE(fs::exists(etc("resolv.conf")));
}

// SIGKILL at random moments of an apply that rewrites resolv.conf and hosts: each file is always
// one whole version, old or new, never empty or cut.
TEST_F(HostApply, KilledAtRandomPointsNeverLeavesAPartialFile) {
    std::string a = config("    nameservers: [10.0.0.53]\n    hostname: a.example\n");
    std::string b = config("    nameservers: [10.0.0.54, 10.0.0.55]\n    hostname: b.example\n"
                           "    extraHostEntries:\n      - ip: 10.0.0.9\n        aliases: [gw]\n");
    ASSERT_EQ(apply(b).exit_code, 0);
    std::string resolv_b = slurp(etc("resolv.conf")), hosts_b = slurp(etc("hosts"));
    ASSERT_EQ(apply(a).exit_code, 0);
    std::string resolv_a = slurp(etc("resolv.conf")), hosts_a = slurp(etc("hosts"));
    ASSERT_NE(resolv_a, resolv_b);

    std::mt19937 rng(20261127);
    int killed_midway = 0;
    for (int i = 0; i < 60; ++i) {
        std::string cfg = i % 2 ? a : b;
        pid_t pid = fork();
        ASSERT_GE(pid, 0);
        if (pid == 0) {
            int netns = open(ns.path().c_str(), O_RDONLY | O_CLOEXEC);
            if (netns < 0 || setns(netns, CLONE_NEWNET) != 0) _exit(126);
            int null_fd = open("/dev/null", O_WRONLY);
            dup2(null_fd, STDOUT_FILENO);
            dup2(null_fd, STDERR_FILENO);
            execl(NODENET_BINARY, NODENET_BINARY, "apply", "-c", cfg.c_str(), "--root", root().c_str(), "--resolver",
                  "file", static_cast<char*>(nullptr));
            _exit(127);
        }
        std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 12000)(rng)));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        if (WIFSIGNALED(status)) ++killed_midway;
        std::string resolv = slurp(etc("resolv.conf")), hosts = slurp(etc("hosts"));
        EXPECT_TRUE(resolv == resolv_a || resolv == resolv_b) << "run " << i << ": resolv.conf is\n" << resolv;
        EXPECT_TRUE(hosts == hosts_a || hosts == hosts_b) << "run " << i << ": hosts is\n" << hosts;
    }
    EXPECT_GT(killed_midway, 10);  // the loop must really interrupt runs, or it proves nothing
}

// At / (the test namespace's overlaid /etc, its own UTS namespace): sethostname and setdomainname.
TEST_F(HostApply, HostNameGoesToTheKernelInAPrivateUtsNamespace) {
    char machine_name[256] = {};
    gethostname(machine_name, sizeof machine_name - 1);
    std::string cfg = config(kNetwork);
    std::string state = (dir.path() / "state").string();
    auto r = ns.run({"/bin/sh", "-c",
                     std::string(NODENET_BINARY) + " apply -c " + cfg + " --state-dir " + state +
                         " --resolver file >/dev/null && hostname && domainname && cat /etc/resolv.conf && " +
                         NODENET_BINARY + " plan -c " + cfg + " --state-dir " + state + " --resolver file"});
    ASSERT_EQ(r.exit_code, 0) << r.err << r.out;
    EXPECT_EQ(r.out, std::string("node1\nexample.com\n") + kResolvConf + "No changes: the kernel matches the config.\n");
    char after[256] = {};
    gethostname(after, sizeof after - 1);
    EXPECT_STREQ(after, machine_name);  // the machine's own name is untouched
}

}  // namespace
}  // namespace nodenet::netlink_test
