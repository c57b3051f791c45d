#include "framework/registry.h"

#include <stdexcept>

namespace ukube::scheduler {

void Registry::add(FrameworkPluginFactory factory) {
  if (factory.name.empty() || !factory.create)
    throw std::invalid_argument("a framework plugin needs a name and a factory");
  if (!factories_.emplace(factory.name, std::move(factory.create)).second)
    throw std::invalid_argument("framework plugin " + factory.name + " is registered twice");
}

const FrameworkPluginCreate* Registry::find(const std::string& name) const {
  auto it = factories_.find(name);
  return it == factories_.end() ? nullptr : &it->second;
}

std::vector<std::string> Registry::names() const {
  std::vector<std::string> out;
  for (const auto& [n, f] : factories_) out.push_back(n);
  return out;
}

}  // namespace ukube::scheduler
