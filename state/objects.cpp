#include "state/objects.h"

namespace nodenet::state {

const char* layer_name(Layer layer) {
    switch (layer) {
        case Layer::Default: return "default";
        case Layer::Cmdline: return "cmdline";
        case Layer::Platform: return "platform";
        case Layer::Operator: return "operator";
        case Layer::Configuration: return "configuration";
    }
    return "unknown";
}

// A logical kind is named by its rtnetlink IFLA_INFO_KIND, so that it compares with
// ObservedLink::kind as text.
const char* link_kind_name(LinkKind kind) {
    switch (kind) {
        case LinkKind::Existing: return "existing";
        case LinkKind::Bridge: return "bridge";
        case LinkKind::Bond: return "bond";
        case LinkKind::Vlan: return "vlan";
        case LinkKind::Dummy: return "dummy";
        case LinkKind::Wireguard: return "wireguard";
    }
    return "unknown";
}

}  // namespace nodenet::state
