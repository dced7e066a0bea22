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
    ASSERT_TRUE(state.save_ownership(owned).ok());
    auto loaded = state.load_ownership();
    ASSERT_TRUE(loaded.ok()) << loaded.error();
    ASSERT_EQ(loaded->created_links.size(), 2u);
    EXPECT_EQ(loaded->created_links[0].name, "br0");
    EXPECT_EQ(loaded->created_links[0].bridge, br.bridge);
    EXPECT_EQ(loaded->created_links[1].vlan, vlan.vlan);
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
