#pragma once

#include <filesystem>
#include <memory>

#include "ukube/controller/controller_plugin.h"

// Plugin ukube.controller.v1.root-ca-cert-publisher: upstream's root CA publisher, acting as
// system:serviceaccount:kube-system:root-ca-cert-publisher. The work is RootCAPublisher
// (root_ca_publisher.h).
namespace ukube::controllers::rootca {

class RootCAPlugin final : public controller::ControllerPlugin {
 public:
  RootCAPlugin();

 protected:
  void configure(InitContext& ctx) override;
  std::unique_ptr<controller::RunningController> make_running(
      const controller::ControllerDeps& deps) override;

 private:
  std::filesystem::path ca_file_;
};

}  // namespace ukube::controllers::rootca
