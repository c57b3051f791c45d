#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "kernel/host/services.h"
#include "kernel/host/shared_informers.h"
#include "ukube/plugin.h"

namespace ukube::host {

// The plugins a context can look up: the host's initialised and running plugins at the
// time of the call.
class PluginLookup {
 public:
  virtual ~PluginLookup() = default;
  virtual Plugin* find(const std::string& uri_or_id) const = 0;
  virtual std::vector<Plugin*> all() const = 0;
  virtual std::vector<PluginStatus> describe() const = 0;
};

// The InitContext a plugin receives. It lives as long as the plugin instance, because
// plugins may keep it to reach services and peers after init.
class Context final : public InitContext {
 public:
  Context(std::string uri, std::shared_ptr<const google::protobuf::Message> config,
          std::filesystem::path state_dir, std::filesystem::path data_dir, std::string listen,
          std::shared_ptr<spdlog::logger> logger, const KernelServices& services, const PluginLookup& lookup,
          SharedInformers& informers);

  const std::string& uri() const override { return uri_; }
  const google::protobuf::Message& config() const override;
  const std::filesystem::path& state_dir() const override { return state_dir_; }
  const std::filesystem::path& data_dir() const override { return data_dir_; }
  const std::string& listen() const override { return listen_; }
  std::shared_ptr<spdlog::logger> logger() const override { return logger_; }
  store::Store& store() const override;
  watch::WatchBus& watch_bus() const override;
  TypeRegistry& types() const override;
  AuthChains& auth() const override;
  RequestPipeline& pipeline() const override;
  std::shared_ptr<Client> client(const UserInfo& user) const override;
  InformerFactory& informers() const override { return informers_.get(uri_); }
  Plugin* find(const std::string& uri_or_id) const override { return lookup_.find(uri_or_id); }
  std::vector<Plugin*> all() const override { return lookup_.all(); }
  std::vector<PluginStatus> plugin_statuses() const override { return lookup_.describe(); }

  // After an in-place reconfigure. The previous message is kept alive because the plugin
  // may still hold the reference config() gave it.
  void replace_config(std::shared_ptr<const google::protobuf::Message> config);

 private:
  template <class T>
  T& require(T* service, const char* name) const;

  std::string uri_;
  mutable std::mutex config_mutex_;
  std::shared_ptr<const google::protobuf::Message> config_;
  std::vector<std::shared_ptr<const google::protobuf::Message>> previous_configs_;
  std::filesystem::path state_dir_;
  std::filesystem::path data_dir_;
  std::string listen_;
  std::shared_ptr<spdlog::logger> logger_;
  const KernelServices& services_;
  const PluginLookup& lookup_;
  SharedInformers& informers_;
};

}  // namespace ukube::host
