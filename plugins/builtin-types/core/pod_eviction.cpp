// The eviction subresource of pods, with upstream's checks, messages and codes
// (pkg/registry/core/pod/storage/eviction.go).
#include "core/pod_eviction.h"

#include <string>
#include <vector>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/time.h"
#include "schema/builder.h"
#include "ukube/client.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/disruption_budget.h"
#include "ukube/machinery/pod.h"
#include "ukube/machinery/resources.h"

namespace ukube::builtin {
namespace {

using machinery::kPodDisruptionBudgets;
using machinery::kPods;

// Evictions approved but not yet seen by the disruption controller: past this many the
// budget refuses more (upstream's MaxDisruptedPodSize).
constexpr size_t kMaxDisruptedPods = 2000;
// Writes lost to concurrent writers are tried again this often (upstream's EvictionsRetry).
constexpr int kConflictRetries = 20;
constexpr const char* kDisruptionBudgetCause = "DisruptionBudget";
constexpr const char* kViolatesBudget = "Cannot evict pod as it would violate the pod's disruption budget.";

std::shared_ptr<const json::object> eviction_schema() {
  using namespace schema;
  Schema preconditions =
      object({{"uid", string("The object must have this UID."), 1, kPointer},
              {"resourceVersion", string("The object must be at this version."), 2, kPointer}});
  Schema delete_options =
      object({{"gracePeriodSeconds", int64("Seconds the pod gets to stop."), 1, kPointer},
              {"preconditions", preconditions, 2, kPointer},
              {"orphanDependents", boolean("Deprecated: use propagationPolicy."), 3, kPointer},
              {"propagationPolicy", string("Orphan, Background or Foreground."), 4, kPointer},
              {"dryRun", atomic_list(string(), "All: the eviction is checked, nothing is changed."), 5}});
  return share(resource("policy", "v1", "Eviction", "Evicts a pod, as its disruption budget allows.",
                        {{"deleteOptions", delete_options, 2, kPointer}}));
}

ApiError budget_busy(const std::string& budget) {
  ApiError e = ApiError::too_many_requests(kViolatesBudget, 10);
  e.causes.push_back({kDisruptionBudgetCause,
                      "The disruption budget " + budget + " is still being processed by the server.", ""});
  return e;
}

ApiError budget_forbidden(const std::string& budget, const std::string& why) {
  ApiError e = ApiError::forbidden("poddisruptionbudget.policy \"" + budget + "\" is forbidden: " + why);
  e.group = "policy";
  e.kind = "poddisruptionbudget";
  e.name = budget;
  return e;
}

// The request's DeleteOptions: the Eviction's own, with the query's dryRun when the body
// names none (upstream's propagateDryRun).
DeleteOptions delete_options_of(const json::object& eviction, bool query_dry_run) {
  DeleteOptions options;
  options.dry_run = query_dry_run;
  const json::object* o = object_at(eviction, {"deleteOptions"});
  if (!o) return options;
  if (auto grace = machinery::int_at(*o, {"gracePeriodSeconds"})) options.grace_period_seconds = *grace;
  options.precondition_uid = string_at(*o, {"preconditions", "uid"});
  options.precondition_resource_version = string_at(*o, {"preconditions", "resourceVersion"});
  options.propagation_policy = string_at(*o, {"propagationPolicy"});
  if (options.propagation_policy.empty() && bool_at(*o, {"orphanDependents"}).value_or(false))
    options.propagation_policy = "Orphan";
  if (const auto* dry = array_at(*o, {"dryRun"}); dry && !dry->empty()) {
    for (const auto& v : *dry)
      if (as_string(v) != "All")
        throw ApiError::bad_request("unsupported dry run value " + json::serialize(v) +
                                    " in deleteOptions.dryRun: the only supported value is \"All\"");
    options.dry_run = true;
  }
  return options;
}

json::object success() {
  return json::object{{"kind", "Status"},
                      {"apiVersion", "v1"},
                      {"metadata", json::object{}},
                      {"status", "Success"},
                      {"code", 201}};
}

class Eviction {
 public:
  Eviction(Client& client, EphemeralCall& call)
      : client_(client),
        ns_(call.namespace_),
        name_(machinery::name_of(*call.parent)),
        pod_(*call.parent),
        options_(delete_options_of(call.body, call.dry_run)) {
    if (machinery::name_of(call.body) != name_)
      throw ApiError::bad_request("name in URL does not match name in Eviction object");
  }

