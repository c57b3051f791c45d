// core/v1 PersistentVolume and PersistentVolumeClaim.
#include <boost/json.hpp>

#include "common/json.h"
#include "common/labels.h"
#include "common/quantity.h"
#include "common/table.h"
#include "core/storage.h"
#include "families.h"
#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin {
namespace {

const std::vector<std::string> kAccessModes = {"ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce",
                                               "ReadWriteOncePod"};

// RWO,ROX,... in upstream's fixed order.
std::string access_modes_cell(const json::array* modes) {
  std::vector<std::string> out;
  auto has = [&](std::string_view m) {
    if (modes)
      for (const auto& v : *modes)
        if (as_string(v) == m) return true;
    return false;
  };
  for (auto [mode, abbrev] : {std::pair{"ReadWriteOnce", "RWO"},
                              {"ReadOnlyMany", "ROX"},
                              {"ReadWriteMany", "RWX"},
                              {"ReadWriteOncePod", "RWOP"}})
    if (has(mode)) out.push_back(abbrev);
  return join(out);
}

std::string storage_of(const json::object* list) {
  const auto* v = list ? list->if_contains("storage") : nullptr;
  return v ? quantity_text(*v) : std::string();
}

void check_access_modes(Errors& e, const FieldPath& p, const json::array* modes) {
  if (!modes || modes->empty()) {
    e.required(p, "at least 1 access mode is required");
    return;
  }
  for (const auto& m : *modes) {
    std::string_view s = as_string(m);
    if (std::find(kAccessModes.begin(), kAccessModes.end(), s) == kAccessModes.end())
      e.unsupported(p, s, kAccessModes);
  }
}

void check_storage(Errors& e, const FieldPath& p, const json::object* list) {
  const auto* v = list ? list->if_contains("storage") : nullptr;
  if (!v) {
    e.required(p.key("storage"), "");
    return;
  }
  auto q = Quantity::from_json(*v);
  if (!q)
    e.invalid(p.key("storage"), quote(quantity_text(*v)), kQuantityPattern);
  else if (q->is_negative() || q->is_zero())
    e.invalid(p.key("storage"), quote(quantity_text(*v)), "must be greater than zero");
}

const std::vector<std::string> kPvSources = {"hostPath",
                                             "local",
                                             "csi",
                                             "nfs",
                                             "iscsi",
                                             "fc",
                                             "rbd",
                                             "cephfs",
                                             "cinder",
                                             "flexVolume",
                                             "azureFile",
                                             "azureDisk",
                                             "awsElasticBlockStore",
                                             "gcePersistentDisk",
                                             "glusterfs",
                                             "flocker",
                                             "vsphereVolume",
                                             "quobyte",
                                             "photonPersistentDisk",
                                             "portworxVolume",
                                             "scaleIO",
                                             "storageos"};

}  // namespace

void validate_pvc_spec(Errors& e, const FieldPath& p, const json::object* spec) {
  const json::object empty;
  if (!spec) spec = &empty;
  check_access_modes(e, p.child("accessModes"), array_at(*spec, {"accessModes"}));
  check_storage(e, p.child("resources"), object_at(*spec, {"resources", "requests"}));
  std::string mode = string_at(*spec, {"volumeMode"});
  if (!mode.empty() && mode != "Filesystem" && mode != "Block")
    e.unsupported(p.child("volumeMode"), mode, {"Block", "Filesystem"});
  if (const auto* sel = object_at(*spec, {"selector"})) validate_label_selector(e, p.child("selector"), *sel);
}

