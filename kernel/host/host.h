#pragma once

#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "kernel/host/catalog.h"
#include "kernel/host/config.h"
#include "kernel/host/context.h"
#include "kernel/host/errors.h"
#include "kernel/host/introspection.h"
#include "kernel/host/services.h"

namespace ukube::host {

struct Plan;

enum class PluginState { Available, Loaded, Initialized, Running, Stopped, Failed, Skipped };
std::string_view to_string(PluginState state);

// What a reload changed. `error` is set when a plugin failed while the new set was being
// brought up: that plugin is failed, the others brought up with it are rolled back, and
// every other change listed stays applied.
struct ReloadResult {
  std::vector<std::string> added, removed, reconfigured, restarted;  // URIs
  std::string error;

  bool ok() const { return error.empty(); }
  // "added a; removed b; ..." or "no plugin changed"; never includes `error`.
  std::string summary() const;
};

// Loads the plugins a config enables and runs their lifecycle (DESIGN.md §5): dependency
// order on `requires`, init all then start all, stop and destroy in reverse.
class Host final : private PluginLookup {
 public:
  // Validates the whole plugin set and opens the libraries; throws HostError listing
  // every refused plugin. Nothing is initialised until start(). The first form scans the
  // default plugin dir and the config's plugin_dirs.
  static std::unique_ptr<Host> create(DaemonConfig config, KernelServices services,
                                      std::shared_ptr<spdlog::logger> logger = nullptr);
  static std::unique_ptr<Host> create(DaemonConfig config, Catalog catalog, KernelServices services,
                                      std::shared_ptr<spdlog::logger> logger = nullptr);
  ~Host() override;

  Host(const Host&) = delete;
  Host& operator=(const Host&) = delete;

  // Inits every plugin in order, then starts them in order. When one throws, what was
  // started is stopped in reverse, everything created is destroyed, and HostError names
  // the plugin and its error.
  void start();
  // Stops in reverse order, then destroys in reverse order. Idempotent.
  void stop();

  // Applies a new config: removed plugins are stopped and destroyed, added ones brought
  // up, changed ones reconfigured in place or restarted together with the plugins that
  // require them. Throws HostError, changing nothing, when the new config is refused.
  ReloadResult reload(DaemonConfig new_config);
  ReloadResult reload(DaemonConfig new_config, Catalog catalog);

  // `ukube plugins` rows for the running host (safe to call from any thread).
  std::vector<PluginStatus> describe() const override;
  DaemonConfig config() const;

 private:
  struct Slot;
  using Slots = std::vector<std::shared_ptr<Slot>>;

  Host(DaemonConfig config, Catalog catalog, KernelServices services, std::shared_ptr<spdlog::logger> logger);

  Plugin* find(const std::string& uri_or_id) const override;
  std::vector<Plugin*> all() const override;

  Slots slots_for(const Plan& plan) const;
  void set_state(Slot& slot, PluginState state, std::string reason = {});
  void create_and_init(Slot& slot);
  void bring_up(const Slots& group);
  void shut_down(const Slots& group);
  void destroy(Slot& slot);
  ReloadResult apply(DaemonConfig new_config, Catalog catalog, const Plan& plan);

  DaemonConfig config_;
  Catalog catalog_;
  KernelServices services_;
  SharedInformers informers_{services_};  // after services_, which it reads
  std::shared_ptr<spdlog::logger> log_;
  std::filesystem::path data_dir_;  // absolute, fixed for the life of the host

  std::mutex lifecycle_mutex_;      // serialises start, stop and reload
  mutable std::mutex table_mutex_;  // guards slots_ and slot states; never held while plugin code runs
  Slots slots_;                     // dependency order
  bool started_ = false;
};

}  // namespace ukube::host
