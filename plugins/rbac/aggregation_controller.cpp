#include "aggregation_controller.h"

#include <spdlog/logger.h>
#include <boost/json.hpp>

#include "aggregation.h"
#include "json_fields.h"
#include "rbac_resources.h"
#include "ukube/errors.h"

namespace ukube::rbac {
namespace {

constexpr auto kPoll = std::chrono::milliseconds(200);
constexpr const char* kFieldManager = "clusterrole-aggregation-controller";

}  // namespace

AggregationController::AggregationController(std::shared_ptr<Client> client, const Informer& cluster_roles,
                                             std::shared_ptr<spdlog::logger> log)
    : client_(std::move(client)), cluster_roles_(cluster_roles), log_(std::move(log)) {}

AggregationController::~AggregationController() {
  stop();
}

InformerHandlers AggregationController::handlers() {
  return {[this](const ObjectPtr&) { enqueue_all(); },
          [this](const ObjectPtr&, const ObjectPtr&) { enqueue_all(); },
          [this](const ObjectPtr&) { enqueue_all(); }};
}

void AggregationController::start() {
  if (worker_.joinable()) return;
  stopping_ = false;
  enqueue_all();
  worker_ = std::thread([this] { run(); });
}

void AggregationController::stop() {
  stopping_ = true;
  if (worker_.joinable()) worker_.join();
}

bool AggregationController::idle() const {
  std::lock_guard lock(mutex_);
  return pending_.empty();
}

void AggregationController::enqueue_all() {
  for (const auto& role : cluster_roles_.list()) {
    if (!has_aggregation_rule(*role)) continue;
    std::string name = meta_string(*role, "name");
    std::lock_guard lock(mutex_);
    ++pending_[name];
    queue_.add(name);
  }
}

void AggregationController::run() {
  while (!stopping_) {
    auto name = queue_.get(kPoll);
    if (!name) continue;
    uint64_t seen = 0;
    {
      std::lock_guard lock(mutex_);
      seen = pending_[*name];
    }
    bool ok = sync(*name);
    queue_.done(*name);
    if (!ok) {
      queue_.add_rate_limited(*name);
      continue;
    }
    queue_.forget(*name);
    std::lock_guard lock(mutex_);
    // Queued again while we worked: the queue hands it out once more, so it stays pending.
    if (auto it = pending_.find(*name); it != pending_.end() && it->second == seen) pending_.erase(it);
  }
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