TypeInfo persistentvolumes_type() {
  TypeInfo t = make_type("", "v1", "PersistentVolume", "persistentvolumes", false, {"pv"});
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Capacity", "string", "Size of the volume."),
      column("Access Modes", "string", "How the volume can be mounted."),
      column("Reclaim Policy", "string", "What happens to the volume when its claim goes.", 0,
             ".spec.persistentVolumeReclaimPolicy"),
      column("Status", "string", "Phase of the volume.", 0, ".status.phase"),
      column("Claim", "string", "The claim bound to the volume."),
      column("StorageClass", "string", "Storage class of the volume.", 0, ".spec.storageClassName"),
      column("VolumeAttributesClass", "string", "Volume attributes class of the volume.", 0,
             ".spec.volumeAttributesClassName"),
      column("Reason", "string", "Why the volume is in its phase.", 0, ".status.reason"),
      age_column(),
      column("VolumeMode", "string", "Filesystem or Block.", 1, ".spec.volumeMode"),
  };
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string claim;
    if (const auto* ref = object_at(o, {"spec", "claimRef"}))
      claim = string_at(*ref, {"namespace"}) + "/" + string_at(*ref, {"name"});
    return json::array{name_of(o),
                       storage_of(object_at(o, {"spec", "capacity"})),
                       access_modes_cell(array_at(o, {"spec", "accessModes"})),
                       string_at(o, {"spec", "persistentVolumeReclaimPolicy"}),
                       string_at(o, {"status", "phase"}),
                       claim,
                       string_at(o, {"spec", "storageClassName"}),
                       or_none(string_at(o, {"spec", "volumeAttributesClassName"})),
                       string_at(o, {"status", "reason"}),
                       age_cell(o, now),
                       string_at(o, {"spec", "volumeMode"})};
  });
  t.defaulters.push_back([](json::object& o) {
    auto& spec = child(o, "spec");
    set_default(spec, "persistentVolumeReclaimPolicy", "Retain");
    set_default(spec, "volumeMode", "Filesystem");
    set_default(child(o, "status"), "phase", "Pending");
  });
  t.validators.push_back([](const json::object& o, const json::object*, std::vector<FieldError>& out) {
    Errors e(out);
    const json::object empty;
    const json::object* spec = object_at(o, {"spec"});
    if (!spec) spec = &empty;
    FieldPath sp("spec");
    check_access_modes(e, sp.child("accessModes"), array_at(*spec, {"accessModes"}));
    const auto* capacity = object_at(*spec, {"capacity"});
    if (!capacity || capacity->empty())
      e.required(sp.child("capacity"), "");
    else
      check_storage(e, sp.child("capacity"), capacity);
    int sources = 0;
    for (const auto& s : kPvSources)
      if (is_set(*spec, s) && ++sources > 1)
        e.forbidden(sp.child(s), "may not specify more than 1 volume type");
    if (sources == 0) e.required(sp, "must specify a volume type");
    std::string policy = string_at(*spec, {"persistentVolumeReclaimPolicy"});
    if (policy != "Retain" && policy != "Delete" && policy != "Recycle")
      e.unsupported(sp.child("persistentVolumeReclaimPolicy"), policy, {"Delete", "Recycle", "Retain"});
    if (const auto* hp = object_at(*spec, {"hostPath"}); hp && string_at(*hp, {"path"}).empty())
      e.required(sp.child("hostPath").child("path"), "");
    if (const auto* local = object_at(*spec, {"local"})) {
      if (string_at(*local, {"path"}).empty()) e.required(sp.child("local").child("path"), "");
      if (!is_set(*spec, "nodeAffinity"))
        e.required(sp.child("nodeAffinity"), "Local volume requires node affinity");
    }
  });
  using namespace schema;
  Schema csi = object(
      {{"driver", string(), 1, kAlways},
       {"volumeHandle", string(), 2, kAlways},
       {"readOnly", boolean(), 3},
       {"fsType", string(), 4},
       {"volumeAttributes", string_map(), 5},
       {"controllerPublishSecretRef", object({{"name", string(), 1}, {"namespace", string(), 2}}), 6,
        kPointer},
       {"nodeStageSecretRef", object({{"name", string(), 1}, {"namespace", string(), 2}}), 7, kPointer},
       {"nodePublishSecretRef", object({{"name", string(), 1}, {"namespace", string(), 2}}), 8, kPointer},
       {"controllerExpandSecretRef", object({{"name", string(), 1}, {"namespace", string(), 2}}), 9,
        kPointer},
       {"nodeExpandSecretRef", object({{"name", string(), 1}, {"namespace", string(), 2}}), 10, kPointer}});
  Schema spec = object({
      {"capacity", quantity_map("Size of the volume (storage)."), 1},
      {"accessModes", atomic_list(string()), 3},
      {"claimRef", object_reference("The claim bound to the volume."), 4, kPointer},
      {"persistentVolumeReclaimPolicy", string("Retain, Delete or Recycle."), 5},
      {"storageClassName", string(), 6},
      {"mountOptions", atomic_list(string()), 7},
      {"volumeMode", string("Filesystem or Block."), 8, kPointer},
      {"nodeAffinity",
       object({{"required", node_selector(), 1, kPointer}}, "Nodes the volume can be reached from."), 9,
       kPointer},
      {"volumeAttributesClassName", string(), 10, kPointer},
      {"hostPath", object({{"path", string(), 1, kAlways}, {"type", string(), 2, kPointer}}), embedded(2, 3),
       kPointer},
      {"local", object({{"path", string(), 1, kAlways}, {"fsType", string(), 2, kPointer}}), embedded(2, 20),
       kPointer},
      {"csi", csi, embedded(2, 22), kPointer},
      {"nfs",
       object({{"server", string(), 1, kAlways}, {"path", string(), 2, kAlways}, {"readOnly", boolean(), 3}}),
       embedded(2, 5), kPointer},
      {"iscsi", preserve()},
      {"fc", preserve()},
      {"rbd", preserve()},
      {"cephfs", preserve()},
      {"cinder", preserve()},
      {"flexVolume", preserve()},
      {"azureFile", preserve()},
      {"azureDisk", preserve()},
      {"awsElasticBlockStore", preserve()},
      {"gcePersistentDisk", preserve()},
      {"glusterfs", preserve()},
      {"flocker", preserve()},
      {"vsphereVolume", preserve()},
      {"quobyte", preserve()},
      {"photonPersistentDisk", preserve()},
      {"portworxVolume", preserve()},
      {"scaleIO", preserve()},
      {"storageos", preserve()},
  });
  t.schema = share(resource("", "v1", "PersistentVolume", "A piece of storage in the cluster.",
                            {{"spec", spec, 2},
                             {"status",
                              object({{"phase", string(), 1},
                                      {"message", string(), 2},
                                      {"reason", string(), 3},
                                      {"lastPhaseTransitionTime", date_time(), 4, kPointer}}),
                              3}}));
  return t;
}

