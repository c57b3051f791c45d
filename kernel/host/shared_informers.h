#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "kernel/host/services.h"
#include "ukube/informer_factory.h"

namespace ukube::host {

// The daemon's one informer factory, shared by every plugin and reading as the kernel's
// loopback identity (as kube-controller-manager's shared informers use one client). Made
// on first use, so a host whose plugins use no informer starts no informer thread.
class SharedInformers {
 public:
  explicit SharedInformers(const KernelServices& services) : services_(services) {}
  ~SharedInformers() { shutdown(); }

  // `for_uri` names the plugin asking, for the error when the host has no pipeline.
  InformerFactory& get(const std::string& for_uri);
  // After every plugin is stopped: their informers stop with the pool.
  void shutdown();

 private:
  const KernelServices& services_;
  std::mutex mutex_;
  std::unique_ptr<SharedInformerFactory> factory_;
};

}  // namespace ukube::host
