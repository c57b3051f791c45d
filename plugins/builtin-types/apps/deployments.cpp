// apps/v1 Deployment.
#include <boost/json.hpp>

#include "apps/workloads.h"
#include "common/json.h"
#include "common/table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {
namespace {

void default_deployment(json::object& o) {
  auto& spec = child(o, "spec");
  default_replicas(spec);
  auto& strategy = child(spec, "strategy");
  set_default(strategy, "type", "RollingUpdate");
  if (string_at(strategy, {"type"}) == "RollingUpdate") {
    auto& rolling = child(strategy, "rollingUpdate");
    set_default(rolling, "maxUnavailable", "25%");
    set_default(rolling, "maxSurge", "25%");
  }
  set_default(spec, "revisionHistoryLimit", 10);
  set_default(spec, "progressDeadlineSeconds", 600);
  default_pod_template(child(spec, "template"));
}

void validate_deployment(const json::object& o, const json::object* old, std::vector<FieldError>& out) {
  Errors e(out);
  validate_selector_and_template(e, o, "deployment", {"Always"}, true);
  check_replicas(e, o);
  check_selector_immutable(e, o, old);
  const json::object empty;
  const json::object* spec = object_at(o, {"spec"});
  if (!spec) spec = &empty;
  FieldPath sp("spec");
  for (const char* f : {"minReadySeconds", "revisionHistoryLimit", "progressDeadlineSeconds"})
    check_non_negative(e, sp, *spec, f);
  auto deadline = int_at(*spec, {"progressDeadlineSeconds"});
  auto min_ready = int_at(*spec, {"minReadySeconds"});
  if (deadline && min_ready && *deadline <= *min_ready)
    e.invalid_int(sp.child("progressDeadlineSeconds"), *deadline, "must be greater than minReadySeconds");

  FieldPath st = sp.child("strategy");
  std::string type = string_at(*spec, {"strategy", "type"});
  if (type != "Recreate" && type != "RollingUpdate") {
    if (type.empty())
      e.required(st.child("type"), "");
    else
      e.unsupported(st.child("type"), type, {"Recreate", "RollingUpdate"});
  }
  const auto* rolling = object_at(*spec, {"strategy", "rollingUpdate"});
  if (type == "Recreate" && rolling)
    e.forbidden(st.child("rollingUpdate"), "may not be specified when strategy `type` is 'Recreate'");
  if (type == "RollingUpdate" && rolling) {
    FieldPath rp = st.child("rollingUpdate");
    int64_t unavailable =
        check_int_or_percent(e, rp.child("maxUnavailable"), rolling->if_contains("maxUnavailable"));
    int64_t surge = check_int_or_percent(e, rp.child("maxSurge"), rolling->if_contains("maxSurge"));
    if (unavailable == 0 && surge == 0)
      e.invalid(rp.child("maxUnavailable"), value_repr(rolling->at("maxUnavailable")),
                "may not be 0 when `maxSurge` is 0");
  }
}

}  // namespace

TypeInfo deployments_type() {
  TypeInfo t = make_type("apps", "v1", "Deployment", "deployments", true, {"deploy"}, {"all"});
  t.status_subresource = true;
  t.scale = replicas_scale();
  t.printer_columns = {
      name_column(),
      column("Ready", "string", "Ready pods out of the desired number."),
      column("Up-to-date", "integer", "Pods that run the current template.", 0, ".status.updatedReplicas"),
      column("Available", "integer", "Pods available to serve.", 0, ".status.availableReplicas"),
      age_column(),
  };
  for (auto& c : containers_images_selector_columns()) t.printer_columns.push_back(std::move(c));
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string ready = std::to_string(int_or(o, {"status", "readyReplicas"}, 0)) + "/" +
                        std::to_string(int_or(o, {"spec", "replicas"}, 0));
    return json::array{name_of(o),
                       ready,
                       int_or(o, {"status", "updatedReplicas"}, 0),
                       int_or(o, {"status", "availableReplicas"}, 0),
                       age_cell(o, now),
                       template_containers(o, {"spec", "template"}),
                       template_images(o, {"spec", "template"}),
                       selector_cell(o)};
  });
  t.defaulters.push_back(default_deployment);
  t.validators.push_back(validate_deployment);

  using namespace schema;
  Schema strategy = retain_keys(object(
      {{"type", string("Recreate or RollingUpdate."), 1},
       {"rollingUpdate",
        object(
            {{"maxUnavailable", int_or_string("Pods that may be unavailable during the update."), 1,
              kPointer},
             {"maxSurge", int_or_string("Pods that may be created above the desired number."), 2, kPointer}}),
        2, kPointer}},
      "How old pods are replaced by new ones."));
  Schema spec = object({
      {"replicas", integer("Desired number of pods."), 1, kPointer},
      {"selector", label_selector("Pods the deployment manages; must match the template's labels."), 2,
       kPointer},
      {"template", pod_template_spec(), 3},
      {"strategy", strategy, 4},
      {"minReadySeconds", integer("Seconds a new pod must be ready to count as available."), 5},
      {"revisionHistoryLimit", integer("Old ReplicaSets kept for rollback."), 6, kPointer},
      {"paused", boolean("Stops rollouts while true."), 7},
      {"progressDeadlineSeconds", integer("Seconds before a stalled rollout is reported as failed."), 9,
       kPointer},
  });
  Schema status = object({
      {"observedGeneration", int64(), 1},
      {"replicas", integer(), 2},
      {"updatedReplicas", integer(), 3},
      {"readyReplicas", integer(), 7},
      {"availableReplicas", integer(), 4},
      {"unavailableReplicas", integer(), 5},
      {"terminatingReplicas", integer(), 9, kPointer},
      {"conditions", workload_conditions(true), 6},
      {"collisionCount", integer(), 8, kPointer},
  });
  t.schema = share(resource("apps", "v1", "Deployment", "Declarative updates for a set of identical pods.",
                            {{"spec", spec, 2}, {"status", status, 3}}));
  return t;
}

}  // namespace ukube::builtin
