// The entry point of nodenet-nftables.so: libnftables' nft_run_cmd_from_buffer behind
// NftablesModule (kubespan/io/nftables_module.h).
#include "kubespan/io/nftables_module.h"

#include <nftables/libnftables.h>

#include <memory>

#include "common/module.h"

namespace nodenet::kubespan::io {
namespace {

NftOutcome run_json(const std::string& commands) {
    NftOutcome outcome;
    std::unique_ptr<nft_ctx, void (*)(nft_ctx*)> ctx(nft_ctx_new(NFT_CTX_DEFAULT), nft_ctx_free);
    if (!ctx) {
        outcome.status = -1;
        outcome.error = "nft_ctx_new failed";
        return outcome;
    }
    // JSON output; with it set, libnftables also reads the buffer as JSON. Both streams go to
    // buffers: libnftables would otherwise print to nodenet's standard output and error.
    nft_ctx_output_set_flags(ctx.get(), NFT_CTX_OUTPUT_JSON);
    if (nft_ctx_buffer_output(ctx.get()) != 0 || nft_ctx_buffer_error(ctx.get()) != 0) {
        outcome.status = -1;
        outcome.error = "cannot buffer libnftables' output";
        return outcome;
    }
    outcome.status = nft_run_cmd_from_buffer(ctx.get(), commands.c_str());
    const char* out = nft_ctx_get_output_buffer(ctx.get());
    const char* err = nft_ctx_get_error_buffer(ctx.get());
    outcome.output = out ? out : "";
    outcome.error = err ? err : "";
    return outcome;
}

const NftablesModule kModule{&run_json};

}  // namespace
}  // namespace nodenet::kubespan::io

NODENET_MODULE(nftables, nodenet::kubespan::io::NftablesModule, nodenet::kubespan::io::kModule)
