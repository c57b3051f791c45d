#pragma once

#include <functional>
#include <memory>

#include "ukube/plugin.h"

namespace ukube::host {

// The kernel services the host hands to plugins through InitContext. Any of them may be
// absent (unit tests, `ukube plugins`): a plugin asking for a missing one gets a
// std::logic_error naming the service.
struct KernelServices {
  store::Store* store = nullptr;
  watch::WatchBus* watch_bus = nullptr;
  TypeRegistry* types = nullptr;
  AuthChains* auth = nullptr;
  RequestPipeline* pipeline = nullptr;
  std::function<std::shared_ptr<Client>(const UserInfo&)> client_factory;
  // The shared informers' client, when it differs from client_factory's (it may leave
  // out what caches do not keep).
  std::function<std::shared_ptr<Client>(const UserInfo&)> cache_client_factory;
};

}  // namespace ukube::host
