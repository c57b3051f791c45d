#include "process_runtime_plugin.h"

#include <spdlog/logger.h>

#include <stdexcept>

#include "process_driver.h"
#include "runtime-process/config.pb.h"
#include "settings.h"

namespace ukube::runtime::process {

ProcessRuntimePlugin::ProcessRuntimePlugin() = default;
ProcessRuntimePlugin::~ProcessRuntimePlugin() = default;

void ProcessRuntimePlugin::init(InitContext& ctx) {
  ProcessRuntimeSettings settings = settings_from(ctx.config_as<ProcessRuntimeConfig>());
  auto logger = ctx.logger();
  if (logger)
    logger->info("runtime-process: containers run as host processes under {}, state in {}",
                 settings.monitor_path.string(), ctx.state_dir().string());
  driver_ = std::make_shared<ProcessDriver>(std::move(settings), ctx.state_dir(), logger);
}

std::shared_ptr<RuntimeDriver> ProcessRuntimePlugin::driver_for_node(const std::string& node_name) {
  if (!driver_) throw std::logic_error("runtime-process: driver_for_node called before init");
  node_.bind(node_name);
  return driver_;
}

}  // namespace ukube::runtime::process
