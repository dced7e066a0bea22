#include "plan/operation.h"

#include "common/overloaded.h"

namespace nodenet::plan {

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
                                 [](const UpdateAddress& c) -> const std::string& { return c.address.link; }},
                      change);
}

}  // namespace nodenet::plan
