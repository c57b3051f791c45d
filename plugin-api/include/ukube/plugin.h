#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>
#include <typeinfo>
#include <vector>

#include "ukube/abi.h"
#include "ukube/export.h"

namespace google::protobuf {
class Message;
}
namespace spdlog {
class logger;
}

namespace ukube {

namespace store {
class Store;
}
namespace watch {
class WatchBus;
}
class TypeRegistry;
class Client;
class InformerFactory;
class AuthChains;
class RequestPipeline;
struct UserInfo;

// What every plugin is. Optional capabilities (Controller, RuntimeDriver, ...) are
// separate interfaces a plugin class also derives from; ctx.get<T>() finds them.
class UKUBE_API Plugin {
 public:
  virtual ~Plugin();
  // Reads config, builds state, looks up the plugins it requires. Throwing refuses
  // the plugin and stops start-up with the message.
  virtual void init(class InitContext& ctx) = 0;
  virtual void start() {}
  // Must return promptly and release what start() acquired.
  virtual void stop() {}
  // Applies a changed config in place. Returning false asks the host to stop, destroy
  // and re-create the plugin with the new config instead.
  virtual bool reconfigure(const google::protobuf::Message& /*config*/) { return false; }
};

// Everything a plugin gets from the kernel (DESIGN.md §5). No globals: this is it.
// One plugin as the host sees it: a line of `ukube plugins` and of /debug/plugins.
struct PluginStatus {
  std::string type;
  std::string id;
  // loaded, initialized, running, stopped, disabled, available, "failed: why" or
  // "refused: why".
  std::string state;
  std::string library;  // "-" when no library provides the plugin
};

class UKUBE_API InitContext {
 public:
  virtual ~InitContext();
  virtual const std::string& uri() const = 0;  // type.id, e.g. ukube.runtime.v1.runc
  virtual const google::protobuf::Message& config() const = 0;
  virtual const std::filesystem::path& state_dir() const = 0;  // created before init
  virtual const std::filesystem::path& data_dir() const = 0;   // the node's data dir (absolute)
  // Where the node serves its API (host:port; port 0: any free one): `--listen`, else the
  // config's top-level `listen`. A front end uses it unless its own config names another.
  virtual const std::string& listen() const = 0;
  virtual std::shared_ptr<spdlog::logger> logger() const = 0;
  virtual store::Store& store() const = 0;
  virtual watch::WatchBus& watch_bus() const = 0;
  virtual TypeRegistry& types() const = 0;
  virtual AuthChains& auth() const = 0;
  // The raw request pipeline, for front ends that serve other callers (the API server).
  virtual RequestPipeline& pipeline() const = 0;
  // A Client acting as `user` through the full request pipeline.
  virtual std::shared_ptr<Client> client(const UserInfo& user) const = 0;
  // The process's shared informers (ukube/informer_factory.h): one cache and one watch
  // per resource for all plugins, reading as the kernel's loopback identity. Writes go
  // through client() under the plugin's own identity.
  virtual InformerFactory& informers() const = 0;

  // Initialised plugins by URI or by id; null when absent or of another kind.
  virtual Plugin* find(const std::string& uri_or_id) const = 0;
  virtual std::vector<Plugin*> all() const = 0;
  // Every plugin of the daemon, the configured ones and those only available, with its
  // state at the time of the call.
  virtual std::vector<PluginStatus> plugin_statuses() const = 0;

  template <class T>
  T* get(const std::string& uri_or_id) const {
    return dynamic_cast<T*>(find(uri_or_id));
  }
  template <class T>
  std::vector<T*> all_of() const {
    std::vector<T*> out;
    for (Plugin* p : all())
      if (auto* t = dynamic_cast<T*>(p)) out.push_back(t);
    return out;
  }

