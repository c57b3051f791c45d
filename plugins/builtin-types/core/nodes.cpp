// core/v1 Node: cluster-scoped; STATUS from the Ready condition, ROLES from node-role labels.
#include <algorithm>
#include <optional>
#include <set>

#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"
#include "ukube/machinery/cidr.h"

namespace ukube::builtin {
namespace {

std::string node_status(const json::object& node) {
  std::string status;
  for_each_object(array_at(node, {"status", "conditions"}), [&](const json::object& c, size_t) {
    if (string_at(c, {"type"}) == "Ready") status = string_at(c, {"status"}) == "True" ? "Ready" : "NotReady";
  });
  if (status.empty()) status = "Unknown";
  if (bool_at(node, {"spec", "unschedulable"}).value_or(false)) status += ",SchedulingDisabled";
  return status;
}

std::string node_roles(const json::object& node) {
  std::set<std::string> roles;
  if (const auto* labels = object_at(node, {"metadata", "labels"})) {
    constexpr std::string_view kPrefix = "node-role.kubernetes.io/";
    for (const auto& l : *labels) {
      std::string_view key(l.key().data(), l.key().size());
      if (key.starts_with(kPrefix) && key.size() > kPrefix.size())
        roles.insert(std::string(key.substr(kPrefix.size())));
      else if (key == "kubernetes.io/role" && !as_string(l.value()).empty())
        roles.insert(std::string(as_string(l.value())));
    }
  }
  return or_none(join({roles.begin(), roles.end()}));
}

std::string node_address(const json::object& node, std::string_view type) {
  std::string out;
  for_each_object(array_at(node, {"status", "addresses"}), [&](const json::object& a, size_t) {
    if (out.empty() && string_at(a, {"type"}) == type) out = string_at(a, {"address"});
  });
  return or_none(out);
}

std::string info_or_unknown(const json::object& node, std::string_view field) {
  std::string v = string_at(node, {"status", "nodeInfo", field});
  return v.empty() ? "<unknown>" : v;
}

// upstream's v1 conversion of NodeSpec: podCIDRs is the truth and podCIDR its first entry;
// a client that sets podCIDR alone gets podCIDRs from it.
void default_pod_cidrs(json::object& node) {
  auto* spec = node.if_contains("spec");
  if (!spec || !spec->is_object()) return;
  json::object& s = spec->as_object();
  const auto cidrs = machinery::strings_at(s, {"podCIDRs"});
  const std::string single = string_at(s, {"podCIDR"});
  if (!cidrs.empty())
    s["podCIDR"] = cidrs.front();
  else if (!single.empty())
    s["podCIDRs"] = json::array{json::value(single)};
}

// upstream's ValidateNode and ValidateNodeUpdate for spec.podCIDRs.
void validate_pod_cidrs(Errors& e, const json::object& node, const json::object* old) {
  const FieldPath path("spec.podCIDRs");
  const auto cidrs = machinery::strings_at(node, {"spec", "podCIDRs"});
  const auto before = old ? machinery::strings_at(*old, {"spec", "podCIDRs"}) : std::vector<std::string>{};
  std::vector<std::optional<machinery::Cidr>> parsed;
  for (size_t i = 0; i < cidrs.size(); ++i) {
    parsed.push_back(machinery::parse_cidr(cidrs[i]));
    // A value stored before is let through, as upstream's legacy-field check does.
    if (!parsed.back() && std::find(before.begin(), before.end(), cidrs[i]) == before.end())
      e.invalid(path.index(i), quote(cidrs[i]),
                "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
  }
  if (cidrs.size() > 1) {
    const bool dual_stack = cidrs.size() == 2 && parsed[0] && parsed[1] && parsed[0]->ipv6 != parsed[1]->ipv6;
    if (!dual_stack)
      e.invalid(path, go_strings(cidrs), "may specify no more than one CIDR for each IP family");
  }
  std::set<std::string> seen;
  for (size_t i = 0; i < cidrs.size(); ++i)
    if (!seen.insert(cidrs[i]).second) e.duplicate(path.index(i), quote(cidrs[i]));
  // A node's pod CIDRs are fixed once allocated.
  if (before.empty()) return;
  constexpr std::string_view kFixed = "node updates may not change podCIDR except from \"\" to valid";
  if (before.size() != cidrs.size()) {
    e.forbidden(path, kFixed);
    return;
  }
  for (size_t i = 0; i < before.size(); ++i)
    if (before[i] != cidrs[i]) e.forbidden(path, kFixed);
}

}  // namespace

TypeInfo nodes_type() {
  TypeInfo t = make_type("", "v1", "Node", "nodes", false, {"no"});
  t.status_subresource = true;
  t.extra_subresources = {"proxy"};
  t.printer_columns = {
      name_column(),
      column("Status", "string", "Readiness of the node, and whether it takes new pods."),
      column("Roles", "string", "Roles from the node-role.kubernetes.io/<role> labels."),
      age_column(),
      column("Version", "string", "Kubelet version the node reports.", 0, ".status.nodeInfo.kubeletVersion"),
      column("Internal-IP", "string", "First internal address of the node.", 1),
      column("External-IP", "string", "First external address of the node.", 1),
      column("OS-Image", "string", "Operating system image of the node.", 1, ".status.nodeInfo.osImage"),
      column("Kernel-Version", "string", "Kernel the node runs.", 1, ".status.nodeInfo.kernelVersion"),
      column("Container-Runtime", "string", "Container runtime name and version.", 1,
             ".status.nodeInfo.containerRuntimeVersion"),
  };
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o),
                       node_status(o),
                       node_roles(o),
                       age_cell(o, now),
                       string_at(o, {"status", "nodeInfo", "kubeletVersion"}),
                       node_address(o, "InternalIP"),
                       node_address(o, "ExternalIP"),
                       info_or_unknown(o, "osImage"),
                       info_or_unknown(o, "kernelVersion"),
                       info_or_unknown(o, "containerRuntimeVersion")};
  });
  t.selectable_fields.push_back(
      {"spec.unschedulable", [](const json::object& o) {
         return bool_at(o, {"spec", "unschedulable"}).value_or(false) ? "true" : "false";
       }});
  t.defaulters.push_back(default_pod_cidrs);
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    for_each_object(array_at(o, {"spec", "taints"}), [&](const json::object& taint, size_t i) {
      FieldPath p = FieldPath("spec.taints").index(i);
      std::string key = string_at(taint, {"key"});
      if (key.empty())
        e.required(p.child("key"), "");
      else
        report(e, p.child("key"), key, qualified_name_errors(key));
      std::string effect = string_at(taint, {"effect"});
      if (effect.empty())
        e.required(p.child("effect"), "");
      else if (effect != "NoSchedule" && effect != "PreferNoSchedule" && effect != "NoExecute")
        e.unsupported(p.child("effect"), effect, {"NoExecute", "NoSchedule", "PreferNoSchedule"});
    });
    validate_pod_cidrs(e, o, old);
  });

  using namespace schema;
  Schema taint = object({{"key", string(), 1, kAlways},
                         {"value", string(), 2},
                         {"effect", string("NoSchedule, PreferNoSchedule or NoExecute."), 3, kAlways},
                         {"timeAdded", date_time(), 4, kPointer}});
  Schema node_info = open_object({
      {"machineID", string(), 1, kAlways},
      {"systemUUID", string(), 2, kAlways},
      {"bootID", string(), 3, kAlways},
      {"kernelVersion", string(), 4, kAlways},
      {"osImage", string(), 5, kAlways},
      {"containerRuntimeVersion", string(), 6, kAlways},
      {"kubeletVersion", string(), 7, kAlways},
      {"kubeProxyVersion", string(), 8, kAlways},
      {"operatingSystem", string(), 9, kAlways},
      {"architecture", string(), 10, kAlways},
      {"swap", object({{"capacity", int64("Swap memory in bytes."), 1, kPointer}}), 11, kPointer},
  });
  Schema status = open_object({
      {"capacity", quantity_map("Total resources of the node."), 1},
      {"allocatable", quantity_map("Resources available to pods."), 2},
      {"phase", string(), 3},
      {"conditions", conditions({{"lastHeartbeatTime", date_time(), 3}}, {}, kCoreCondition), 4},
      {"addresses",
       map_list(object({{"type", string(), 1, kAlways}, {"address", string(), 2, kAlways}}), {"type"}), 5},
      {"daemonEndpoints", object({{"kubeletEndpoint", object({{"Port", integer(), 1, kAlways}}), 1}}), 6},
      {"nodeInfo", node_info, 7},
      {"images",
       atomic_list(object({{"names", atomic_list(string()), 1, kAlways}, {"sizeBytes", int64(), 2}})), 8},
      {"volumesInUse", atomic_list(string()), 9},
      {"volumesAttached",
       atomic_list(object({{"name", string(), 1, kAlways}, {"devicePath", string(), 2, kAlways}})), 10},
      {"config", preserve()},
      {"runtimeHandlers",
       atomic_list(object({{"name", string(), 1, kAlways},
                           {"features",
                            object({{"recursiveReadOnlyMounts", boolean(), 1, kPointer},
                                    {"userNamespaces", boolean(), 2, kPointer}}),
                            2, kPointer}})),
       12},
      {"features", object({{"supplementalGroupsPolicy", boolean(), 1, kPointer}}), 13, kPointer},
  });
  t.schema = share(resource("", "v1", "Node", "A machine that runs pods.",
                            {{"spec",
                              object({{"podCIDR", string(), 1},
                                      {"podCIDRs", set_list(string(), {}, true), 7},
                                      {"providerID", string(), 3},
                                      {"unschedulable", boolean("Keeps new pods off the node."), 4},
                                      {"taints", atomic_list(taint), 5},
                                      {"configSource", preserve()},
                                      {"externalID", string(), 2}}),
                              2},
                             {"status", status, 3}}));
  return t;
}

}  // namespace ukube::builtin
