#include "service_spec.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <map>
#include <set>

#include "ukube/errors.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/names.h"

namespace ukube::admission::service_allocator {

using machinery::bool_at;
using machinery::child;
using machinery::for_each_object;
using machinery::int_or;
using machinery::mutable_array;
using machinery::string_at;
using machinery::strings_at;

namespace {

const char* const kPolicySingle = "SingleStack";
const char* const kPolicyPrefer = "PreferDualStack";
const char* const kPolicyRequire = "RequireDualStack";

json::array to_array(const std::vector<std::string>& values) {
  json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

std::vector<std::string> families_of(const json::object& service) {
  return strings_at(service, {"spec", "ipFamilies"});
}

// Both unset, or equal.
bool same_member(const json::object& a, const json::object& b, std::string_view key) {
  const auto* x = machinery::value_at(a, {"spec", key});
  const auto* y = machinery::value_at(b, {"spec", key});
  const bool x_set = x && !x->is_null(), y_set = y && !y->is_null();
  return x_set == y_set && (!x_set || *x == *y);
}

std::set<int> port_node_ports(const json::object& service) {
  std::set<int> out;
  for_each_object(machinery::array_at(service, {"spec", "ports"}), [&](const json::object& p, size_t) {
    if (int np = static_cast<int>(int_or(p, {"nodePort"}, 0)); np > 0) out.insert(np);
  });
  return out;
}

bool externally_accessible(const json::object& service) {
  return needs_node_ports(service) || !strings_at(service, {"spec", "externalIPs"}).empty();
}

IPFamily family_named(const std::string& name) {
  return name == "IPv6" ? IPFamily::IPv6 : IPFamily::IPv4;
}

IPFamily other(IPFamily family) {
  return family == IPFamily::IPv4 ? IPFamily::IPv6 : IPFamily::IPv4;
}

// A PreferDualStack Service left as it was keeps its families, whatever the cluster serves
// now (upstream neither adds nor drops a family behind a user's back).
bool unchanged_prefer_dual_stack(const json::object& service, const json::object* old) {
  if (!old || string_at(service, {"spec", "ipFamilyPolicy"}) != kPolicyPrefer) return false;
  if (service_type(*old) != service_type(service) || is_headless(*old)) return false;
  return cluster_ips(*old) == cluster_ips(service) && families_of(*old) == families_of(service);
}

}  // namespace

std::string service_key(const json::object& service) {
  return machinery::namespace_of(service) + "/" + machinery::name_of(service);
}

int64_t revision_of(const json::object& object) {
  int64_t revision = 0;
  const std::string text = machinery::meta_string(object, "resourceVersion");
  std::from_chars(text.data(), text.data() + text.size(), revision);
  return revision;
}

FieldError invalid_field(std::string field, const std::string& shown, const std::string& detail) {
  return {"FieldValueInvalid", std::move(field), "Invalid value: " + shown + ": " + detail};
}

std::string service_type(const json::object& service) {
  std::string type = string_at(service, {"spec", "type"});
  return type.empty() ? "ClusterIP" : type;
}

bool needs_cluster_ip(const json::object& service) {
  return service_type(service) != "ExternalName";
}

bool is_headless(const json::object& service) {
  if (string_at(service, {"spec", "clusterIP"}) == "None") return true;
  auto ips = cluster_ips(service);
  return !ips.empty() && ips.front() == "None";
}

bool needs_node_ports(const json::object& service) {
  const std::string type = service_type(service);
  return type == "NodePort" || type == "LoadBalancer";
}

bool allocates_node_ports(const json::object& service) {
  const std::string type = service_type(service);
  return type == "NodePort" || (type == "LoadBalancer" &&
                                bool_at(service, {"spec", "allocateLoadBalancerNodePorts"}).value_or(true));
}

bool needs_health_check_node_port(const json::object& service) {
  return service_type(service) == "LoadBalancer" &&
         string_at(service, {"spec", "externalTrafficPolicy"}) == "Local";
}

std::vector<std::string> cluster_ips(const json::object& service) {
  return strings_at(service, {"spec", "clusterIPs"});
}

std::vector<int> node_ports(const json::object& service, bool with_health_check) {
  auto ports = port_node_ports(service);
  if (int hc = static_cast<int>(int_or(service, {"spec", "healthCheckNodePort"}, 0));
      hc > 0 && with_health_check)
    ports.insert(hc);
  return {ports.begin(), ports.end()};
}

void normalize_cluster_ips(json::object& service, const json::object* old) {
  auto& spec = child(service, "spec");
  const std::string ip = string_at(spec, {"clusterIP"});
  auto ips = strings_at(spec, {"clusterIPs"});
  if (!old) {
    // core/v1 keeps both fields; a client that sets one means both.
    if (!ip.empty() && ips.empty()) spec["clusterIPs"] = json::array{json::string(ip)};
    if (ip.empty() && !ips.empty()) spec["clusterIP"] = ips.front();
    return;
  }
  const auto old_ips = cluster_ips(*old);
  const std::string old_ip = string_at(*old, {"spec", "clusterIP"});
  // An old client that knows only clusterIP sends no clusterIPs.
  if (!old_ips.empty() && ips.empty() && old_ip == ip) {
    spec["clusterIPs"] = to_array(old_ips);
    ips = old_ips;
  }
  if (old_ip == ip) return;
  if (!old_ip.empty() && ip.empty() && ips == old_ips) {
    spec.erase("clusterIPs");  // cleared by a client that knows only clusterIP
  } else if (!ip.empty() && ips == old_ips) {
    spec["clusterIPs"] = json::array{json::string(ip)};  // changed the same way; validation judges it
  }
}

void patch_allocated_values(json::object& service, const json::object& old) {
  auto& spec = child(service, "spec");
  const auto& old_spec = machinery::object_or_empty(machinery::object_at(old, {"spec"}));
  if (needs_cluster_ip(old) && needs_cluster_ip(service)) {
    if (string_at(spec, {"clusterIP"}).empty() && machinery::is_set(old_spec, "clusterIP"))
      spec["clusterIP"] = old_spec.at("clusterIP");
    if (strings_at(spec, {"clusterIPs"}).empty() && !cluster_ips(old).empty())
      spec["clusterIPs"] = old_spec.at("clusterIPs");
  }
  if (needs_node_ports(old) && needs_node_ports(service)) {
    // A node port both versions name stays where the update put it; the others go back to
    // the port of the same name.
    std::set<int> both, before = port_node_ports(old), after = port_node_ports(service);
    std::set_intersection(before.begin(), before.end(), after.begin(), after.end(),
                          std::inserter(both, both.end()));
    std::map<std::string, int64_t> by_name;
    for_each_object(machinery::array_at(old, {"spec", "ports"}), [&](const json::object& p, size_t) {
      by_name[string_at(p, {"name"})] = int_or(p, {"nodePort"}, 0);
    });
    for_each_object(mutable_array(spec, "ports"), [&](json::object& p, size_t) {
      if (int_or(p, {"nodePort"}, 0) != 0) return;
      auto found = by_name.find(string_at(p, {"name"}));
      if (found != by_name.end() && found->second > 0 && !both.count(static_cast<int>(found->second)))
        p["nodePort"] = found->second;
    });
  }
  if (needs_health_check_node_port(old) && needs_health_check_node_port(service) &&
      int_or(spec, {"healthCheckNodePort"}, 0) == 0 && machinery::is_set(old_spec, "healthCheckNodePort"))
    spec["healthCheckNodePort"] = old_spec.at("healthCheckNodePort");
}

void drop_type_dependent_fields(json::object& service, const json::object& old) {
  auto& spec = child(service, "spec");
  if (needs_cluster_ip(old) && !needs_cluster_ip(service)) {
    if (cluster_ips(old) == cluster_ips(service)) {
      spec.erase("clusterIP");
      spec.erase("clusterIPs");
    }
    if (same_member(old, service, "ipFamilies")) spec.erase("ipFamilies");
    if (same_member(old, service, "ipFamilyPolicy")) spec.erase("ipFamilyPolicy");
  }
  if (needs_node_ports(old) && !needs_node_ports(service)) {
    // Only when the update added no node port of its own: one it asked for stays, and
    // validation refuses it.
    const auto before = port_node_ports(old), after = port_node_ports(service);
    if (std::includes(before.begin(), before.end(), after.begin(), after.end()))
      for_each_object(mutable_array(spec, "ports"), [](json::object& p, size_t) { p.erase("nodePort"); });
  }
  if (needs_health_check_node_port(old) && !needs_health_check_node_port(service) &&
      same_member(old, service, "healthCheckNodePort"))
    spec.erase("healthCheckNodePort");
  if (service_type(old) == "LoadBalancer" && service_type(service) != "LoadBalancer") {
    for (const char* key : {"allocateLoadBalancerNodePorts", "loadBalancerClass"})
      if (same_member(old, service, key)) spec.erase(key);
  }
  if (externally_accessible(old) && !externally_accessible(service) &&
      same_member(old, service, "externalTrafficPolicy"))
    spec.erase("externalTrafficPolicy");
}

void init_ip_family_fields(json::object& service, const json::object* old,
                           const std::vector<IPFamily>& families) {
  if (!needs_cluster_ip(service) || unchanged_prefer_dual_stack(service, old)) return;
  auto& spec = child(service, "spec");
  const bool selectorless = machinery::object_or_empty(machinery::object_at(spec, {"selector"})).empty();
  const bool headless = is_headless(service);
  if (string_at(spec, {"ipFamilyPolicy"}).empty()) {
    // An update keeps the policy it had; a create is single-stack, but for a headless
    // Service without selector, whose endpoints may come in either family.
    std::string before = old ? string_at(*old, {"spec", "ipFamilyPolicy"}) : "";
    if (before.empty()) before = headless && selectorless ? kPolicyRequire : kPolicySingle;
    spec["ipFamilyPolicy"] = before;
  }
  const std::string policy = string_at(spec, {"ipFamilyPolicy"});
  auto ips = strings_at(spec, {"clusterIPs"});
  auto names = strings_at(spec, {"ipFamilies"});
  std::vector<FieldError> errors;
  if (old) {
    if (policy == kPolicySingle) {
      // Single-stack on purpose: the secondary address and family go.
      if (cluster_ips(*old) == ips && ips.size() > 1) ips.resize(1);
      if (families_of(*old) == names && names.size() > 1) names.resize(1);
    } else {
      if (ips.size() < cluster_ips(*old).size())
        errors.push_back(invalid_field("spec.ipFamilyPolicy", machinery::quote(policy),
                                       "must be 'SingleStack' to release the secondary cluster IP"));
      if (names.size() < families_of(*old).size())
        errors.push_back(invalid_field("spec.ipFamilyPolicy", machinery::quote(policy),
                                       "must be 'SingleStack' to release the secondary IP family"));
    }
  }
  if (policy == kPolicySingle) {
    if (ips.size() == 2)
      errors.push_back(
          invalid_field("spec.ipFamilyPolicy", machinery::quote(policy),
                        "must be 'RequireDualStack' or 'PreferDualStack' when multiple cluster IPs are "
                        "specified"));
    if (names.size() == 2)
      errors.push_back(
          invalid_field("spec.ipFamilyPolicy", machinery::quote(policy),
                        "must be 'RequireDualStack' or 'PreferDualStack' when multiple IP families are "
                        "specified"));
  }
  const auto served = [&](IPFamily f) {
    return std::find(families.begin(), families.end(), f) != families.end();
  };
  // The families of the addresses asked for, where ipFamilies leaves them out.
  for (size_t i = 0; i < ips.size() && ips[i] != "None"; ++i) {
    if (i < names.size()) continue;
    const IPFamily family = machinery::family_of(ips[i]);
    if (served(family))
      names.emplace_back(to_string(family));
    else
      errors.push_back(invalid_field("spec.clusterIPs[" + std::to_string(i) + "]", machinery::go_strings(ips),
                                     std::string(to_string(family)) + " is not configured on this cluster"));
  }
  const std::string name = machinery::name_of(service);
  const GroupVersionKind kind{"", "v1", "Service"};
  if (!errors.empty()) throw ApiError::invalid(kind, name, errors);

  if (headless && selectorless) {
    // Any family goes: its endpoints are the user's.
    if (names.empty()) names.emplace_back(to_string(families.front()));
    if (names.size() < 2 && policy != kPolicySingle)
      names.emplace_back(to_string(other(family_named(names[0]))));
  } else {
    if (policy == kPolicyRequire && families.size() < 2)
      errors.push_back(invalid_field("spec.ipFamilyPolicy", machinery::quote(policy),
                                     "this cluster is not configured for dual-stack services"));
    for (size_t i = 0; i < names.size(); ++i)
      if (!served(family_named(names[i])))
        errors.push_back(invalid_field("spec.ipFamilies[" + std::to_string(i) + "]",
                                       machinery::quote(names[i]), "not configured on this cluster"));
    if (!errors.empty()) throw ApiError::invalid(kind, name, errors);
    if (names.empty()) names.emplace_back(to_string(families.front()));
    if (policy != kPolicySingle && names.size() == 1 && families.size() == 2)
      names.emplace_back(to_string(other(family_named(names[0]))));
  }
  spec["ipFamilies"] = to_array(names);
  if (ips.empty()) {
    spec.erase("clusterIPs");
  } else {
    spec["clusterIPs"] = to_array(ips);
  }
}

}  // namespace ukube::admission::service_allocator
