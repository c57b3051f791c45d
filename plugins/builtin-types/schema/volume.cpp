// Pod volumes. The common sources are modelled field by field; the legacy in-tree cloud
// and network sources are kept as opaque objects.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {
namespace {

Schema downward_api_items() {
  return atomic_list(object({
      {"path", string("Relative path of the file to create.")},
      {"fieldRef", object({{"apiVersion", string()}, {"fieldPath", string()}})},
      {"resourceFieldRef",
       object({{"containerName", string()}, {"resource", string()}, {"divisor", quantity()}})},
      {"mode", integer("File mode bits.")},
  }));
}

Schema projection_source() {
  return object({
      {"secret", object({{"name", string()}, {"items", key_to_path_items()}, {"optional", boolean()}})},
      {"configMap", object({{"name", string()}, {"items", key_to_path_items()}, {"optional", boolean()}})},
      {"downwardAPI", object({{"items", downward_api_items()}})},
      {"serviceAccountToken",
       object({{"audience", string()}, {"expirationSeconds", int64()}, {"path", string()}})},
      {"clusterTrustBundle", preserve()},
      {"podCertificate", preserve()},
  });
}

}  // namespace

Schema key_to_path_items() {
  return atomic_list(object({{"key", string("Key to project.")},
                             {"path", string("Relative path of the file.")},
                             {"mode", integer("File mode bits.")}}),
                     "Keys to project; all keys when empty.");
}

Schema volume() {
  return object(
      {
          {"name", string("Name of the volume, a DNS label unique within the pod.")},
          {"emptyDir", object({{"medium", string("\"\" (node disk) or Memory.")}, {"sizeLimit", quantity()}},
                              "A scratch directory that lives as long as the pod.")},
          {"hostPath", object({{"path", string()}, {"type", string()}}, "A file or directory on the node.")},
          {"configMap", object({{"name", string()},
                                {"items", key_to_path_items()},
                                {"defaultMode", integer()},
                                {"optional", boolean()}},
                               "The keys of a ConfigMap as files.")},
          {"secret", object({{"secretName", string()},
                             {"items", key_to_path_items()},
                             {"defaultMode", integer()},
                             {"optional", boolean()}},
                            "The keys of a Secret as files.")},
          {"persistentVolumeClaim", object({{"claimName", string()}, {"readOnly", boolean()}},
                                           "A PersistentVolumeClaim in the namespace.")},
          {"projected", object({{"sources", atomic_list(projection_source())}, {"defaultMode", integer()}},
                               "Several sources in one directory.")},
          {"downwardAPI",
           object({{"items", downward_api_items()}, {"defaultMode", integer()}}, "Pod fields as files.")},
          {"csi", object({{"driver", string()},
                          {"readOnly", boolean()},
                          {"fsType", string()},
                          {"volumeAttributes", string_map()},
                          {"nodePublishSecretRef", local_object_reference()}},
                         "An inline volume of a CSI driver.")},
          {"nfs", object({{"server", string()}, {"path", string()}, {"readOnly", boolean()}})},
          {"ephemeral",
           object({{"volumeClaimTemplate", open_object({{"metadata", preserve()}, {"spec", pvc_spec()}})}},
                  "A claim created for and deleted with the pod.")},
          {"image", object({{"reference", string()}, {"pullPolicy", string()}}, "An OCI image as a volume.")},
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
       atomic_list(string(), "ReadWriteOnce, ReadOnlyMany, ReadWriteMany or ReadWriteOncePod.")},
      {"selector", label_selector("Labels of the volumes the claim may bind to.")},
      {"resources", object({{"limits", quantity_map()}, {"requests", quantity_map("Storage requested.")}})},
      {"volumeName", string("Name of the bound PersistentVolume.")},
      {"storageClassName", string()},
      {"volumeMode", string("Filesystem or Block.")},
      {"dataSource", typed_local_object_reference()},
      {"dataSourceRef",
       object({{"apiGroup", string()}, {"kind", string()}, {"name", string()}, {"namespace", string()}})},
      {"volumeAttributesClassName", string()},
  });
}

Schema pvc_status() {
  return open_object({
      {"phase", string("Pending, Bound or Lost.")},
      {"accessModes", atomic_list(string())},
      {"capacity", quantity_map()},
      {"conditions", conditions({{"lastProbeTime", date_time()}})},
      {"allocatedResources", quantity_map()},
      {"allocatedResourceStatuses", string_map()},
      {"currentVolumeAttributesClassName", string()},
      {"modifyVolumeStatus", preserve()},
  });
}

Schema pvc_object(std::string_view d) {
  return object({{"apiVersion", string()},
                 {"kind", string()},
                 {"metadata", object_meta()},
                 {"spec", pvc_spec()},
                 {"status", pvc_status()}},
                d);
}

}  // namespace ukube::builtin::schema
