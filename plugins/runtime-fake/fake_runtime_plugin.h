#pragma once

#include <memory>

#include "fake_runtime.h"
#include "ukube/plugin.h"

// Plugin ukube.runtime.v1.fake: simulated pods for scale tests (DESIGN.md §6). Everything is
// in memory: a restarted daemon starts with no pods, and the kubelet re-creates them.
namespace ukube::runtime::fake {

class FakeRuntimePlugin final : public Plugin, public RuntimeProvider {
 public:
  void init(InitContext& ctx) override;
  void stop() override;
  // New image behaviours apply in place, keeping the simulated pods; a new pod CIDR needs a
  // new plugin (false), which starts with no pods.
  bool reconfigure(const google::protobuf::Message& config) override;

  // Throws std::logic_error before init().
  std::shared_ptr<RuntimeDriver> driver_for_node(const std::string& node_name) override;

 private:
  std::unique_ptr<FakeRuntime> runtime_;
};

}  // namespace ukube::runtime::fake
