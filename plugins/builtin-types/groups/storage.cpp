// storage.k8s.io/v1: StorageClass, CSIDriver, CSINode and VolumeAttachment, with upstream's
// defaults, the rules kubectl users meet, and `kubectl get` tables. Their controllers (the
// provisioners, attach/detach) come with the storage drivers.
#include <boost/json.hpp>

#include "common/field_errors.h"
#include "common/json.h"
#include "common/names.h"
#include "common/table.h"
#include "families.h"
#include "schema/meta.h"

namespace ukube::builtin {
namespace {

constexpr const char* kDefaultClassAnnotation = "storageclass.kubernetes.io/is-default-class";
constexpr const char* kBetaDefaultClassAnnotation = "storageclass.beta.kubernetes.io/is-default-class";

bool is_default_class(const json::object& sc) {
  return string_at(sc, {"metadata", "annotations", kDefaultClassAnnotation}) == "true" ||
         string_at(sc, {"metadata", "annotations", kBetaDefaultClassAnnotation}) == "true";
}

bool flag(const json::object& o, Path path, bool fallback) {
  return bool_at(o, path).value_or(fallback);
}

// Upstream forbids changing these of a StorageClass, each with its own message.
void check_class_update(Errors& e, const json::object& sc, const json::object& old) {
  for (const char* field : {"parameters", "provisioner", "reclaimPolicy"}) {
    const json::value* now = sc.if_contains(field);
    const json::value* before = old.if_contains(field);
    const bool same =
        (!now || now->is_null()) == (!before || before->is_null()) && (!now || !before || *now == *before);
    if (!same) e.forbidden(FieldPath(field), std::string("updates to ") + field + " are forbidden.");
  }
  if (string_at(sc, {"volumeBindingMode"}) != string_at(old, {"volumeBindingMode"}))
    e.invalid(FieldPath("volumeBindingMode"), quote(string_at(sc, {"volumeBindingMode"})),
              "field is immutable");
}

schema::Schema topology_terms() {
  using namespace schema;
  Schema requirement = object({{"key", string(), 1, kAlways}, {"values", atomic_list(string()), 2}});
  return atomic_list(atomic_struct(object({{"matchLabelExpressions", atomic_list(requirement), 1}})));
}

}  // namespace

TypeInfo storageclasses_type() {
  TypeInfo t = make_type("storage.k8s.io", "v1", "StorageClass", "storageclasses", false, {"sc"});
  t.printer_columns = {
      name_column(),
      column("Provisioner", "string", "Who provisions volumes of this class.", 0, ".provisioner"),
      column("ReclaimPolicy", "string", "What happens to a released volume.", 0, ".reclaimPolicy"),
      column("VolumeBindingMode", "string", "When volumes are bound and provisioned.", 0,
             ".volumeBindingMode"),
      column("AllowVolumeExpansion", "string", "Whether claims may grow.", 0, ".allowVolumeExpansion"),
      age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string name = name_of(o);
    if (is_default_class(o)) name += " (default)";
    const std::string reclaim = string_at(o, {"reclaimPolicy"});
    const std::string binding = string_at(o, {"volumeBindingMode"});
    return json::array{name,
                       string_at(o, {"provisioner"}),
                       reclaim.empty() ? "Delete" : reclaim,
                       binding.empty() ? "Immediate" : binding,
                       flag(o, {"allowVolumeExpansion"}, false),
                       age_cell(o, now)};
  });
  t.defaulters.push_back([](json::object& o) {
    set_default(o, "reclaimPolicy", "Delete");
    set_default(o, "volumeBindingMode", "Immediate");
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    const std::string provisioner = string_at(o, {"provisioner"});
    if (provisioner.empty())
      e.required(FieldPath("provisioner"));
    else
      report(e, FieldPath("provisioner"), provisioner,
             machinery::qualified_name_errors(machinery::ascii_lower(provisioner)));
    const std::string reclaim = string_at(o, {"reclaimPolicy"});
    if (reclaim != "Delete" && reclaim != "Retain")
      e.unsupported(FieldPath("reclaimPolicy"), reclaim, {"Delete", "Retain"});
    const std::string binding = string_at(o, {"volumeBindingMode"});
    if (binding.empty())
      e.required(FieldPath("volumeBindingMode"));
    else if (binding != "Immediate" && binding != "WaitForFirstConsumer")
      e.unsupported(FieldPath("volumeBindingMode"), binding, {"Immediate", "WaitForFirstConsumer"});
    if (old) check_class_update(e, o, *old);
  });
  using namespace schema;
  t.schema = share(resource(
      "storage.k8s.io", "v1", "StorageClass", "A class of dynamically provisioned volumes.",
      {{"provisioner", string("The volume plugin that provisions volumes of this class."), 2, kAlways},
       {"parameters", string_map("Parameters for the provisioner."), 3},
       {"reclaimPolicy", string("Delete or Retain; default Delete."), 4, kPointer},
       {"mountOptions", atomic_list(string()), 5},
       {"allowVolumeExpansion", boolean("Whether claims of this class may grow."), 6, kPointer},
       {"volumeBindingMode", string("Immediate or WaitForFirstConsumer; default Immediate."), 7, kPointer},
       {"allowedTopologies", topology_terms(), 8}}));
  return t;
}

