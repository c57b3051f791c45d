// apps/v1 ReplicaSet and core/v1 ReplicationController: keep N copies of a pod template.
#include <boost/json.hpp>

#include "apps/workloads.h"
#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "podspec/validation.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {
namespace {

std::vector<PrinterColumn> replica_columns() {
  std::vector<PrinterColumn> out = {
      name_column(),
      column("Desired", "integer", "Desired number of pods.", 0, ".spec.replicas"),
      column("Current", "integer", "Pods that exist.", 0, ".status.replicas"),
      column("Ready", "integer", "Pods that are ready.", 0, ".status.readyReplicas"),
      age_column(),
  };
  for (auto& c : containers_images_selector_columns()) out.push_back(std::move(c));
  return out;
}

json::array replica_row(const json::object& o, Clock::time_point now, std::string selector) {
  return json::array{name_of(o),
                     int_or(o, {"spec", "replicas"}, 0),
                     int_or(o, {"status", "replicas"}, 0),
                     int_or(o, {"status", "readyReplicas"}, 0),
                     age_cell(o, now),
                     template_containers(o, {"spec", "template"}),
                     template_images(o, {"spec", "template"}),
                     std::move(selector)};
}

// ReplicaSet's and ReplicationController's status number alike, except that only the
// ReplicaSet has terminatingReplicas.
schema::Schema replica_status(bool replica_set) {
  using namespace schema;
  return object(
      {{"replicas", integer(), 1, kAlways},
       {"fullyLabeledReplicas", integer(), 2},
       {"readyReplicas", integer(), 4},
       {"availableReplicas", integer(), 5},
       {"terminatingReplicas", integer(), replica_set ? 7 : 0, replica_set ? kPointer : Go::omitempty},
       {"observedGeneration", int64(), 3},
       {"conditions", workload_conditions(false), 6}});
}

SelectableField status_replicas() {
  return {"status.replicas", [](const json::object& o) {
            return std::to_string(int_or(o, {"status", "replicas"}, 0));
          }};
}

}  // namespace

TypeInfo replicasets_type() {
  TypeInfo t = make_type("apps", "v1", "ReplicaSet", "replicasets", true, {"rs"}, {"all"});
  t.status_subresource = true;
  t.scale = replicas_scale();
  t.printer_columns = replica_columns();
  t.table_row = at_call_time(
      [](const json::object& o, Clock::time_point now) { return replica_row(o, now, selector_cell(o)); });
  t.selectable_fields.push_back(status_replicas());
  t.defaulters.push_back([](json::object& o) {
    auto& spec = child(o, "spec");
    default_replicas(spec);
    default_pod_template(child(spec, "template"));
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    validate_selector_and_template(e, o, "replicaset", {"Always"}, true);
    check_replicas(e, o);
    check_non_negative(e, FieldPath("spec"),
                       object_at(o, {"spec"}) ? *object_at(o, {"spec"}) : json::object{}, "minReadySeconds");
    check_selector_immutable(e, o, old);
  });
  using namespace schema;
  t.schema = share(resource("apps", "v1", "ReplicaSet", "Keeps a number of identical pods running.",
                            {{"spec",
                              object({{"replicas", integer("Desired number of pods."), 1, kPointer},
                                      {"minReadySeconds", integer(), 4},
                                      {"selector", label_selector(), 2, kPointer},
                                      {"template", pod_template_spec(), 3}}),
                              2},
                             {"status", replica_status(true), 3}}));
  return t;
}

TypeInfo replicationcontrollers_type() {
  TypeInfo t = make_type("", "v1", "ReplicationController", "replicationcontrollers", true, {"rc"}, {"all"});
  t.status_subresource = true;
  t.scale = replicas_scale();
  t.printer_columns = replica_columns();
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return replica_row(o, now, format_labels(object_at(o, {"spec", "selector"})));
  });
  t.selectable_fields.push_back(status_replicas());
  t.defaulters.push_back([](json::object& o) {
    auto& spec = child(o, "spec");
    default_replicas(spec);
    // An RC without a selector (or labels) takes its template's labels.
    if (const auto* labels = object_at(spec, {"template", "metadata", "labels"});
        labels && !labels->empty()) {
      json::object copy = *labels;
      if (!object_at(spec, {"selector"}) || object_at(spec, {"selector"})->empty()) spec["selector"] = copy;
      auto& meta = child(o, "metadata");
      if (!object_at(meta, {"labels"}) || object_at(meta, {"labels"})->empty()) meta["labels"] = copy;
    }
    if (auto* tmpl = spec.if_contains("template"); tmpl && tmpl->is_object())
      default_pod_template(tmpl->get_object());
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    const auto* selector = object_at(o, {"spec", "selector"});
    if (!selector || selector->empty())
      e.required(FieldPath("spec.selector"), "");
    else
      validate_label_map(e, FieldPath("spec.selector"), *selector);
    check_replicas(e, o);
    const auto* tmpl = object_at(o, {"spec", "template"});
    if (!tmpl) {
      e.required(FieldPath("spec.template"), "");
      return;
    }
    json::object as_label_selector;
    if (selector) as_label_selector["matchLabels"] = *selector;
    TemplateRules rules;
    rules.selector = selector ? &as_label_selector : nullptr;
    rules.restart_policies = {"Always"};
    rules.forbid_active_deadline = true;
    validate_pod_template(e, FieldPath("spec.template"), tmpl, rules);
  });
  using namespace schema;
  t.schema =
      share(resource("", "v1", "ReplicationController", "Keeps a number of identical pods running (legacy).",
                     {{"spec",
                       object({{"replicas", integer("Desired number of pods."), 1, kPointer},
                               {"minReadySeconds", integer(), 4},
                               {"selector", string_map("Labels of the pods it owns."), 2},
                               {"template", pod_template_spec(), 3, kPointer}}),
                       2},
                      {"status", replica_status(false), 3}}));
  return t;
}

}  // namespace ukube::builtin