TypeInfo persistentvolumeclaims_type() {
  TypeInfo t = make_type("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", true, {"pvc"});
  t.status_subresource = true;
  t.printer_columns = {
      name_column(),
      column("Status", "string", "Phase of the claim.", 0, ".status.phase"),
      column("Volume", "string", "Volume bound to the claim.", 0, ".spec.volumeName"),
      column("Capacity", "string", "Size of the bound volume."),
      column("Access Modes", "string", "How the volume can be mounted."),
      column("StorageClass", "string", "Storage class of the claim.", 0, ".spec.storageClassName"),
      column("VolumeAttributesClass", "string", "Volume attributes class of the claim.", 0,
             ".spec.volumeAttributesClassName"),
      age_column(),
      column("VolumeMode", "string", "Filesystem or Block.", 1, ".spec.volumeMode"),
  };
  t.table_row = at_call_time([](const json::object& o, Clock::time_point now) {
    std::string phase = string_at(o, {"status", "phase"});
    if (!string_at(o, {"metadata", "deletionTimestamp"}).empty()) phase = "Terminating";
    return json::array{name_of(o),
                       phase,
                       string_at(o, {"spec", "volumeName"}),
                       storage_of(object_at(o, {"status", "capacity"})),
                       access_modes_cell(array_at(o, {"status", "accessModes"})),
                       string_at(o, {"spec", "storageClassName"}),
                       or_none(string_at(o, {"spec", "volumeAttributesClassName"})),
                       age_cell(o, now),
                       string_at(o, {"spec", "volumeMode"})};
  });
  t.defaulters.push_back([](json::object& o) {
    set_default(child(o, "spec"), "volumeMode", "Filesystem");
    set_default(child(o, "status"), "phase", "Pending");
  });
  t.validators.push_back([](const json::object& o, const json::object* old, std::vector<FieldError>& out) {
    Errors e(out);
    validate_pvc_spec(e, FieldPath("spec"), object_at(o, {"spec"}));
    if (!old) return;
    // Once bound, only the requested size may change (and only grow, which the expander checks).
    json::object before = object_at(*old, {"spec"}) ? *object_at(*old, {"spec"}) : json::object{};
    json::object after = object_at(o, {"spec"}) ? *object_at(o, {"spec"}) : json::object{};
    for (auto* s : {&before, &after}) {
      s->erase("resources");
      s->erase("volumeAttributesClassName");
    }
    if (string_at(before, {"volumeName"}).empty()) after.erase("volumeName"), before.erase("volumeName");
    if (before != after)
      e.forbidden(FieldPath("spec"),
                  "spec is immutable after creation except resources.requests and volumeAttributesClassName "
                  "for bound claims");
  });
  using namespace schema;
  t.schema = share(resource("", "v1", "PersistentVolumeClaim", "A request for storage by a user.",
                            {{"spec", pvc_spec(), 2}, {"status", pvc_status(), 3}}));
  return t;
}

}  // namespace ukube::builtin
