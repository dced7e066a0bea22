// The module loader on the real module of this build (nodenet-resolved.so, linked beside the test
// binary): found, checked, loaded once; a missing module and a version mismatch are errors that
// say what was looked for where.
#include "common/module_loader.h"

#include <gtest/gtest.h>

#include "dns/io/resolved_bus.h"

namespace nodenet::common {
namespace {

TEST(ModuleLoader, LoadsTheResolvedModuleOnce) {
    Result<const dns::ResolvedModule*> first = load_module<dns::ResolvedModule>();
    ASSERT_TRUE(first.ok()) << first.error();
    ASSERT_NE(*first, nullptr);
    EXPECT_NE((*first)->connect_system_bus, nullptr);
    Result<const dns::ResolvedModule*> second = load_module<dns::ResolvedModule>();
    ASSERT_TRUE(second.ok()) << second.error();
    EXPECT_EQ(*first, *second);
}

TEST(ModuleLoader, MissingModuleNamesTheFileAndTheDirectories) {
    Result<const void*> missing = load_module("no-such-module", 1);
    ASSERT_FALSE(missing.ok());
    EXPECT_NE(missing.error().find("nodenet-no-such-module.so not found in "), std::string::npos) << missing.error();
    EXPECT_NE(missing.error().find(module_search_path()), std::string::npos) << missing.error();
}

TEST(ModuleLoader, ModuleOfAnotherInterfaceVersionIsRefused) {
    Result<const void*> other = load_module(dns::ResolvedModule::kName, dns::ResolvedModule::kVersion + 1);
    ASSERT_FALSE(other.ok());
    EXPECT_NE(other.error().find("from another nodenet build"), std::string::npos) << other.error();
}

TEST(ModuleLoader, SearchPathStartsBesideTheExecutable) {
    std::string path = module_search_path();
    std::string first = path.substr(0, path.find(':'));
    EXPECT_TRUE(first.ends_with("/tests")) << path;
}

}  // namespace
}  // namespace nodenet::common
