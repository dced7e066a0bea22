// Load + validate of arbitrary bytes: any input must give diagnostics, never a crash, leak or hang.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/validate.h"
#include "schema/schema_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    static const auto schema = nodenet::schema::SchemaChecker::load();
    if (!schema.ok()) __builtin_trap();
    std::string_view text(reinterpret_cast<const char*>(data), size);
    for (auto mode : {nodenet::config::Mode::Metal, nodenet::config::Mode::Container}) {
        auto result = nodenet::config::validate(text, *schema, {mode, mode == nodenet::config::Mode::Container});
        for (const auto& d : result.diagnostics.items())
            if (d.message.empty()) __builtin_trap();  // every finding says what is wrong
    }
    return 0;
}
