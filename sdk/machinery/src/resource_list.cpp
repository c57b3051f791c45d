#include "ukube/machinery/resource_list.h"

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/machinery/json.h"

#include <functional>

namespace ukube::machinery {

ResourceList parse_resource_list(const json::object* list) {
  ResourceList out;
  if (!list) return out;
  for (const auto& kv : *list)
    if (auto q = Quantity::from_json(kv.value())) out.emplace(std::string(kv.key()), *q);
  return out;
}

json::object to_json(const ResourceList& list) {
  json::object out;
  for (const auto& [name, q] : list) out[name] = q.to_string();
  return out;
}

void add_into(ResourceList& list, const ResourceList& other) {
  for (const auto& [name, q] : other) {
    auto it = list.find(name);
    if (it == list.end())
      list.emplace(name, q);
    else
      it->second += q;
  }
}

void max_into(ResourceList& list, const ResourceList& other) {
  for (const auto& [name, q] : other) {
    auto it = list.find(name);
    if (it == list.end())
      list.emplace(name, q);
    else if (q.compare(it->second) > 0)
      it->second = q;
  }
}

ResourceList add(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  add_into(out, b);
  return out;
}

ResourceList subtract(const ResourceList& a, const ResourceList& b) {
  ResourceList out = a;
  for (const auto& [name, q] : b) {
    auto it = out.find(name);
    if (it == out.end())
      out.emplace(name, Quantity() - q);
    else
      it->second -= q;
  }
  return out;
}

ResourceList subtract_non_negative(const ResourceList& a, const ResourceList& b) {
  ResourceList out;
  for (const auto& [name, q] : a) {
    Quantity d = q;
    if (auto it = b.find(name); it != b.end()) d -= it->second;
    if (!d.is_negative()) out.emplace(name, d);
  }
  return out;
}

ResourceList mask(const ResourceList& list, const ResourceNames& names) {
  ResourceList out;
  for (const auto& [name, q] : list)
    if (names.count(name)) out.emplace(name, q);
  return out;
}

ResourceList remove_zeros(const ResourceList& list) {
  ResourceList out;
  for (const auto& [name, q] : list)
    if (!q.is_zero()) out.emplace(name, q);
  return out;
}

ResourceNames names_of(const ResourceList& list) {
  ResourceNames out;
  for (const auto& [name, q] : list) out.insert(name);
  return out;
}

ResourceNames negative_names(const ResourceList& list) {
  ResourceNames out;
  for (const auto& [name, q] : list)
    if (q.is_negative()) out.insert(name);
  return out;
}

bool less_than_or_equal(const ResourceList& a, const ResourceList& b, ResourceNames* exceeded) {
  bool ok = true;
  for (const auto& [name, q] : a) {
    auto it = b.find(name);
    if (it == b.end() || q.compare(it->second) <= 0) continue;
    ok = false;
    if (exceeded) exceeded->insert(name);
  }
  return ok;
}

bool equal(const ResourceList& a, const ResourceList& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, q] : a) {
    auto it = b.find(name);
    if (it == b.end() || !(it->second == q)) return false;
  }
  return true;
}

std::string pretty_print(const ResourceList& list) {
  std::string out;
  for (const auto& [name, q] : list) {
    if (!out.empty()) out += ",";
    out += name + "=" + q.to_string();
  }
  return out;
}

std::string join_names(const ResourceNames& names, const std::string& separator) {
  std::string out;
  for (const auto& name : names) {
    if (!out.empty()) out += separator;
    out += name;
  }
  return out;
}

ResourceList container_requests(const json::object& container) {
  return parse_resource_list(object_at(container, {"resources", "requests"}));
}

ResourceList container_limits(const json::object& container) {
  return parse_resource_list(object_at(container, {"resources", "limits"}));
}

void for_each_container(json::object& pod_spec, const std::function<void(json::object&, bool init)>& fn) {
  for (const char* list : {"containers", "initContainers"}) {
    auto* v = pod_spec.if_contains(list);
    if (!v || !v->is_array()) continue;
    for (auto& c : v->get_array())
      if (c.is_object()) fn(c.get_object(), std::string_view(list) == "initContainers");
  }
}

void for_each_container(const json::object& pod_spec,
                        const std::function<void(const json::object&, bool init)>& fn) {
  for (const char* list : {"containers", "initContainers"}) {
    const auto* a = array_at(pod_spec, {list});
    if (!a) continue;
    for (const auto& c : *a)
      if (c.is_object()) fn(c.get_object(), std::string_view(list) == "initContainers");
  }
}

namespace {

ResourceList pod_total(const json::object& spec, bool with_overhead, ResourceList (*of)(const json::object&),
                       bool limits) {
  ResourceList total;
  if (const auto* containers = array_at(spec, {"containers"}))
    for (const auto& c : *containers)
      if (c.is_object()) add_into(total, of(c.get_object()));
  // Init containers run one after another, each beside the sidecars started before it;
  // sidecars keep running beside the regular containers.
  ResourceList sidecars, init_peak;
  if (const auto* inits = array_at(spec, {"initContainers"})) {
    for (const auto& c : *inits) {
      if (!c.is_object()) continue;
      ResourceList own = of(c.get_object());
      if (string_at(c.get_object(), {"restartPolicy"}) == "Always") {
        add_into(total, own);
        add_into(sidecars, own);
        max_into(init_peak, sidecars);
      } else {
        add_into(own, sidecars);
        max_into(init_peak, own);
      }
    }
  }
  max_into(total, init_peak);
  if (with_overhead) {
    ResourceList overhead = parse_resource_list(object_at(spec, {"overhead"}));
    if (!limits) {
      add_into(total, overhead);
    } else {
      // Overhead raises only the limits that are set.
      for (auto& [name, q] : total)
        if (auto it = overhead.find(name); it != overhead.end()) q += it->second;
    }
  }
  return total;
}

}  // namespace

ResourceList pod_requests(const json::object& pod_spec, bool with_overhead) {
  return pod_total(pod_spec, with_overhead, container_requests, false);
}

ResourceList pod_limits(const json::object& pod_spec, bool with_overhead) {
  return pod_total(pod_spec, with_overhead, container_limits, true);
}

}  // namespace ukube::machinery
