#include "fake_runtime_plugin.h"

#include <stdexcept>

#include "runtime-fake/config.pb.h"

namespace ukube::runtime::fake {

void FakeRuntimePlugin::init(InitContext& ctx) {
  runtime_ = std::make_unique<FakeRuntime>(ctx.config_as<FakeRuntimeConfig>());
}

void FakeRuntimePlugin::stop() {
  if (runtime_) runtime_->shutdown();
}

bool FakeRuntimePlugin::reconfigure(const google::protobuf::Message& config) {
  const auto* typed = dynamic_cast<const FakeRuntimeConfig*>(&config);
  return runtime_ && typed && runtime_->reconfigure(*typed);
}

std::shared_ptr<RuntimeDriver> FakeRuntimePlugin::driver_for_node(const std::string& node_name) {
  if (!runtime_) throw std::logic_error("ukube.runtime.v1.fake: driver_for_node() before init()");
  return runtime_->driver_for_node(node_name);
}

}  // namespace ukube::runtime::fake
