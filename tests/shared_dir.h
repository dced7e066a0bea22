// Where the team's shared reference material lives: $NODENET_SHARED, else ../shared beside the
// checkout, else /work/shared (where CI's clean clone may sit elsewhere). Tests read the Talos
// corpus there in place and skip, saying where they looked, when it is absent.
#pragma once

#include <cstdlib>
#include <filesystem>

namespace nodenet::testing_support {

inline std::filesystem::path shared_dir() {
    namespace fs = std::filesystem;
    if (const char* env = std::getenv("NODENET_SHARED"); env && *env) return env;
    fs::path beside = fs::path(NODENET_SOURCE_DIR) / ".." / "shared";
    if (fs::exists(beside)) return beside;
    return "/work/shared";
}

inline std::filesystem::path talos_corpus_dir() { return shared_dir() / "corpus" / "talos-configs"; }

}  // namespace nodenet::testing_support
