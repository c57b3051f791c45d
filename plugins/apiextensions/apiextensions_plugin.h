#pragma once

#include <memory>

#include "ukube/plugin.h"

namespace spdlog {
class logger;
}

namespace ukube {
class TypeRegistry;
}

// ukube.types.v1.apiextensions: apiextensions.k8s.io/v1 CustomResourceDefinitions, and
// the custom resources they define, served like built-in types (crd_controller.h).
namespace ukube::apiextensions {

class CrdController;

class ApiExtensionsPlugin final : public Plugin {
 public:
  ApiExtensionsPlugin();
  ~ApiExtensionsPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

 private:
  TypeRegistry* registry_ = nullptr;
  std::unique_ptr<CrdController> controller_;
};

}  // namespace ukube::apiextensions