  template <class ConfigMessage>
  const ConfigMessage& config_as() const {
    return dynamic_cast<const ConfigMessage&>(config());
  }
};

// Returned by a plugin library's registrar. Plain data so that reading it needs no
// plugin code beyond the registrar itself.
struct PluginDescriptor {
  uint32_t abi_version = 0;
  const char* api_hash = nullptr;  // hash of the plugin-api headers it was built with
  const char* type = nullptr;      // versioned type, e.g. "ukube.runtime.v1"
  const char* id = nullptr;        // e.g. "runc"
  // Types, or type.id URIs; "?ukube.network.v1": brought up first when enabled, not needed.
  std::vector<std::string> requires_;
  const google::protobuf::Message* config_prototype = nullptr;  // null: takes no config
  std::unique_ptr<Plugin> (*create)() = nullptr;
};

}  // namespace ukube

// The name of the registrar each plugin library exports, and of the ELF section that
// carries its ABI stamp (read by the host before the library is ever opened).
#define UKUBE_PLUGIN_REGISTRAR_SYMBOL "ukube_plugin_registrar"
#define UKUBE_PLUGIN_SECTION ".ukube_plugin"

#define UKUBE_PLUGIN_STRINGIFY2(x) #x
#define UKUBE_PLUGIN_STRINGIFY(x) UKUBE_PLUGIN_STRINGIFY2(x)

// Declares a plugin library's one registrar and its ABI stamp. Use it once, in the
// plugin's plugin.cpp:
//
//   UKUBE_PLUGIN("ukube.runtime.v1", "runc", make_descriptor)
//
// where `const ukube::PluginDescriptor& make_descriptor()` builds the descriptor. The
// stamp is NUL-separated "key=value" text: magic, abi, hash, type, id.
#define UKUBE_PLUGIN(TYPE, ID, DESCRIPTOR_FN)                                                               \
  extern "C" __attribute__((visibility("default"), used, section(UKUBE_PLUGIN_SECTION)))                    \
  const char ukube_plugin_stamp[] =                                                                         \
      "ukube-plugin\0abi=" UKUBE_PLUGIN_STRINGIFY(UKUBE_PLUGIN_ABI_VERSION) "\0hash=" UKUBE_PLUGIN_API_HASH \
                                                                            "\0type=" TYPE "\0id=" ID;      \
  extern "C" __attribute__((visibility("default"))) const ::ukube::PluginDescriptor*                        \
  ukube_plugin_registrar() {                                                                                \
    return &DESCRIPTOR_FN();                                                                                \
  }

// The whole registrar of a library whose plugin is one class with a default constructor:
//
//   UKUBE_DEFINE_PLUGIN("ukube.authorizer.v1", "rbac", ukube::rbac::RbacPlugin, nullptr, "ukube.types.v1")
//   UKUBE_DEFINE_PLUGIN("ukube.apiserver.v1", "apiserver", ApiServerPlugin,
//   &ApiServerConfig::default_instance())
//
// CONFIG is the config message's prototype (nullptr: the plugin takes no config); any
// further arguments are what the plugin requires (types, or type.id URIs; a leading '?'
// marks one it uses when enabled and runs without).
#define UKUBE_DEFINE_PLUGIN(TYPE, ID, CLASS, CONFIG, ...)                    \
  namespace {                                                                \
  const ::ukube::PluginDescriptor& ukube_plugin_descriptor() {               \
    static const ::ukube::PluginDescriptor d = [] {                          \
      ::ukube::PluginDescriptor d;                                           \
      d.abi_version = UKUBE_PLUGIN_ABI_VERSION;                              \
      d.api_hash = UKUBE_PLUGIN_API_HASH;                                    \
      d.type = TYPE;                                                         \
      d.id = ID;                                                             \
      d.requires_ = {__VA_ARGS__};                                           \
      d.config_prototype = CONFIG;                                           \
      d.create = [] { return std::unique_ptr<::ukube::Plugin>(new CLASS); }; \
      return d;                                                              \
    }();                                                                     \
    return d;                                                                \
  }                                                                          \
  }                                                                          \
  UKUBE_PLUGIN(TYPE, ID, ukube_plugin_descriptor)
