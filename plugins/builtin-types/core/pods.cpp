// core/v1 Pod: the pod printer, field selectors the scheduler and kubelet rely on, the
// binding subresource, and PodSpec defaults / validation.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "common/time.h"
#include "core/pod_table.h"
#include "families.h"
#include "podspec/defaults.h"
#include "podspec/validation.h"
#include "schema/meta.h"
#include "schema/pod.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"

namespace ukube::builtin {
namespace {

std::vector<PrinterColumn> pod_columns() {
  return {
      name_column(),
      column("Ready", "string", "Ready containers out of all containers."),
      column("Status", "string", "Overall state of the pod, from its phase and its containers' states."),
      column("Restarts", "string", "Container restarts, and how long ago the last one was."),
      age_column(),
      column("IP", "string", "The pod's IP address.", 1, ".status.podIP"),
      column("Node", "string", "Node the pod is bound to.", 1, ".spec.nodeName"),
      column("Nominated Node", "string", "Node the scheduler plans to run the pod on after preemption.", 1,
             ".status.nominatedNodeName"),
      column("Readiness Gates", "string", "Satisfied readiness gates out of all of them.", 1),
  };
}

std::string pod_ip(const json::object& o) {
  if (const auto* ips = array_at(o, {"status", "podIPs"}); ips && !ips->empty() && (*ips)[0].is_object())
    return string_at((*ips)[0].get_object(), {"ip"});
  return string_at(o, {"status", "podIP"});
}

// POST pods/<name>/binding with a Binding: assigns the pod to target.name.
json::object bind(const json::object& pod, const json::object& binding) {
  const std::string name = string_at(pod, {"metadata", "name"});
  std::vector<FieldError> out;
  Errors e(out);
  std::string node = string_at(binding, {"target", "name"});
  std::string kind = string_at(binding, {"target", "kind"});
  if (node.empty()) e.required(FieldPath("target.name"), "");
  if (!kind.empty() && kind != "Node") e.unsupported(FieldPath("target.kind"), kind, {"Node"});
  if (!out.empty())
    throw ApiError::invalid({"", "v1", "Binding"}, string_at(binding, {"metadata", "name"}, name), out);

  std::string uid = string_at(binding, {"metadata", "uid"});
  if (!uid.empty() && uid != string_at(pod, {"metadata", "uid"}))
    throw ApiError::conflict("pods/binding", name,
                             "Precondition failed: UID in precondition: " + uid +
                                 ", UID in object meta: " + string_at(pod, {"metadata", "uid"}));
  if (!string_at(pod, {"metadata", "deletionTimestamp"}).empty())
    throw ApiError::conflict("pods/binding", name,
                             "pod " + name + " is being deleted, cannot be assigned to a host");
  std::string current = string_at(pod, {"spec", "nodeName"});
  if (!current.empty())
    throw ApiError::conflict("pods/binding", name,
                             "pod " + name + " is already assigned to node " + quote(current));

  json::object out_pod = pod;
  child(out_pod, "spec")["nodeName"] = node;
  // Annotations on the Binding are copied onto the pod.
  if (const auto* ann = object_at(binding, {"metadata", "annotations"}); ann && !ann->empty()) {
    auto& dst = child(child(out_pod, "metadata"), "annotations");
    for (const auto& a : *ann) dst[a.key()] = a.value();
  }
  // As upstream's binding does: the pod now says it is scheduled.
  machinery::set_condition(machinery::child_array(child(out_pod, "status"), "conditions"),
                           {{"type", "PodScheduled"}, {"status", "True"}, {"lastProbeTime", nullptr}},
                           format_time(Clock::now()));
  return out_pod;
}

}  // namespace

// Upstream's pod CheckGracefulDelete: the request's period, else the pod's
// terminationGracePeriodSeconds; immediate for pods no kubelet runs (unscheduled) or that
// already ended.
int64_t pod_grace_period(const json::object& pod, std::optional<int64_t> requested) {
  if (string_at(pod, {"spec", "nodeName"}).empty()) return 0;
  const std::string phase = string_at(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return 0;
  if (requested) return *requested;
  const auto* spec = object_at(pod, {"spec"});
  const auto* period = spec ? spec->if_contains("terminationGracePeriodSeconds") : nullptr;
  return period && period->is_int64() ? period->get_int64() : 0;
}

TypeInfo pods_type() {
  TypeInfo t = make_type("", "v1", "Pod", "pods", true, {"po"}, {"all"});
  t.status_subresource = true;
  t.extra_subresources = {"binding", "log", "exec", "attach", "portforward", "proxy"};
  t.subresource_writers["binding"] = bind;
  t.printer_columns = pod_columns();
  t.table_row = at_call_time(pod_row);
  t.grace_period = pod_grace_period;

  auto spec_field = [](const char* f) {
    return [f](const json::object& o) { return string_at(o, {"spec", f}); };
  };
  t.selectable_fields = {
      {"spec.nodeName", spec_field("nodeName")},
      {"spec.restartPolicy", spec_field("restartPolicy")},
      {"spec.schedulerName", spec_field("schedulerName")},
      {"spec.serviceAccountName", spec_field("serviceAccountName")},
      {"spec.hostNetwork",
       [](const json::object& o) {
         return bool_at(o, {"spec", "hostNetwork"}).value_or(false) ? "true" : "false";
       }},
      {"status.phase",
       [](const json::object& o) {
         return string_at(o, {"status", "phase"});
       }},
      {"status.podIP", pod_ip},
      {"status.nominatedNodeName",
       [](const json::object& o) {
         return string_at(o, {"status", "nominatedNodeName"});
       }},
  };

  t.defaulters.push_back(default_pod);
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    const auto* spec = object_at(o, {"spec"});
    if (!spec) {
      e.required(FieldPath("spec.containers"), "");
      return;
    }
    validate_pod_spec(e, FieldPath("spec"), *spec);
    if (old)
      if (const auto* old_spec = object_at(*old, {"spec"})) validate_pod_spec_update(e, *spec, *old_spec);
  });

  using namespace schema;
  t.schema = share(resource("", "v1", "Pod", "A group of containers scheduled together onto one node.",
                            {{"spec", pod_spec(), 2}, {"status", pod_status(), 3}}));
  return t;
}

TypeInfo podtemplates_type() {
  TypeInfo t = make_type("", "v1", "PodTemplate", "podtemplates", true);
  t.printer_columns = {name_column(), column("Containers", "string", "Names of the template's containers."),
                       column("Images", "string", "Images of the template's containers."),
                       column("Pod Labels", "string", "Labels of the pods made from the template.")};
  t.table_row = [](const json::object& o) {
    const auto* spec = object_at(o, {"template", "spec"});
    return json::array{name_of(o), container_names(spec), container_images(spec),
                       format_labels(object_at(o, {"template", "metadata", "labels"}))};
  };
  t.defaulters.push_back([](json::object& o) { default_pod_template(child(o, "template")); });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    validate_pod_template(e, FieldPath("template"), object_at(o, {"template"}), {});
  });
  using namespace schema;
  t.schema = share(resource("", "v1", "PodTemplate", "A reusable description of pods.",
                            {{"template", pod_template_spec(), 2}}));
  return t;
}

}  // namespace ukube::builtin
