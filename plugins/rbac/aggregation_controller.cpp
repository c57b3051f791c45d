#include "aggregation_controller.h"

#include <spdlog/logger.h>
#include <boost/json.hpp>

#include "aggregation.h"
#include "json_fields.h"
#include "ukube/errors.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac {
namespace {

constexpr const char* kFieldManager = "clusterrole-aggregation-controller";

}  // namespace

AggregationController::AggregationController(std::shared_ptr<Client> client, const Informer& cluster_roles,
                                             std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)),
      cluster_roles_(cluster_roles),
      log_(log),
      loop_(
          {kFieldManager},
          [this](const std::string& name) { return controller::Result::done_if(sync(name)); }, log) {}

AggregationController::~AggregationController() {
  stop();
}

InformerHandlers AggregationController::handlers() {
  return {[this](const ObjectPtr&) { enqueue_all(); },
          [this](const ObjectPtr&, const ObjectPtr&) { enqueue_all(); },
          [this](const ObjectPtr&) { enqueue_all(); }};
}

void AggregationController::start() {
  enqueue_all();
  loop_.start();
}

void AggregationController::stop() {
  loop_.stop();
}

void AggregationController::enqueue_all() {
  for (const auto& role : cluster_roles_.list())
    if (has_aggregation_rule(*role)) loop_.add(meta_string(*role, "name"));
}

bool AggregationController::sync(const std::string& name) {
  ObjectPtr role = cluster_roles_.get(name);
  if (!role) return true;  // deleted since
  auto rules = aggregated_rules(*role, cluster_roles_.list());
  if (!rules || *rules == parse_rules(*role)) return true;
  boost::json::object updated = *role;
  updated["rules"] = rules_to_json(*rules);
  WriteOptions options;
  options.field_manager = kFieldManager;
  try {
    client_->update(kClusterRoles, "", updated, options);
    ++writes_;
    if (log_) log_->debug("clusterrole {} now aggregates {} rules", name, rules->size());
    return true;
  } catch (const ApiError& e) {
    if (is_not_found(e)) return true;
    // A conflict means the cache was behind; its event will queue the role again.
    if (!is_conflict(e) && log_) log_->warn("cannot update aggregated clusterrole {}: {}", name, e.what());
    return false;
  }
}

}  // namespace ukube::rbac
