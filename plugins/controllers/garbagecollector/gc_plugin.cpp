#include "gc_plugin.h"

#include "controllers/garbagecollector/config.pb.h"
#include "garbage_collector.h"
#include "type_mapping.h"
#include "ukube/types.h"

namespace ukube::controllers::gc {
namespace {

constexpr unsigned kDefaultWorkers = 4;

}  // namespace

GarbageCollectorPlugin::GarbageCollectorPlugin()
    : ControllerPlugin({"garbagecollector", "generic-garbage-collector"}) {}

void GarbageCollectorPlugin::configure(InitContext& ctx) {
  const auto& config = ctx.config_as<GarbageCollectorConfig>();
  settings_ = controller::controller_settings(config, kDefaultWorkers);
  if (config.resync_period_ms() > 0) resync_period_ = std::chrono::milliseconds(config.resync_period_ms());
  types_ = &ctx.types();
}

std::unique_ptr<controller::RunningController> GarbageCollectorPlugin::make_running(
    const controller::ControllerDeps& deps) {
  GarbageCollectorOptions options;
  options.client = deps.client;
  options.informers = deps.informers;
  options.log = deps.log;
  options.workers = settings_.workers;
  options.resync_period = resync_period_;
  options.resources = [types = types_] { return watched_resources(*types); };
  options.resolve = [types = types_](std::string_view api_version, std::string_view kind) {
    return resolve_kind(*types, api_version, kind);
  };
  return std::make_unique<GarbageCollector>(std::move(options));
}

}  // namespace ukube::controllers::gc
