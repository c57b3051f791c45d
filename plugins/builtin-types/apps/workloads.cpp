#include "apps/workloads.h"

#include <algorithm>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/labels.h"
#include "common/table.h"
#include "podspec/validation.h"
#include "schema/meta.h"

namespace ukube::builtin {

void validate_selector_and_template(Errors& e, const json::object& o, const std::string& kind_lower,
                                    std::vector<std::string> restart_policies, bool forbid_active_deadline) {
  const json::object* selector = object_at(o, {"spec", "selector"});
  FieldPath sp("spec.selector");
  if (!selector) {
    e.required(sp, "");
  } else {
    if (selector_is_empty(*selector))
      e.invalid(sp, go_label_selector(selector), "empty selector is invalid for " + kind_lower);
    validate_label_selector(e, sp, *selector);
  }
  TemplateRules rules;
  rules.selector = selector;
  rules.restart_policies = std::move(restart_policies);
  rules.forbid_active_deadline = forbid_active_deadline;
  validate_pod_template(e, FieldPath("spec.template"), object_at(o, {"spec", "template"}), rules);
}

void check_selector_immutable(Errors& e, const json::object& o, const json::object* old) {
  if (!old) return;
  const auto* before = object_at(*old, {"spec", "selector"});
  const auto* after = object_at(o, {"spec", "selector"});
  if (before && (!after || *before != *after))
    e.invalid(FieldPath("spec.selector"), go_label_selector(after), "field is immutable");
}

void default_replicas(json::object& spec) {
  set_default(spec, "replicas", 1);
}

void check_replicas(Errors& e, const json::object& o) {
  if (const auto* spec = object_at(o, {"spec"})) check_non_negative(e, FieldPath("spec"), *spec, "replicas");
}

namespace {
const json::object* template_spec(const json::object& o, std::initializer_list<std::string_view> tmpl) {
  const json::object* cur = &o;
  for (auto key : tmpl) {
    cur = object_at(*cur, {key});
    if (!cur) return nullptr;
  }
  return object_at(*cur, {"spec"});
}
}  // namespace

std::string template_containers(const json::object& o, std::initializer_list<std::string_view> tmpl) {
  return container_names(template_spec(o, tmpl));
}

std::string template_images(const json::object& o, std::initializer_list<std::string_view> tmpl) {
  return container_images(template_spec(o, tmpl));
}

std::string selector_cell(const json::object& o) {
  return selector_string(object_at(o, {"spec", "selector"}));
}

std::vector<PrinterColumn> containers_images_selector_columns(bool with_selector) {
  std::vector<PrinterColumn> out = {
      column("Containers", "string", "Names of the containers in the pod template.", 1),
      column("Images", "string", "Images of the containers in the pod template.", 1),
  };
  if (with_selector) out.push_back(column("Selector", "string", "Label selector of the pods it owns.", 1));
  return out;
}

ScaleSpec replicas_scale() {
  return ScaleSpec{"spec.replicas", "status.replicas", "spec.selector"};
}

schema::Schema workload_conditions(bool with_update_time) {
  using namespace schema;
  if (with_update_time)
    return conditions({{"lastUpdateTime", date_time("When the condition was last refreshed."), 6}}, {},
                      ConditionTags{.last_transition_time = 7, .reason = 4, .message = 5});
  return conditions({}, {}, ConditionTags{.last_transition_time = 3, .reason = 4, .message = 5});
}

}  // namespace ukube::builtin

namespace ukube::builtin {

int64_t check_int_or_percent(Errors& e, const FieldPath& p, const json::value* v) {
  if (!v || v->is_null()) return -1;
  if (auto n = as_int(*v)) {
    if (*n < 0) {
      e.invalid_int(p, *n, "must be greater than or equal to 0");
      return -1;
    }
    return *n;
  }
  std::string_view s = as_string(*v);
  bool ok = s.size() >= 2 && s.back() == '%' &&
            std::all_of(s.begin(), s.end() - 1, [](char c) { return c >= '0' && c <= '9'; });
  if (!ok) {
    e.invalid(
        p, quote(s),
        "a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', "
        "regex used for validation is '[0-9]+%')");
    return -1;
  }
  int64_t pct = std::stoll(std::string(s.substr(0, s.size() - 1)));
  if (pct > 100) {
    e.invalid(p, quote(s), "must not be greater than 100%");
    return -1;
  }
  return pct;
}

}  // namespace ukube::builtin
