// Pod volumes. The common sources are modelled field by field; the legacy in-tree cloud
// and network sources are kept as opaque objects.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {
namespace {

Schema downward_api_items() {
  return atomic_list(object({
      {"path", string("Relative path of the file to create."), 1, kAlways},
      {"fieldRef", object({{"apiVersion", string(), 1}, {"fieldPath", string(), 2, kAlways}}), 2, kPointer},
      {"resourceFieldRef",
       object(
           {{"containerName", string(), 1}, {"resource", string(), 2, kAlways}, {"divisor", quantity(), 3}}),
       3, kPointer},
      {"mode", integer("File mode bits."), 4, kPointer},
  }));
}

Schema projection_source() {
  return object({
      {"secret",
       object({{"name", string(), embedded(1, 1)},
               {"items", key_to_path_items(), 2},
               {"optional", boolean(), 4, kPointer}}),
       1, kPointer},
      {"configMap",
       object({{"name", string(), embedded(1, 1)},
               {"items", key_to_path_items(), 2},
               {"optional", boolean(), 4, kPointer}}),
       3, kPointer},
      {"downwardAPI", object({{"items", downward_api_items(), 1}}), 2, kPointer},
      {"serviceAccountToken",
       object({{"audience", string(), 1},
               {"expirationSeconds", int64(), 2, kPointer},
               {"path", string(), 3, kAlways}}),
       4, kPointer},
      {"clusterTrustBundle",
       object({{"name", string(), 1, kPointer},
               {"signerName", string(), 2, kPointer},
               {"labelSelector", label_selector(), 3, kPointer},
               {"path", string(), 4, kAlways},
               {"optional", boolean(), 5, kPointer}}),
       5, kPointer},
      {"podCertificate", preserve()},
  });
}

}  // namespace

Schema key_to_path_items() {
  return atomic_list(object({{"key", string("Key to project."), 1, kAlways},
                             {"path", string("Relative path of the file."), 2, kAlways},
                             {"mode", integer("File mode bits."), 3, kPointer}}),
                     "Keys to project; all keys when empty.");
}