  json::object run() {
    if (delete_without_budget()) return success();
    std::vector<json::object> budgets = covering_budgets();
    if (budgets.size() > 1)
      // Upstream answers a bare Failure status with code 500 and no reason.
      throw ApiError(
          500, "",
          "This pod has more than one PodDisruptionBudget, which the eviction subresource does not "
          "support.");
    bool pin_version = false;
    std::string budget_name;
    if (!budgets.empty()) {
      budget_name = machinery::name_of(budgets.front());
      pin_version = unready_pod_may_go(budgets.front());
      if (!pin_version) take_disruption(std::move(budgets.front()));
    }
    DeleteOptions options = options_;
    // The pod must not have become ready since the budget was judged without it.
    if (pin_version && caller_version_unset()) options.precondition_resource_version = version_of(pod_);
    try {
      mark_and_delete(options);
    } catch (const ApiError& e) {
      if (is_conflict(e) && pin_version && caller_version_unset()) throw budget_busy(budget_name);
      throw;
    }
    return success();
  }

 private:
  bool caller_version_unset() const { return options_.precondition_resource_version.empty(); }
  static std::string version_of(const json::object& o) {
    return machinery::meta_string(o, "resourceVersion");
  }

  // Terminal, pending and terminating pods go at once: they disrupt nothing more.
  static bool can_ignore_budget(const json::object& pod) {
    const std::string phase = machinery::pod_phase(pod);
    return machinery::is_terminal_phase(phase) || phase == "Pending" ||
           machinery::has_deletion_timestamp(pod);
  }

  // Deletes a pod that no budget needs to allow; false when one must be asked.
  bool delete_without_budget() {
    for (int attempt = 0;; ++attempt) {
      if (!can_ignore_budget(pod_)) return false;
      DeleteOptions options = options_;
      // A pending pod could turn ready meanwhile: only the version read may go.
      if (machinery::pod_phase(pod_) == "Pending" && caller_version_unset())
        options.precondition_resource_version = version_of(pod_);
      try {
        mark_and_delete(options);
        return true;
      } catch (const ApiError& e) {
        if (!is_conflict(e) || !caller_version_unset() || attempt + 1 >= kConflictRetries) throw;
      }
      pod_ = *client_.get(kPods, ns_, name_);
    }
  }

  std::vector<json::object> covering_budgets() {
    std::vector<json::object> covering;
    for (const auto& budget : client_.list(kPodDisruptionBudgets, ns_).items)
      if (budget && machinery::budget_covers(*budget, pod_)) covering.push_back(*budget);
    return covering;
  }

  // An unready pod counts toward no budget's health: it may go without a disruption
  // when the budget lets unhealthy pods go, or is healthy enough without it.
  bool unready_pod_may_go(const json::object& budget) const {
    if (machinery::is_pod_ready(pod_)) return false;
    if (string_at(budget, {"spec", "unhealthyPodEvictionPolicy"}) == "AlwaysAllow") return true;
    const int64_t current = int_or(budget, {"status", "currentHealthy"}, 0);
    const int64_t desired = int_or(budget, {"status", "desiredHealthy"}, 0);
    return current >= desired && desired > 0;
  }

