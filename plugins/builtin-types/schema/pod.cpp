// PodSpec, PodStatus and PodTemplateSpec.
#include <boost/json.hpp>

#include "schema/meta.h"
#include "schema/pod.h"

namespace ukube::builtin::schema {

Schema toleration() {
  return object({
      {"key", string("Taint key; empty with Exists matches every taint."), 1},
      {"operator", string("Exists or Equal."), 2},
      {"value", string(), 3},
      {"effect", string("NoSchedule, PreferNoSchedule or NoExecute; empty matches all."), 4},
      {"tolerationSeconds", int64("How long a NoExecute taint is tolerated."), 5, kPointer},
  });
}

namespace {

Schema node_selector_term() {
  Schema requirement = object({
      {"key", string("Node label or field the requirement applies to."), 1, kAlways},
      {"operator", string("In, NotIn, Exists, DoesNotExist, Gt or Lt."), 2, kAlways},
      {"values", atomic_list(string(), "Values for In, NotIn, Gt and Lt."), 3},
  });
  return atomic_struct(object({
      {"matchExpressions", atomic_list(requirement, "Requirements on node labels."), 1},
      {"matchFields", atomic_list(requirement, "Requirements on node fields."), 2},
  }));
}

Schema affinity() {
  Schema term = object({
      {"labelSelector", label_selector("Pods the term is about."), 1, kPointer},
      {"namespaces", atomic_list(string(), "Namespaces of those pods; the pod's own when empty."), 2},
      {"topologyKey", string("Node label whose values define co-location."), 3, kAlways},
      {"namespaceSelector", label_selector("Namespaces of those pods, by label."), 4, kPointer},
      {"matchLabelKeys", atomic_list(string()), 5},
      {"mismatchLabelKeys", atomic_list(string()), 6},
  });
  Schema weighted = object({
      {"weight", integer("1-100."), 1, kAlways},
      {"podAffinityTerm", term, 2},
  });
  auto pod_terms = [&](std::string_view d) {
    return object(
        {
            {"requiredDuringSchedulingIgnoredDuringExecution", atomic_list(term), 1},
            {"preferredDuringSchedulingIgnoredDuringExecution", atomic_list(weighted), 2},
        },
        d);
  };
  Schema preferred = object({
      {"weight", integer("1-100."), 1, kAlways},
      {"preference", node_selector_term(), 2},
  });
  return object(
      {
          {"nodeAffinity",
           object({{"requiredDuringSchedulingIgnoredDuringExecution", node_selector(), 1, kPointer},
                   {"preferredDuringSchedulingIgnoredDuringExecution", atomic_list(preferred), 2}},
                  "Nodes the pod may or prefers to run on."),
           1, kPointer},
          {"podAffinity", pod_terms("Pods to run near."), 2, kPointer},
          {"podAntiAffinity", pod_terms("Pods to keep away from."), 3, kPointer},
      },
      "Scheduling constraints relative to nodes and other pods.");
}

}  // namespace

Schema node_selector(std::string_view d) {
  return atomic_struct(object(
      {{"nodeSelectorTerms", atomic_list(node_selector_term(), "Terms of which any may match."), 1, kAlways}},
      d.empty() ? "Nodes matching any of the terms." : d));
}

Schema pod_spec() {
  Schema spread = object({
      {"maxSkew", integer(), 1, kAlways},
      {"topologyKey", string(), 2, kAlways},
      {"whenUnsatisfiable", string(), 3, kAlways},
      {"labelSelector", label_selector(), 4, kPointer},
      {"minDomains", integer(), 5, kPointer},
      {"nodeAffinityPolicy", string(), 6, kPointer},
      {"nodeTaintsPolicy", string(), 7, kPointer},
      {"matchLabelKeys", atomic_list(string()), 8},
  });
  Schema dns_config = object({
      {"nameservers", atomic_list(string()), 1},
      {"searches", atomic_list(string()), 2},
      {"options", atomic_list(object({{"name", string(), 1}, {"value", string(), 2, kPointer}})), 3},
  });
  Schema claim = object({{"name", string(), 1, kAlways},
                         {"resourceClaimName", string(), 3, kPointer},
                         {"resourceClaimTemplateName", string(), 4, kPointer},
                         {"source", preserve()}});
  return object(
      {
          {"volumes",
           map_list(volume(), {"name"}, "Volumes containers of the pod can mount.", "merge,retainKeys"), 1},
          {"initContainers",
           map_list(container(), {"name"}, "Containers run to completion, in order, before the others."), 20},
          {"containers", map_list(container(), {"name"}, "The pod's containers; at least one."), 2, kAlways},
          {"ephemeralContainers",
           map_list(container(true), {"name"}, "Debugging containers added at run time."), 34},
          {"restartPolicy", string("Always, OnFailure or Never."), 3},
          {"terminationGracePeriodSeconds", int64("Seconds between SIGTERM and SIGKILL on deletion."), 4,
           kPointer},
          {"activeDeadlineSeconds", int64("Seconds the pod may run before it is failed."), 5, kPointer},
          {"dnsPolicy", string("ClusterFirst, ClusterFirstWithHostNet, Default or None."), 6},
          {"nodeSelector", string_map("Labels a node must carry to run the pod."), 7},
          {"serviceAccountName", string("ServiceAccount the pod runs as."), 8},
          {"serviceAccount", string("Deprecated alias of serviceAccountName."), 9},
          {"automountServiceAccountToken", boolean(), 21, kPointer},
          {"nodeName", string("Node the pod is bound to."), 10},
          {"hostNetwork", boolean(), 11},
          {"hostPID", boolean(), 12},
          {"hostIPC", boolean(), 13},
          {"shareProcessNamespace", boolean(), 27, kPointer},
          {"securityContext", pod_security_context(), 14, kPointer},
          {"imagePullSecrets", map_list(local_object_reference(), {"name"}, "Secrets used to pull images."),
           15},
          {"hostname", string(), 16},
          {"subdomain", string(), 17},
          {"affinity", affinity(), 18, kPointer},
          {"schedulerName", string(), 19},
          {"tolerations", atomic_list(toleration(), "Taints the pod tolerates."), 22},
          {"hostAliases",
           map_list(object({{"ip", string(), 1, kAlways}, {"hostnames", atomic_list(string()), 2}}), {"ip"}),
           23},
          {"priorityClassName", string(), 24},
          {"priority", integer(), 25, kPointer},
          {"dnsConfig", std::move(dns_config), 26, kPointer},
          {"readinessGates", atomic_list(object({{"conditionType", string(), 1, kAlways}})), 28},
          {"runtimeClassName", string(), 29, kPointer},
          {"enableServiceLinks", boolean(), 30, kPointer},
          {"preemptionPolicy", string(), 31, kPointer},
          {"overhead", quantity_map(), 32},
          {"topologySpreadConstraints", map_list(std::move(spread), {"topologyKey", "whenUnsatisfiable"}),
           33},
          {"setHostnameAsFQDN", boolean(), 35, kPointer},
          {"os", object({{"name", string("linux or windows."), 1, kAlways}}), 36, kPointer},
          {"hostUsers", boolean(), 37, kPointer},
          {"schedulingGates", map_list(object({{"name", string(), 1, kAlways}}), {"name"}), 38},
          {"resourceClaims", map_list(std::move(claim), {"name"}, {}, "merge,retainKeys"), 39},
          {"resources", resource_requirements(), 40, kPointer},
      },
      "What the pod runs and how.");
}

Schema pod_status() {
  Schema ip = object({{"ip", string(), 1, kAlways}});
  return open_object(
      {
          {"phase", string("Pending, Running, Succeeded, Failed or Unknown."), 1},
          {"conditions",
           conditions(
               {{"lastProbeTime", date_time(), 3}}, {},
               ConditionTags{.observed_generation = 7, .last_transition_time = 4, .reason = 5, .message = 6}),
           2},
          {"message", string(), 3},
          {"reason", string(), 4},
          {"nominatedNodeName", string(), 11},
          {"hostIP", string(), 5},
          {"hostIPs", map_list(ip, {"ip"}), 16},
          {"podIP", string(), 6},
          {"podIPs", map_list(ip, {"ip"}), 12},
          {"startTime", date_time(), 7, kPointer},
          {"initContainerStatuses", atomic_list(container_status()), 10},
          {"containerStatuses", atomic_list(container_status()), 8},
          {"ephemeralContainerStatuses", atomic_list(container_status()), 13},
          {"qosClass", string("Guaranteed, Burstable or BestEffort."), 9},
          {"resize", string(), 14},
          {"resourceClaimStatuses",
           map_list(object({{"name", string(), 1, kAlways}, {"resourceClaimName", string(), 2, kPointer}}),
                    {"name"}),
           15},
          {"observedGeneration", int64(), 17},
      },
      "Most recently observed state of the pod.");
}

Schema pod_template_spec(std::string_view d) {
  return object({{"metadata", object_meta(), 1}, {"spec", pod_spec(), 2}},
                d.empty() ? "The pods to create." : d);
}

}  // namespace ukube::builtin::schema