TypeInfo csidrivers_type() {
  TypeInfo t = make_type("storage.k8s.io", "v1", "CSIDriver", "csidrivers", false);
  t.printer_columns = {
      name_column(),
      column("AttachRequired", "boolean", "Whether volumes need attaching before mount."),
      column("PodInfoOnMount", "boolean", "Whether mounts receive the pod's identity."),
      column("StorageCapacity", "boolean", "Whether the driver reports capacity."),
      column("TokenRequests", "string", "Audiences of the tokens passed to the driver."),
      column("RequiresRepublish", "boolean", "Whether volumes are mounted again periodically."),
      column("Modes", "string", "Volume lifecycle modes supported."),
      age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::vector<std::string> modes = machinery::strings_at(o, {"spec", "volumeLifecycleModes"});
    std::vector<std::string> audiences;
    for_each_object(array_at(o, {"spec", "tokenRequests"}),
                    [&](const json::object& r, size_t) { audiences.push_back(string_at(r, {"audience"})); });
    return json::array{name_of(o),
                       flag(o, {"spec", "attachRequired"}, true),
                       flag(o, {"spec", "podInfoOnMount"}, false),
                       flag(o, {"spec", "storageCapacity"}, false),
                       audiences.empty() ? "<unset>" : join(audiences),
                       flag(o, {"spec", "requiresRepublish"}, false),
                       modes.empty() ? "<none>" : join(modes),
                       age_cell(o, now)};
  });
  t.defaulters.push_back([](json::object& o) {
    json::object& spec = machinery::child(o, "spec");
    set_default(spec, "attachRequired", true);
    set_default(spec, "podInfoOnMount", false);
    set_default(spec, "storageCapacity", false);
    set_default(spec, "fsGroupPolicy", "ReadWriteOnceWithFSType");
    set_default(spec, "requiresRepublish", false);
    set_default(spec, "seLinuxMount", false);
    if (!is_set(spec, "volumeLifecycleModes")) spec["volumeLifecycleModes"] = json::array{"Persistent"};
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    const FieldPath sp("spec");
    const std::string policy = string_at(o, {"spec", "fsGroupPolicy"});
    if (policy != "ReadWriteOnceWithFSType" && policy != "File" && policy != "None")
      e.unsupported(sp.child("fsGroupPolicy"), policy, {"File", "None", "ReadWriteOnceWithFSType"});
    for (const auto& mode : machinery::strings_at(o, {"spec", "volumeLifecycleModes"}))
      if (mode != "Persistent" && mode != "Ephemeral")
        e.unsupported(sp.child("volumeLifecycleModes"), mode, {"Ephemeral", "Persistent"});
    if (old && bool_at(o, {"spec", "attachRequired"}) != bool_at(*old, {"spec", "attachRequired"}))
      e.invalid(sp.child("attachRequired"),
                bool_at(o, {"spec", "attachRequired"}).value_or(true) ? "true" : "false",
                "field is immutable");
  });
  using namespace schema;
  Schema token_request =
      object({{"audience", string(), 1, kAlways}, {"expirationSeconds", int64(), 2, kPointer}});
  t.schema = share(resource("storage.k8s.io", "v1", "CSIDriver",
                            "What the cluster knows of an installed CSI driver.",
                            {{"spec",
                              object({{"attachRequired", boolean(), 1, kPointer},
                                      {"podInfoOnMount", boolean(), 2, kPointer},
                                      {"volumeLifecycleModes", set_list(string()), 3},
                                      {"storageCapacity", boolean(), 4, kPointer},
                                      {"fsGroupPolicy", string(), 5, kPointer},
                                      {"tokenRequests", atomic_list(token_request), 6},
                                      {"requiresRepublish", boolean(), 7, kPointer},
                                      {"seLinuxMount", boolean(), 8, kPointer}}),
                              2}}));
  return t;
}

