#pragma once

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "ukube/images/image_store.h"
#include "ukube/node/single_node.h"
#include "ukube/plugin.h"
#include "ukube/runtime/driver.h"

// ukube.runtime.v1.runc: pods as OCI containers run by runc (runc_driver.h).
namespace ukube::runtime::runc {

class RuncDriver;
class ImageDropFolder;

class RuncRuntimePlugin final : public Plugin, public RuntimeProvider {
 public:
  RuncRuntimePlugin();
  ~RuncRuntimePlugin() override;

  // Reads the config (settings.h) and opens the state folder; containers of an earlier run
  // are found there. Throws std::runtime_error saying why when the machine cannot run runc
  // containers (not root, no runc).
  void init(InitContext& ctx) override;
  // The one node this machine is; another name afterwards throws std::invalid_argument.
  std::shared_ptr<RuntimeDriver> driver_for_node(const std::string& node_name) override;
  // Starts watching the image folder; stop() ends it.
  void start() override;
  void stop() override;

 private:
  node::SingleNodeBinding node_{"runtime-runc"};
  std::shared_ptr<RuncDriver> driver_;
  std::unique_ptr<images::ImageStore> images_;
  std::unique_ptr<ImageDropFolder> drop_folder_;
  // Image garbage collection, every image_gc_period.
  std::chrono::seconds gc_period_{300};
  std::mutex gc_mutex_;
  std::condition_variable gc_wake_;
  bool gc_stop_ = false;
  std::thread gc_thread_;
};

}  // namespace ukube::runtime::runc
