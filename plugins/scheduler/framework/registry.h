#pragma once

#include <map>
#include <string>

#include "ukube/scheduler/framework.h"

// Framework plugins by name. In-tree plugins are registered exactly as third-party ones:
// a name and a factory.
namespace ukube::scheduler {

class Registry {
 public:
  // Throws std::invalid_argument when the name is taken.
  void add(FrameworkPluginFactory factory);
  const FrameworkPluginCreate* find(const std::string& name) const;
  std::vector<std::string> names() const;

 private:
  std::map<std::string, FrameworkPluginCreate> factories_;
};

// Every in-tree plugin.
void register_in_tree(Registry& registry);

}  // namespace ukube::scheduler