TypeInfo csinodes_type() {
  TypeInfo t = make_type("storage.k8s.io", "v1", "CSINode", "csinodes", false);
  t.printer_columns = {name_column(), column("Drivers", "integer", "CSI drivers installed on the node."),
                       age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    const json::array* drivers = array_at(o, {"spec", "drivers"});
    return json::array{name_of(o), static_cast<int64_t>(drivers ? drivers->size() : 0), age_cell(o, now)};
  });
  using namespace schema;
  Schema driver = object({{"name", string(), 1, kAlways},
                          {"nodeID", string(), 2, kAlways},
                          {"topologyKeys", atomic_list(string()), 3},
                          {"allocatable", object({{"count", integer(), 1, kPointer}}), 4, kPointer}});
  t.schema = share(resource("storage.k8s.io", "v1", "CSINode", "The CSI drivers installed on a node.",
                            {{"spec", object({{"drivers", map_list(driver, {"name"}), 1}}), 2}}));
  return t;
}

TypeInfo volumeattachments_type() {
  TypeInfo t = make_type("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", false);
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Attacher", "string", "The driver that attaches the volume.", 0, ".spec.attacher"),
      column("PV", "string", "The persistent volume attached.", 0, ".spec.source.persistentVolumeName"),
      column("Node", "string", "The node it is attached to.", 0, ".spec.nodeName"),
      column("Attached", "boolean", "Whether the attach succeeded.", 0, ".status.attached"),
      age_column()};
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    return json::array{name_of(o),
                       string_at(o, {"spec", "attacher"}),
                       string_at(o, {"spec", "source", "persistentVolumeName"}),
                       string_at(o, {"spec", "nodeName"}),
                       flag(o, {"status", "attached"}, false),
                       age_cell(o, now)};
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    const FieldPath sp("spec");
    if (string_at(o, {"spec", "attacher"}).empty()) e.required(sp.child("attacher"));
    if (string_at(o, {"spec", "nodeName"}).empty()) e.required(sp.child("nodeName"));
    const json::object* source = object_at(o, {"spec", "source"});
    const bool pv = source && is_set(*source, "persistentVolumeName");
    const bool inline_spec = source && is_set(*source, "inlineVolumeSpec");
    constexpr const char* kExactlyOne =
        "must specify exactly one of inlineVolumeSpec and persistentVolumeName";
    if (!pv && !inline_spec) e.required(sp.child("source"), kExactlyOne);
    if (pv && inline_spec) e.forbidden(sp.child("source"), kExactlyOne);
  });
  using namespace schema;
  Schema error =
      object({{"time", date_time(), 1}, {"message", string(), 2}, {"errorCode", integer(), 3, kPointer}});
  t.schema = share(resource(
      "storage.k8s.io", "v1", "VolumeAttachment", "A request to attach a volume to a node.",
      {{"spec",
        object({{"attacher", string(), 1, kAlways},
                {"source",
                 object({{"persistentVolumeName", string(), 1, kPointer},
                         {"inlineVolumeSpec", preserve("A PersistentVolumeSpec to attach."), 2, kPointer}}),
                 2, kAlways},
                {"nodeName", string(), 3, kAlways}}),
        2},
       {"status",
        object({{"attached", boolean(), 1, kAlways},
                {"attachmentMetadata", string_map(), 2},
                {"attachError", error, 3, kPointer},
                {"detachError", error, 4, kPointer}}),
        3}}));
  return t;
}

}  // namespace ukube::builtin
