#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "ukube/node/single_node.h"
#include "ukube/plugin.h"
#include "ukube/runtime/driver.h"

// ukube.runtime.v1.process: containers as plain host processes (process_driver.h).
namespace ukube::runtime::process {

class ProcessDriver;

class ProcessRuntimePlugin final : public Plugin, public RuntimeProvider {
 public:
  ProcessRuntimePlugin();
  ~ProcessRuntimePlugin() override;

  // Reads the config (settings.h) and opens the state folder; containers of an earlier run
  // are found there.
  void init(InitContext& ctx) override;
  // The one node this machine is. The first name asked for binds the driver; another name
  // afterwards throws std::invalid_argument.
  std::shared_ptr<RuntimeDriver> driver_for_node(const std::string& node_name) override;

 private:
  node::SingleNodeBinding node_{"runtime-process"};
  std::shared_ptr<ProcessDriver> driver_;
};

}  // namespace ukube::runtime::process
