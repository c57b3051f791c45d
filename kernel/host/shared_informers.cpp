#include "kernel/host/shared_informers.h"

#include <stdexcept>

#include "ukube/machinery/identities.h"

namespace ukube::host {
namespace {

// Two threads: this machine has two cores, and informer steps are short (handlers of
// shared informers enqueue work rather than do it).
constexpr size_t kInformerThreads = 2;

}  // namespace

InformerFactory& SharedInformers::get(const std::string& for_uri) {
  std::lock_guard lock(mutex_);
  if (!factory_) {
    if (!services_.client_factory)
      throw std::logic_error("plugin " + for_uri +
                             " asked for shared informers, but this host runs without the request pipeline "
                             "(tests and `ukube plugins` run the host without kernel services)");
    const auto& client_factory =
        services_.cache_client_factory ? services_.cache_client_factory : services_.client_factory;
    factory_ = std::make_unique<SharedInformerFactory>(client_factory(machinery::apiserver_identity()),
                                                       kInformerThreads);
  }
  return *factory_;
}

void SharedInformers::shutdown() {
  std::unique_ptr<SharedInformerFactory> factory;
  {
    std::lock_guard lock(mutex_);
    factory = std::move(factory_);
  }
  if (factory) factory->shutdown();
}

}  // namespace ukube::host
