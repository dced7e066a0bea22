// Semantic rules: what Talos checks after decoding (with its wording), and what nodenet adds.
// One function per rule family; each appends to `out` and never stops at the first problem.
#pragma once

#include "config/diagnostic.h"
#include "config/model.h"

namespace nodenet::config {

enum class Mode { Metal, Cloud, Container };

// v1alpha1 (reference §2.1 steps 4-10, §4).
void check_machine_type(const MachineConfig& m, Diagnostics& out);
void check_worker_vips(const MachineConfig& m, Diagnostics& out);
void check_devices(const Network& n, Diagnostics& out);
void check_bond(const Bond& bond, Diagnostics& out);
void check_wireguard(const Wireguard& wg, Diagnostics& out);
// With Talos 1.14 discovery documents present, KubeSpan's need for discovery and an identity is
// checked across documents (check_discovery_documents), not by v1alpha1's v1.12/v1.13 rule.
void check_kubespan(const MachineConfig& m, bool discovery_documents, Diagnostics& out);
void check_discovery(const Discovery& d, const MachineConfig& m, Diagnostics& out);
void check_container_mode(const MachineConfig& m, Mode mode, Diagnostics& out);

// Where Talos stays silent but the config cannot work: warnings (errors under --strict).
void check_beyond_talos(const MachineConfig& m, Diagnostics& out);

// A diagnostic about a field points at the field when written, else at what contains it.
template <class T>
const Source& where(const Field<T>& field, const Source& fallback) {
    return field.present ? field.src : fallback;
}

// The index in the file of the list element a path leads to (its last "[N]"). Talos numbers
// elements in some messages; misshapen elements are not in the model, so a loop counter may be off.
inline size_t index_in_file(const Source& element) {
    size_t open = element.path.rfind('[');
    return open == std::string::npos ? 0 : std::stoul(element.path.substr(open + 1));
}

// Shared with the multi-document kinds.
bool is_control_plane(const MachineConfig& m);
void check_kubespan_filters(const KubeSpan& k, Diagnostics& out);

}  // namespace nodenet::config
