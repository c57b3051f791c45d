// PodSpec, PodStatus and PodTemplateSpec.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {

Schema toleration() {
  return object({
      {"key", string("Taint key; empty with Exists matches every taint.")},
      {"operator", string("Exists or Equal.")},
      {"value", string()},
      {"effect", string("NoSchedule, PreferNoSchedule or NoExecute; empty matches all.")},
      {"tolerationSeconds", int64("How long a NoExecute taint is tolerated.")},
  });
}

Schema pod_spec() {
  Schema spread = object({
      {"maxSkew", integer()},
      {"topologyKey", string()},
      {"whenUnsatisfiable", string()},
      {"labelSelector", label_selector()},
      {"minDomains", integer()},
      {"nodeAffinityPolicy", string()},
      {"nodeTaintsPolicy", string()},
      {"matchLabelKeys", atomic_list(string())},
  });
  Schema dns_config = object({
      {"nameservers", atomic_list(string())},
      {"searches", atomic_list(string())},
      {"options", atomic_list(object({{"name", string()}, {"value", string()}}))},
  });
  Schema claim = object({{"name", string()},
                         {"resourceClaimName", string()},
                         {"resourceClaimTemplateName", string()},
                         {"source", preserve()}});
  return object(
      {
          {"volumes",
           map_list(volume(), {"name"}, "Volumes containers of the pod can mount.", "merge,retainKeys")},
          {"initContainers",
           map_list(container(), {"name"}, "Containers run to completion, in order, before the others.")},
          {"containers", map_list(container(), {"name"}, "The pod's containers; at least one.")},
          {"ephemeralContainers",
           map_list(container(true), {"name"}, "Debugging containers added at run time.")},
          {"restartPolicy", string("Always, OnFailure or Never.")},
          {"terminationGracePeriodSeconds", int64("Seconds between SIGTERM and SIGKILL on deletion.")},
          {"activeDeadlineSeconds", int64("Seconds the pod may run before it is failed.")},
          {"dnsPolicy", string("ClusterFirst, ClusterFirstWithHostNet, Default or None.")},
          {"nodeSelector", string_map("Labels a node must carry to run the pod.")},
          {"serviceAccountName", string("ServiceAccount the pod runs as.")},
          {"serviceAccount", string("Deprecated alias of serviceAccountName.")},
          {"automountServiceAccountToken", boolean()},
          {"nodeName", string("Node the pod is bound to.")},
          {"hostNetwork", boolean()},
          {"hostPID", boolean()},
          {"hostIPC", boolean()},
          {"shareProcessNamespace", boolean()},
          {"securityContext", pod_security_context()},
          {"imagePullSecrets", map_list(local_object_reference(), {"name"}, "Secrets used to pull images.")},
          {"hostname", string()},
          {"subdomain", string()},
          {"affinity",
           object(
               {{"nodeAffinity", preserve()}, {"podAffinity", preserve()}, {"podAntiAffinity", preserve()}},
               "Scheduling constraints relative to nodes and other pods.")},
          {"schedulerName", string()},
          {"tolerations", atomic_list(toleration(), "Taints the pod tolerates.")},
          {"hostAliases", map_list(object({{"ip", string()}, {"hostnames", atomic_list(string())}}), {"ip"})},
          {"priorityClassName", string()},
          {"priority", integer()},
          {"dnsConfig", std::move(dns_config)},
          {"readinessGates", atomic_list(object({{"conditionType", string()}}))},
          {"runtimeClassName", string()},
          {"enableServiceLinks", boolean()},
          {"preemptionPolicy", string()},
          {"overhead", quantity_map()},
          {"topologySpreadConstraints", map_list(std::move(spread), {"topologyKey", "whenUnsatisfiable"})},
          {"setHostnameAsFQDN", boolean()},
          {"os", object({{"name", string("linux or windows.")}})},
          {"hostUsers", boolean()},
          {"schedulingGates", map_list(object({{"name", string()}}), {"name"})},
          {"resourceClaims", map_list(std::move(claim), {"name"}, {}, "merge,retainKeys")},
          {"resources", resource_requirements()},
      },
      "What the pod runs and how.");
}

Schema pod_status() {
  Schema ip = object({{"ip", string()}});
  return open_object(
      {
          {"phase", string("Pending, Running, Succeeded, Failed or Unknown.")},
          {"conditions", conditions({{"lastProbeTime", date_time()}})},
          {"message", string()},
          {"reason", string()},
          {"nominatedNodeName", string()},
          {"hostIP", string()},
          {"hostIPs", map_list(ip, {"ip"})},
          {"podIP", string()},
          {"podIPs", map_list(ip, {"ip"})},
          {"startTime", date_time()},
          {"initContainerStatuses", atomic_list(container_status())},
          {"containerStatuses", atomic_list(container_status())},
          {"ephemeralContainerStatuses", atomic_list(container_status())},
          {"qosClass", string("Guaranteed, Burstable or BestEffort.")},
          {"resize", string()},
          {"resourceClaimStatuses", map_list(preserve(), {"name"})},
          {"observedGeneration", int64()},
      },
      "Most recently observed state of the pod.");
}

Schema pod_template_spec(std::string_view d) {
  return object({{"metadata", object_meta()}, {"spec", pod_spec()}}, d.empty() ? "The pods to create." : d);
}

}  // namespace ukube::builtin::schema
