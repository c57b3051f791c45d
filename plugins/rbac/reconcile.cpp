#include "reconcile.h"

#include <algorithm>

#include "bootstrap_policy.h"
#include "coverage.h"
#include "json_fields.h"
#include "ukube/machinery/policy_rule.h"

namespace ukube::rbac {
namespace {

bool protected_from_updates(const json::object& existing) {
  auto annotations = string_map_at(existing, {"metadata", "annotations"});
  auto it = annotations.find(std::string(kAutoUpdateAnnotation));
  return it != annotations.end() && it->second == "false";
}

// Adds the wanted metadata map entries the object lacks; the object's own values win.
bool add_missing_entries(json::object& object, const json::object& wanted, std::string_view key) {
  const json::object* wanted_meta = object_at(wanted, {"metadata"});
  const json::object* add = wanted_meta ? object_at(*wanted_meta, {key}) : nullptr;
  if (!add || add->empty()) return false;
  json::value& meta = object["metadata"];
  if (!meta.is_object()) meta = json::object{};
  json::value& map = meta.as_object()[key];
  if (!map.is_object()) map = json::object{};
  bool changed = false;
  for (const auto& [k, v] : *add) {
    if (map.as_object().contains(k)) continue;
    map.as_object()[k] = v;
    changed = true;
  }
  return changed;
}

// Appends the wanted list entries the object's list lacks (compared whole).
bool add_missing_items(json::value& list, const json::array* wanted) {
  if (!wanted || wanted->empty()) return false;
  if (!list.is_array()) list = json::array{};
  json::array& have = list.as_array();
  bool changed = false;
  for (const json::value& item : *wanted) {
    if (std::find(have.begin(), have.end(), item) != have.end()) continue;
    have.push_back(item);
    changed = true;
  }
  return changed;
}

Reconciled finish(Reconciled r, const json::object& existing) {
  if (r.action != Reconciled::Action::None && protected_from_updates(existing))
    r.action = Reconciled::Action::Protected;
  return r;
}

json::object role_ref(const json::object& binding) {
  const json::object* ref = object_at(binding, {"roleRef"});
  if (!ref) return {};
  return json::object{{"apiGroup", string_at(*ref, {"apiGroup"})},
                      {"kind", string_at(*ref, {"kind"})},
                      {"name", string_at(*ref, {"name"})}};
}

// Subjects compare on their four fields, with an absent field equal to an empty one.
json::object normal_subject(const json::value& v) {
  const json::object* s = v.if_object();
  if (!s) return {};
  return json::object{{"kind", string_at(*s, {"kind"})},
                      {"apiGroup", string_at(*s, {"apiGroup"})},
                      {"name", string_at(*s, {"name"})},
                      {"namespace", string_at(*s, {"namespace"})}};
}

}  // namespace

Reconciled reconcile_cluster_role(const json::object& wanted, const json::object* existing) {
  if (!existing) return {Reconciled::Action::Create, wanted};
  Reconciled r{Reconciled::Action::None, *existing};
  bool changed = add_missing_entries(r.object, wanted, "annotations");
  changed |= add_missing_entries(r.object, wanted, "labels");

  std::vector<PolicyRule> missing = uncovered(parse_rules(*existing), parse_rules(wanted));
  if (!missing.empty()) {
    json::value& rules = r.object["rules"];
    if (!rules.is_array()) rules = json::array{};
    for (const auto& rule : missing) rules.as_array().push_back(rule_to_json(rule));
    changed = true;
  }

  if (const json::object* wanted_rule = object_at(wanted, {"aggregationRule"})) {
    json::value& rule = r.object["aggregationRule"];
    if (!rule.is_object()) rule = json::object{};
    changed |= add_missing_items(rule.as_object()["clusterRoleSelectors"],
                                 array_at(*wanted_rule, {"clusterRoleSelectors"}));
  }
  if (changed) r.action = Reconciled::Action::Update;
  return finish(std::move(r), *existing);
}

Reconciled reconcile_cluster_role_binding(const json::object& wanted, const json::object* existing) {
  if (!existing) return {Reconciled::Action::Create, wanted};
  if (role_ref(wanted) != role_ref(*existing))
    return finish({Reconciled::Action::Recreate, wanted}, *existing);

  Reconciled r{Reconciled::Action::None, *existing};
  bool changed = add_missing_entries(r.object, wanted, "annotations");
  changed |= add_missing_entries(r.object, wanted, "labels");

  json::array have;
  if (const json::array* subjects = array_at(*existing, {"subjects"}))
    for (const json::value& s : *subjects) have.push_back(normal_subject(s));
  if (const json::array* subjects = array_at(wanted, {"subjects"})) {
    for (const json::value& s : *subjects) {
      if (std::find(have.begin(), have.end(), normal_subject(s)) != have.end()) continue;
      json::value& list = r.object["subjects"];
      if (!list.is_array()) list = json::array{};
      list.as_array().push_back(s);
      changed = true;
    }
  }
  if (changed) r.action = Reconciled::Action::Update;
  return finish(std::move(r), *existing);
}

}  // namespace ukube::rbac
