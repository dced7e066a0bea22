#include "plan/operation.h"

#include "common/overloaded.h"

namespace nodenet::plan {

namespace {

const std::string& rule_group(state::Family family) {
    static const std::string v4 = "IPv4 rules", v6 = "IPv6 rules";
    return family == state::Family::V4 ? v4 : v6;
}

}  // namespace

const std::string& Operation::link() const {
    return std::visit(Overloaded{[](const CreateLink& c) -> const std::string& { return c.link->name; },
                                 [](const DeleteLink& c) -> const std::string& { return c.link->name; },
                                 [](const SetLink& c) -> const std::string& { return c.name; },
                                 [](const AddAddress& c) -> const std::string& { return c.address.link; },
                                 [](const DeleteAddress& c) -> const std::string& { return c.address.link; },
                                 [](const AddRoute& c) -> const std::string& { return c.route.link; },
                                 [](const DeleteRoute& c) -> const std::string& { return c.route.link; },
                                 [](const ReplaceRoute& c) -> const std::string& { return c.to.link; },
                                 [](const ConfigureWireguard& c) -> const std::string& { return c.link; },
                                 [](const UpdateAddress& c) -> const std::string& { return c.address.link; },
                                 [](const AddRule& c) -> const std::string& { return rule_group(c.rule.family); },
                                 [](const DeleteRule& c) -> const std::string& { return rule_group(c.rule.family); }},
                      change);
}

}  // namespace nodenet::plan