  // Verifies the budget allows a disruption and records this one in its status, so the
  // disruption controller counts the pod as gone (upstream's checkAndDecrement).
  void take_disruption(json::object budget) {
    const std::string name = machinery::name_of(budget);
    for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
      if (attempt > 0) budget = *client_.get(kPodDisruptionBudgets, ns_, name);
      json::object& status = child(budget, "status");
      if (int_or(status, {"observedGeneration"}, 0) <
          machinery::int_or(budget, {"metadata", "generation"}, 0))
        throw budget_busy(name);
      const int64_t allowed = int_or(status, {"disruptionsAllowed"}, 0);
      if (allowed < 0) throw budget_forbidden(name, "pdb disruptions allowed is negative");
      if (const auto* disrupted = object_at(status, {"disruptedPods"});
          disrupted && disrupted->size() > kMaxDisruptedPods)
        throw budget_forbidden(
            name, "DisruptedPods map too big - too many evictions not confirmed by PDB controller");
      if (allowed == 0) {
        ApiError e = ApiError::too_many_requests(kViolatesBudget, 0);
        e.causes.push_back({kDisruptionBudgetCause,
                            "The disruption budget " + name + " needs " +
                                std::to_string(int_or(status, {"desiredHealthy"}, 0)) +
                                " healthy pods and has " +
                                std::to_string(int_or(status, {"currentHealthy"}, 0)) + " currently",
                            ""});
        throw e;
      }
      if (options_.dry_run) return;
      const std::string now = format_time(Clock::now());
      status["disruptionsAllowed"] = allowed - 1;
      if (allowed - 1 == 0) machinery::update_disruption_allowed_condition(budget, now);
      child(budget["status"].as_object(), "disruptedPods")[name_] = now;
      try {
        client_.update(kPodDisruptionBudgets, ns_, budget, {}, "status");
        return;
      } catch (const ApiError& e) {
        if (!is_conflict(e)) throw;
      }
    }
    ApiError e(504, "Timeout",
               "Timeout: couldn't update PodDisruptionBudget \"" + name + "\" due to conflicts");
    e.retry_after_seconds = 10;
    throw e;
  }

  // The pod learns why it goes (DisruptionTarget, EvictionByEvictionAPI), then goes; a
  // version the delete is pinned to moves with that status write.
  void mark_and_delete(DeleteOptions options) {
    if (!options.dry_run) mark_disruption_target(options);
    client_.remove(kPods, ns_, name_, options);
  }

  void mark_disruption_target(DeleteOptions& options) {
    for (int attempt = 0; attempt < kConflictRetries; ++attempt) {
      // A pod the preconditions do not describe is left unmarked: the delete refuses it.
      const bool preconditions_hold =
          (options.precondition_uid.empty() || options.precondition_uid == machinery::uid_of(pod_)) &&
          (options.precondition_resource_version.empty() ||
           options.precondition_resource_version == version_of(pod_));
      if (!preconditions_hold || machinery::is_pod_terminal(pod_)) return;
      json::object pod = pod_;
      const std::string now = format_time(Clock::now());
      if (!machinery::set_condition(
              machinery::child_array(child(pod, "status"), "conditions"),
              machinery::disruption_target_condition("EvictionByEvictionAPI", "Eviction API: evicting", now),
              now))
        return;
      try {
        ObjectPtr written = client_.update(kPods, ns_, pod, {}, "status");
        // The version the delete is pinned to moves with this write.
        if (!options.precondition_resource_version.empty())
          options.precondition_resource_version = version_of(*written);
        return;
      } catch (const ApiError& e) {
        if (!is_conflict(e)) throw;
      }
      pod_ = *client_.get(kPods, ns_, name_);
    }
  }

  Client& client_;
  std::string ns_;
  std::string name_;
  json::object pod_;
  DeleteOptions options_;
};

}  // namespace

SubresourceAnswer pod_eviction(std::shared_ptr<Client> client) {
  return {{"policy", "v1", "Eviction"}, eviction_schema(), [client](EphemeralCall& call) {
            return Eviction(*client, call).run();
          }};
}

}  // namespace ukube::builtin
