#pragma once

#include <memory>
#include <vector>

#include "ukube/plugin.h"
#include "ukube/types.h"

namespace spdlog {
class logger;
}

namespace ukube {
class Client;
}

namespace ukube::builtin {

// ukube.types.v1.builtin: registers Kubernetes' built-in types at init, creates the
// standard namespaces at start, and removes its types at stop — their hooks live in this
// library, so they must not outlive it.
class BuiltinTypesPlugin final : public Plugin {
 public:
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

  static const std::vector<std::string>& standard_namespaces();

 private:
  TypeRegistry* registry_ = nullptr;
  std::vector<GroupVersionResource> added_;
  std::shared_ptr<Client> client_;
  std::shared_ptr<spdlog::logger> log_;
};

}  // namespace ukube::builtin