Schema volume() {
  return object(
      {
          {"name", string("Name of the volume, a DNS label unique within the pod."), 1, kAlways},
          {"emptyDir",
           object(
               {{"medium", string("\"\" (node disk) or Memory."), 1}, {"sizeLimit", quantity(), 2, kPointer}},
               "A scratch directory that lives as long as the pod."),
           embedded(2, 2), kPointer},
          {"hostPath",
           object({{"path", string(), 1, kAlways}, {"type", string(), 2, kPointer}},
                  "A file or directory on the node."),
           embedded(2, 1), kPointer},
          {"configMap",
           object({{"name", string(), embedded(1, 1)},
                   {"items", key_to_path_items(), 2},
                   {"defaultMode", integer(), 3, kPointer},
                   {"optional", boolean(), 4, kPointer}},
                  "The keys of a ConfigMap as files."),
           embedded(2, 19), kPointer},
          {"secret",
           object({{"secretName", string(), 1},
                   {"items", key_to_path_items(), 2},
                   {"defaultMode", integer(), 3, kPointer},
                   {"optional", boolean(), 4, kPointer}},
                  "The keys of a Secret as files."),
           embedded(2, 6), kPointer},
          {"persistentVolumeClaim",
           object({{"claimName", string(), 1, kAlways}, {"readOnly", boolean(), 2}},
                  "A PersistentVolumeClaim in the namespace."),
           embedded(2, 10), kPointer},
          {"projected",
           object({{"sources", atomic_list(projection_source()), 1, kAlways},
                   {"defaultMode", integer(), 2, kPointer}},
                  "Several sources in one directory."),
           embedded(2, 26), kPointer},
          {"downwardAPI",
           object({{"items", downward_api_items(), 1}, {"defaultMode", integer(), 2, kPointer}},
                  "Pod fields as files."),
           embedded(2, 16), kPointer},
          {"csi",
           object({{"driver", string(), 1, kAlways},
                   {"readOnly", boolean(), 2, kPointer},
                   {"fsType", string(), 3, kPointer},
                   {"volumeAttributes", string_map(), 4},
                   {"nodePublishSecretRef", local_object_reference(), 5, kPointer}},
                  "An inline volume of a CSI driver."),
           embedded(2, 28), kPointer},
          {"nfs",
           object({{"server", string(), 1, kAlways},
                   {"path", string(), 2, kAlways},
                   {"readOnly", boolean(), 3}}),
           embedded(2, 7), kPointer},
          {"ephemeral",
           object({{"volumeClaimTemplate",
                    open_object({{"metadata", object_meta(), 1}, {"spec", pvc_spec(), 2}}), 1, kPointer}},
                  "A claim created for and deleted with the pod."),
           embedded(2, 29), kPointer},
          {"image",
           object({{"reference", string(), 1}, {"pullPolicy", string(), 2}}, "An OCI image as a volume."),
           embedded(2, 30), kPointer},
          {"awsElasticBlockStore", preserve()},
          {"azureDisk", preserve()},
          {"azureFile", preserve()},
          {"cephfs", preserve()},
          {"cinder", preserve()},
          {"fc", preserve()},
          {"flexVolume", preserve()},
          {"flocker", preserve()},
          {"gcePersistentDisk", preserve()},
          {"gitRepo", preserve()},
          {"glusterfs", preserve()},
          {"iscsi", preserve()},
          {"photonPersistentDisk", preserve()},
          {"portworxVolume", preserve()},
          {"quobyte", preserve()},
          {"rbd", preserve()},
          {"scaleIO", preserve()},
          {"storageos", preserve()},
          {"vsphereVolume", preserve()},
      },
      "A named volume that containers of the pod can mount.");
}

Schema pvc_spec() {
  return object({
      {"accessModes",
       atomic_list(string(), "ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod."), 1},
      {"selector", label_selector("Labels of the volumes the claim may bind to."), 4, kPointer},
      {"resources",
       object({{"limits", quantity_map(), 1}, {"requests", quantity_map("Storage requested."), 2}}), 2},
      {"volumeName", string("Name of the bound PersistentVolume."), 3},
      {"storageClassName", string(), 5, kPointer},
      {"volumeMode", string("Filesystem or Block."), 6, kPointer},
      {"dataSource", typed_local_object_reference(), 7, kPointer},
      {"dataSourceRef",
       object({{"apiGroup", string(), 1, kPointer},
               {"kind", string(), 2, kAlways},
               {"name", string(), 3, kAlways},
               {"namespace", string(), 4, kPointer}}),
       8, kPointer},
      {"volumeAttributesClassName", string(), 9, kPointer},
  });
}

Schema pvc_status() {
  return open_object({
      {"phase", string("Pending, Bound or Lost."), 1},
      {"accessModes", atomic_list(string()), 2},
      {"capacity", quantity_map(), 3},
      {"conditions", conditions({{"lastProbeTime", date_time(), 3}}, {}, kCoreCondition), 4},
      {"allocatedResources", quantity_map(), 5},
      {"allocatedResourceStatuses", string_map(), 7},
      {"currentVolumeAttributesClassName", string(), 8, kPointer},
      {"modifyVolumeStatus",
       object({{"targetVolumeAttributesClassName", string(), 1},
               {"status", string("Pending, InProgress or Infeasible."), 2, kAlways}}),
       9, kPointer},
  });
}

Schema pvc_object(std::string_view d) {
  return object({{"apiVersion", string()},
                 {"kind", string()},
                 {"metadata", object_meta(), 1},
                 {"spec", pvc_spec(), 2},
                 {"status", pvc_status(), 3}},
                d);
}

}  // namespace ukube::builtin::schema
