#include "kernel/host/context.h"

#include <stdexcept>

#include <google/protobuf/message.h>

namespace ukube::host {

Context::Context(std::string uri, std::shared_ptr<const google::protobuf::Message> config,
                 std::filesystem::path state_dir, std::filesystem::path data_dir, std::string listen,
                 std::shared_ptr<spdlog::logger> logger, const KernelServices& services,
                 const PluginLookup& lookup, SharedInformers& informers)
    : uri_(std::move(uri)),
      config_(std::move(config)),
      state_dir_(std::move(state_dir)),
      data_dir_(std::move(data_dir)),
      listen_(std::move(listen)),
      logger_(std::move(logger)),
      services_(services),
      lookup_(lookup),
      informers_(informers) {}

const google::protobuf::Message& Context::config() const {
  std::lock_guard lock(config_mutex_);
  return *config_;
}

void Context::replace_config(std::shared_ptr<const google::protobuf::Message> config) {
  std::lock_guard lock(config_mutex_);
  previous_configs_.push_back(std::move(config_));
  config_ = std::move(config);
}

template <class T>
T& Context::require(T* service, const char* name) const {
  if (!service)
    throw std::logic_error("plugin " + uri_ + " asked for the " + name +
                           ", but this host runs without one (tests and `ukube plugins` run the host without "
                           "kernel services)");
  return *service;
}

store::Store& Context::store() const {
  return require(services_.store, "object store");
}
watch::WatchBus& Context::watch_bus() const {
  return require(services_.watch_bus, "watch bus");
}
TypeRegistry& Context::types() const {
  return require(services_.types, "type registry");
}
AuthChains& Context::auth() const {
  return require(services_.auth, "auth chains");
}
RequestPipeline& Context::pipeline() const {
  return require(services_.pipeline, "request pipeline");
}

std::shared_ptr<Client> Context::client(const UserInfo& user) const {
  if (!services_.client_factory)
    throw std::logic_error("plugin " + uri_ +
                           " asked for a client, but this host runs without the request pipeline (tests and "
                           "`ukube plugins` run the host without kernel services)");
  return services_.client_factory(user);
}

}  // namespace ukube::host
