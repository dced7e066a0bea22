// Configs validated per second on one core, CPU time per config and peak memory.
//
//   build/gcc/bench/bench_validate [FILE...]     (default: examples/ and ../shared/corpus)
//
// Each file is validated repeatedly for about half a second of CPU time after a warm-up;
// the schema is loaded once per process, as in `nodenet validate` with many files.
#include <sys/resource.h>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "config/validate.h"
#include "schema/schema_check.h"

namespace {

double cpu_seconds() {
    timespec ts{};
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

std::vector<std::filesystem::path> default_inputs() {
    std::vector<std::filesystem::path> files;
    for (const char* dir : {NODENET_SOURCE_DIR "/examples", NODENET_SOURCE_DIR "/../shared/corpus/talos-configs"}) {
        if (!std::filesystem::is_directory(dir)) continue;
        for (const auto& e : std::filesystem::directory_iterator(dir)) {
            auto ext = e.path().extension();
            if (ext == ".yaml" || ext == ".test") files.push_back(e.path());
        }
    }
    std::sort(files.begin(), files.end());
    return files;
}

}  // namespace

int main(int argc, char** argv) {
    auto schema = nodenet::schema::SchemaChecker::load();
    if (!schema.ok()) {
        std::cerr << schema.error() << '\n';
        return 1;
    }
    std::vector<std::filesystem::path> files(argv + 1, argv + argc);
    if (files.empty()) files = default_inputs();

    std::printf("%-44s %8s %12s %12s\n", "file", "bytes", "us/config", "configs/s");
    double total_cpu = 0;
    size_t total_runs = 0;
    for (const auto& path : files) {
        std::ifstream in(path, std::ios::binary);
        std::stringstream ss;
        ss << in.rdbuf();
        const std::string text = ss.str();
        for (int i = 0; i < 20; ++i) nodenet::config::validate(text, *schema, {});  // warm-up
        size_t runs = 0;
        double start = cpu_seconds(), elapsed = 0;
        while (elapsed < 0.5) {
            for (int i = 0; i < 50; ++i) nodenet::config::validate(text, *schema, {});
            runs += 50;
            elapsed = cpu_seconds() - start;
        }
        total_cpu += elapsed;
        total_runs += runs;
        std::printf("%-44s %8zu %12.1f %12.0f\n", path.filename().c_str(), text.size(), elapsed / runs * 1e6,
                    runs / elapsed);
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("\n%zu files, mean %.1f us/config, %.0f configs/s on one core, peak RSS %ld KiB\n", files.size(),
                total_cpu / total_runs * 1e6, total_runs / total_cpu, ru.ru_maxrss);
    return 0;
}
