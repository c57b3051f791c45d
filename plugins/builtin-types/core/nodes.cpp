// core/v1 Node: cluster-scoped; STATUS from the Ready condition, ROLES from node-role labels.
#include <set>

#include <boost/json.hpp>

#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

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

}  // namespace

TypeInfo nodes_type() {
  TypeInfo t = make_type("", "v1", "Node", "nodes", false, {"no"});
  t.status_subresource = true;
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
    // A node's pod CIDRs are fixed once allocated.
    if (old) {
      std::string before = string_at(*old, {"spec", "podCIDR"}), after = string_at(o, {"spec", "podCIDR"});
      if (!before.empty() && before != after)
        e.forbidden(FieldPath("spec.podCIDRs"),
                    "node updates may not change podCIDR except from \"\" to valid");
    }
  });

  using namespace schema;
  Schema taint = object({{"key", string()},
                         {"value", string()},
                         {"effect", string("NoSchedule, PreferNoSchedule or NoExecute.")},
                         {"timeAdded", date_time()}});
  Schema node_info = open_object({
      {"machineID", string()},
      {"systemUUID", string()},
      {"bootID", string()},
      {"kernelVersion", string()},
      {"osImage", string()},
      {"containerRuntimeVersion", string()},
      {"kubeletVersion", string()},
      {"kubeProxyVersion", string()},
      {"operatingSystem", string()},
      {"architecture", string()},
      {"swap", preserve()},
  });
  Schema status = open_object({
      {"capacity", quantity_map("Total resources of the node.")},
      {"allocatable", quantity_map("Resources available to pods.")},
      {"phase", string()},
      {"conditions", conditions({{"lastHeartbeatTime", date_time()}})},
      {"addresses", map_list(object({{"type", string()}, {"address", string()}}), {"type"})},
      {"daemonEndpoints", object({{"kubeletEndpoint", object({{"Port", integer()}})}})},
      {"nodeInfo", node_info},
      {"images", atomic_list(object({{"names", atomic_list(string())}, {"sizeBytes", int64()}}))},
      {"volumesInUse", atomic_list(string())},
      {"volumesAttached", atomic_list(object({{"name", string()}, {"devicePath", string()}}))},
      {"config", preserve()},
      {"runtimeHandlers", atomic_list(preserve())},
      {"features", preserve()},
  });
  t.schema = share(resource("", "v1", "Node", "A machine that runs pods.",
                            {{"spec", object({{"podCIDR", string()},
                                              {"podCIDRs", set_list(string(), {}, true)},
                                              {"providerID", string()},
                                              {"unschedulable", boolean("Keeps new pods off the node.")},
                                              {"taints", atomic_list(taint)},
                                              {"configSource", preserve()},
                                              {"externalID", string()}})},
                             {"status", status}}));
  return t;
}

}  // namespace ukube::builtin
