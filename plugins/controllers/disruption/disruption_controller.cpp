#include "disruption_controller.h"

#include <spdlog/logger.h>

#include <boost/json.hpp>

#include "ukube/controller/cache_indexes.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/errors.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/disruption_budget.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/labels.h"
#include "ukube/machinery/owners.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/machinery/versions.h"

namespace ukube::controllers::disruption {
namespace json = boost::json;
using controller::Result;
using namespace std::chrono_literals;

namespace {

constexpr auto kUnsyncedRetry = 100ms;

// The API group of an ownerReference's apiVersion ("apps/v1" → "apps", "v1" → "").
std::string group_of(const json::object& ref) {
  return machinery::parse_api_version(machinery::string_at(ref, {"apiVersion"})).group;
}

bool refers_to(const json::object& ref, std::string_view group, std::string_view kind) {
  return machinery::string_at(ref, {"kind"}) == kind && group_of(ref) == group;
}

int64_t replicas_of(const json::object& object) {
  return machinery::int_or(object, {"spec", "replicas"}, 1);
}

// Ready and neither being deleted nor evicted lately (upstream's countHealthyPods).
int64_t count_healthy(const std::vector<ObjectPtr>& pods, const json::object& disrupted) {
  int64_t healthy = 0;
  for (const auto& pod : pods)
    if (!machinery::has_deletion_timestamp(*pod) && !disrupted.contains(machinery::name_of(*pod)) &&
        machinery::is_pod_ready(*pod))
      ++healthy;
  return healthy;
}

}  // namespace

DisruptionController::DisruptionController(const controller::ControllerDeps& deps, unsigned workers,
                                           std::function<Clock::time_point()> now)
    : client_(deps.client),
      events_(deps.events),
      log_(deps.log),
      now_(std::move(now)),
      budgets_(deps.informers->informer(machinery::kPodDisruptionBudgets)),
      pods_(deps.informers->informer(machinery::kPods)),
      replica_sets_(deps.informers->informer(machinery::kReplicaSets)),
      controllers_(deps.informers->informer(machinery::kReplicationControllers)),
      deployments_(deps.informers->informer(machinery::kDeployments)),
      stateful_sets_(deps.informers->informer(machinery::kStatefulSets)) {
  indexes_.push_back(budgets_->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
  indexes_.push_back(pods_->add_indexer(controller::kNamespaceIndex, controller::index_by_namespace));
  controller::LoopSettings settings;
  settings.name = "disruption";
  settings.workers = workers;
  loop_ = std::make_unique<controller::ReconcileLoop>(
      settings, [this](const std::string& key) { return sync(key); }, log_);
}

DisruptionController::~DisruptionController() {
  stop();
}

void DisruptionController::start() {
  if (!registrations_.empty()) return;
  auto enqueue = [this](const ObjectPtr& budget) { loop_->add(object_key(*budget)); };
  registrations_.push_back(budgets_->add_handlers(
      {enqueue, [enqueue](const ObjectPtr&, const ObjectPtr& b) { enqueue(b); }, enqueue}));
  auto pod_changed = [this](const ObjectPtr& pod) { enqueue_budgets_of(pod); };
  registrations_.push_back(pods_->add_handlers({pod_changed,
                                                [this](const ObjectPtr& old_pod, const ObjectPtr& pod) {
                                                  enqueue_budgets_of(old_pod);
                                                  enqueue_budgets_of(pod);
                                                },
                                                pod_changed}));
  loop_->start();
}

void DisruptionController::stop() {
  registrations_.clear();  // waits for a handler call under way
  loop_->stop();
}

bool DisruptionController::caches_synced() const {
  for (const auto* informer :
       {&budgets_, &pods_, &replica_sets_, &controllers_, &deployments_, &stateful_sets_})
    if (!(*informer)->has_synced()) return false;
  return true;
}

void DisruptionController::enqueue_budgets_of(const ObjectPtr& pod) {
  if (!pod) return;
  for (const auto& budget : budgets_->by_index(controller::kNamespaceIndex, machinery::namespace_of(*pod)))
    if (machinery::budget_covers(*budget, *pod)) loop_->add(object_key(*budget));
}

std::vector<ObjectPtr> DisruptionController::selected_pods(const json::object& budget) const {
  std::vector<ObjectPtr> selected;
  for (const auto& pod : pods_->by_index(controller::kNamespaceIndex, machinery::namespace_of(budget)))
    if (machinery::budget_covers(budget, *pod)) selected.push_back(pod);
  return selected;
}

// The four controllers upstream's finders know, read from the caches. A ReplicaSet of a
// Deployment stands for the Deployment, whose replicas are the ones wanted.
std::optional<ControllerScale> DisruptionController::find_scale(const json::object& ref,
                                                                const std::string& ns) const {
  const std::string uid = machinery::string_at(ref, {"uid"});
  auto cached = [&](const Informer& informer, const std::string& name, const std::string& want_uid) {
    ObjectPtr object = informer.get(ns + "/" + name);
    return object && machinery::uid_of(*object) == want_uid ? object : nullptr;
  };
  const std::string name = machinery::string_at(ref, {"name"});
  if (refers_to(ref, "apps", "ReplicaSet")) {
    ObjectPtr rs = cached(*replica_sets_, name, uid);
    if (!rs) return std::nullopt;
    if (const json::object* owner = machinery::controller_of(*rs);
        owner && refers_to(*owner, "apps", "Deployment")) {
      ObjectPtr deployment = cached(*deployments_, machinery::string_at(*owner, {"name"}),
                                    machinery::string_at(*owner, {"uid"}));
      if (!deployment) return std::nullopt;
      return ControllerScale{machinery::uid_of(*deployment), replicas_of(*deployment)};
    }
    return ControllerScale{uid, replicas_of(*rs)};
  }
  const Informer* informer = refers_to(ref, "", "ReplicationController") ? controllers_.get()
                             : refers_to(ref, "apps", "StatefulSet")     ? stateful_sets_.get()
                                                                         : nullptr;
  if (!informer) return std::nullopt;
  ObjectPtr owner = cached(*informer, name, uid);
  if (!owner) return std::nullopt;
  return ControllerScale{uid, replicas_of(*owner)};
}

json::object DisruptionController::still_disrupted(const json::object& budget,
                                                   const std::vector<ObjectPtr>& pods, Clock::time_point now,
                                                   std::optional<Clock::time_point>& recheck) const {
  json::object kept;
  const json::object* recorded = machinery::object_at(budget, {"status", "disruptedPods"});
  if (!recorded || recorded->empty()) return kept;
  for (const auto& pod : pods) {
    if (machinery::has_deletion_timestamp(*pod)) continue;
    const std::string name = machinery::name_of(*pod);
    const json::value* when = recorded->if_contains(name);
    auto at = when ? machinery::parse_time(machinery::as_string(*when)) : std::nullopt;
    if (!at) continue;
    const auto expected_deletion = *at + kDeletionTimeout;
    if (expected_deletion < now) {
      if (log_)
        log_->info("pod {}/{} was expected to be deleted after its eviction but it was not; updating {}",
                   machinery::namespace_of(*pod), name, object_key(budget));
      if (events_)
        events_->event(*pod, "Warning", "NotDeleted",
                       "Pod was expected by PDB " + object_key(budget) + " to be deleted but it wasn't");
      continue;
    }
    if (!recheck || expected_deletion < *recheck) recheck = expected_deletion;
    kept[name] = *when;
  }
  return kept;
}

Result DisruptionController::sync(const std::string& key) {
  if (!caches_synced()) return Result::requeue_after(kUnsyncedRetry);
  ObjectPtr budget = budgets_->get(key);
  if (!budget) return Result::done();
  const std::vector<ObjectPtr> pods = selected_pods(*budget);
  if (pods.empty() && events_) events_->event(*budget, "Normal", "NoPods", "No matching pods found");

  ExpectedPods expected;
  try {
    expected = expected_pods(*budget, pods, [this](const json::object& ref, const std::string& ns) {
      return find_scale(ref, ns);
    });
  } catch (const std::exception& e) {
    const bool no_controllers = dynamic_cast<const NoControllersError*>(&e) != nullptr;
    if (events_) {
      if (no_controllers) events_->event(*budget, "Warning", "NoControllers", e.what());
      events_->event(*budget, "Warning", "CalculateExpectedPodCountFailed",
                     std::string("Failed to calculate the number of expected pods: ") + e.what());
    }
    fail_safe(*budget, e.what());
    return Result::retry();
  }
  if (!expected.unmanaged.empty() && events_)
    events_->event(
        *budget, "Warning", "UnmanagedPods",
        "Pods selected by this PodDisruptionBudget (selector: " +
            machinery::selector_string(machinery::object_at(*budget, {"spec", "selector"})) +
            ") were found to be unmanaged. As a result, the status of the PDB cannot be calculated "
            "correctly, which may result in undefined behavior. To account for these pods please set "
            "\".spec.minAvailable\" field of the PDB to an integer value.");

  const auto at = now();
  std::optional<Clock::time_point> recheck;
  json::object disrupted = still_disrupted(*budget, pods, at, recheck);
  const int64_t healthy = count_healthy(pods, disrupted);
  int64_t allowed = healthy - expected.desired_healthy;
  // A budget that expects no pods yet allows nothing, so pods that appear before the next
  // sync are safe.
  if (expected.expected <= 0 || allowed <= 0) allowed = 0;

  json::object status{{"observedGeneration", machinery::int_or(*budget, {"metadata", "generation"}, 0)},
                      {"disruptionsAllowed", allowed},
                      {"currentHealthy", healthy},
                      {"desiredHealthy", expected.desired_healthy},
                      {"expectedPods", expected.expected}};
  if (!disrupted.empty()) status["disruptedPods"] = std::move(disrupted);
  write_status(*budget, std::move(status));
  if (recheck) return Result::requeue_after(std::chrono::ceil<std::chrono::milliseconds>(*recheck - at) + 1s);
  return Result::done();
}

void DisruptionController::write_status(const json::object& budget, json::object status) {
  json::object updated = budget;
  if (const auto* conditions = machinery::array_at(budget, {"status", "conditions"}))
    status["conditions"] = *conditions;
  updated["status"] = std::move(status);
  machinery::update_disruption_allowed_condition(updated, machinery::format_time(now()));
  if (machinery::object_or_empty(machinery::object_at(budget, {"status"})) == updated["status"].as_object())
    return;
  client_->update(machinery::kPodDisruptionBudgets, machinery::namespace_of(budget), updated, {}, "status");
}

// Upstream's failSafe: nothing may be disrupted while the numbers are unknown, and the
// condition says why.
void DisruptionController::fail_safe(const json::object& budget, const std::string& why) {
  json::object updated = budget;
  json::object& status = machinery::child(updated, "status");
  status["disruptionsAllowed"] = 0;
  machinery::set_condition(
      machinery::child_array(status, "conditions"),
      json::object{{"type", machinery::kDisruptionAllowedCondition},
                   {"status", "False"},
                   {"reason", machinery::kSyncFailedReason},
                   {"message", why},
                   {"observedGeneration", machinery::int_or(status, {"observedGeneration"}, 0)}},
      machinery::format_time(now()));
  if (updated == budget) return;
  try {
    client_->update(machinery::kPodDisruptionBudgets, machinery::namespace_of(budget), updated, {}, "status");
  } catch (const ApiError& e) {
    if (log_) log_->warn("could not write the fail-safe status of {}: {}", object_key(budget), e.what());
  }
}

}  // namespace ukube::controllers::disruption
