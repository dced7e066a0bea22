#include "store/state_dir.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "store/atomic_file.h"

namespace nodenet::store {
namespace {

namespace fs = std::filesystem;

struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "nodenet-store-XXXXXX").string();
        path = mkdtemp(tmpl.data());
    }
    ~TempDir() { fs::remove_all(path); }
};

TEST(StateDir, CreatedLinksSurviveARoundTrip) {
    TempDir dir;
    StateDir state(dir.path / "nested" / "state");
    plan::Ownership owned;
    state::Link br;
    br.name = "br0";
    br.kind = state::LinkKind::Bridge;
    br.bridge = state::BridgeSettings{true, false};
    state::Link vlan;
    vlan.name = "eth0.42";
    vlan.kind = state::LinkKind::Vlan;
    vlan.vlan = state::VlanSettings{"eth0", 42, false};
    owned.created_links = {br, vlan};
    owned.recorded_addresses = {{"eth0", *state::parse_ip_prefix("10.0.0.5/24")},
                                {"eth0", *state::parse_ip_prefix("fd00::5/64")}};
    ASSERT_TRUE(state.save_ownership(owned).ok());
    auto loaded = state.load_ownership();
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    ASSERT_EQ(loaded->created_links.size(), 2u);
    EXPECT_EQ(loaded->created_links[0].name, "br0");
    EXPECT_EQ(loaded->created_links[0].bridge, br.bridge);
    EXPECT_EQ(loaded->created_links[1].vlan, vlan.vlan);
    EXPECT_EQ(loaded->recorded_addresses, owned.recorded_addresses);
    struct stat st {};
    ASSERT_EQ(stat((dir.path / "nested" / "state" / "links.json").c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
}

TEST(StateDir, MissingFileMeansNothingCreated) {
    TempDir dir;
    auto loaded = StateDir(dir.path).load_ownership();
    ASSERT_TRUE(loaded.ok());
    EXPECT_TRUE(loaded->created_links.empty());
}

TEST(StateDir, DamagedFileIsAnErrorNotNothing) {
    TempDir dir;
    std::ofstream(dir.path / "links.json") << "{\"created_links\": [ {\"name\": ";
    auto loaded = StateDir(dir.path).load_ownership();
    ASSERT_FALSE(loaded.ok());
    EXPECT_NE(loaded.error().find("links.json: damaged"), std::string::npos) << loaded.error();
}

TEST(StateDir, SyncRecordSurvivesARoundTripAndDamageMeansNoRecord) {
    TempDir dir;
    StateDir state(dir.path);
    EXPECT_FALSE(state.load_sync_record());
    SyncRecord r;
    r.config_digest = "c";
    r.program = "p";
    r.ownership_digest = "o";
    r.kernel_digest = "k";
    r.links = {"eth0", "br0"};
    r.tables = {254, 100};
    r.owned_protocol = 110;
    r.routes = 10002;
    r.desired_warnings = {"w1"};
    r.plan_warnings = {"w2"};
    ASSERT_TRUE(state.save_sync_record(r).ok());
    auto loaded = state.load_sync_record();
    ASSERT_TRUE(loaded);
    EXPECT_EQ(loaded->config_digest, "c");
    EXPECT_EQ(loaded->program, "p");
    EXPECT_EQ(loaded->ownership_digest, "o");
    EXPECT_EQ(loaded->kernel_digest, "k");
    EXPECT_EQ(loaded->links, r.links);
    EXPECT_EQ(loaded->tables, r.tables);
    EXPECT_EQ(loaded->owned_protocol, 110);
    EXPECT_EQ(loaded->routes, 10002u);
    EXPECT_EQ(loaded->desired_warnings, r.desired_warnings);
    EXPECT_EQ(loaded->plan_warnings, r.plan_warnings);
    std::ofstream(dir.path / "in-sync.json") << "{\"config\": 1}";
    EXPECT_FALSE(state.load_sync_record());
    state.forget_sync_record();
    EXPECT_FALSE(fs::exists(dir.path / "in-sync.json"));
}

TEST(StateDir, OwnershipDigestFollowsTheRecordedLinks) {
    plan::Ownership a, b;
    state::Link br;
    br.name = "br0";
    br.kind = state::LinkKind::Bridge;
    b.created_links = {br};
    EXPECT_EQ(StateDir::ownership_digest(a), StateDir::ownership_digest(plan::Ownership{}));
    EXPECT_NE(StateDir::ownership_digest(a), StateDir::ownership_digest(b));
}

TEST(AtomicFile, ReplacesContentAndLeavesNoTemporary) {
    TempDir dir;
    fs::path file = dir.path / "resolv.conf";
    ASSERT_TRUE(write_file_atomic(file, "old\n", 0644).ok());
    ASSERT_TRUE(write_file_atomic(file, "new\n", 0644).ok());
    EXPECT_EQ(*read_file(file), "new\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir.path), fs::directory_iterator()), 1);
}

TEST(AtomicFile, MissingDirectoryIsAnErrorNamingThePath) {
    auto s = write_file_atomic("/nonexistent-nodenet-dir/x", "x", 0644);
    ASSERT_FALSE(s.ok());
    EXPECT_NE(s.error().find("/nonexistent-nodenet-dir/x: create temporary file"), std::string::npos) << s.error();
}

}  // namespace
}  // namespace nodenet::store
