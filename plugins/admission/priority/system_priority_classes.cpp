#include "system_priority_classes.h"

#include <spdlog/logger.h>

#include <array>

namespace ukube::admission {

std::span<const SystemPriorityClass> system_priority_classes() {
  static constexpr std::array<SystemPriorityClass, 2> kClasses{{
      {"system-node-critical", 2000001000,
       "Used for system critical pods that must not be moved from their current node."},
      {"system-cluster-critical", 2000000000,
       "Used for system critical pods that must run in the cluster, but can be moved to another node if "
       "necessary."},
  }};
  return kClasses;
}

json::object priority_class_object(const SystemPriorityClass& c) {
  return json::object{{"apiVersion", "scheduling.k8s.io/v1"},
                      {"kind", "PriorityClass"},
                      {"metadata", {{"name", c.name}}},
                      {"value", c.value},
                      {"description", c.description}};
}

SystemPriorityClassBootstrap::SystemPriorityClassBootstrap(std::shared_ptr<Client> client,
                                                           std::shared_ptr<Informer> classes,
                                                           std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)),
      classes_(std::move(classes)),
      log_(log),
      loop_(
          {"system priority classes", 1, kAdmissionLoopLimits},
          [this](const std::string& name) { return controller::Result::done_if(sync(name)); }, log) {}

void SystemPriorityClassBootstrap::start() {
  for (const auto& c : system_priority_classes()) {
    bool done = false;
    try {
      done = sync(c.name);
    } catch (const std::exception& e) {
      if (log_) log_->warn("creating PriorityClass {} failed, will retry: {}", c.name, e.what());
    }
    if (!done) loop_.add(c.name);
  }
  loop_.start();
}

bool SystemPriorityClassBootstrap::sync(const std::string& name) {
  if (classes_->get(name)) return true;
  for (const auto& c : system_priority_classes()) {
    if (name != c.name) continue;
    try {
      client_->create(kPriorityClasses, "", priority_class_object(c));
      if (log_) log_->info("created PriorityClass {} with value {}", c.name, c.value);
    } catch (const ApiError& e) {
      if (!is_already_exists(e)) throw;
    }
  }
  return true;
}

}  // namespace ukube::admission
