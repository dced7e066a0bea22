// What nodenet asks of libnftables: run a buffer of JSON commands (libnftables-json(5)) and get
// back libnftables' output and error text. libnftables (with libnftnl, libmnl, libjansson, libgmp
// and libxtables) lives in the module nodenet-nftables.so (kubespan/io/nftables_module.cpp,
// common/module.h), mapped only by a run that configures KubeSpan's firewall marks.
#pragma once

#include <cstdint>
#include <string>

namespace nodenet::kubespan::io {

struct NftOutcome {
    int status = 0;      // nft_run_cmd_from_buffer's: 0 done, else failed (nothing of the batch applied)
    std::string output;  // JSON (listings); empty for changes
    std::string error;   // libnftables' messages, as nft prints them
};

struct NftablesModule {
    static constexpr char kName[] = "nftables";  // nodenet-nftables.so, nodenet_module_nftables
    static constexpr uint32_t kVersion = 1;

    // Runs `commands` in a fresh libnftables context (JSON output) in the calling thread's network
    // namespace. The whole buffer is one netlink batch: all of it is applied or none.
    NftOutcome (*run_json)(const std::string& commands);
};

}  // namespace nodenet::kubespan::io
