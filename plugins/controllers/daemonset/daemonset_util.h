#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>
#include <boost/json/value.hpp>

#include "ukube/types.h"

// The pieces of upstream's DaemonSet controller that need no cluster: which nodes should
// run a daemon pod, the pod a node gets, the update arithmetic and the revision hash.
namespace ukube::controllers::daemonset {

inline const GroupVersionKind kDaemonSetKind{"apps", "v1", "DaemonSet"};
// Upstream's DefaultDaemonSetUniqueLabelKey (apps.ControllerRevisionHashLabelKey).
inline constexpr const char* kRevisionHashLabel = "controller-revision-hash";
// Upstream's DaemonSetTemplateGenerationKey, kept on pods for old clients.
inline constexpr const char* kTemplateGenerationAnnotation = "deprecated.daemonset.template.generation";
// Upstream's event reasons.
inline constexpr const char* kFailedDaemonPodReason = "FailedDaemonPod";
inline constexpr const char* kSelectingAllReason = "SelectingAll";

// Upstream's NodeShouldRunDaemonPod: whether the node should get a daemon pod, and whether
// a daemon pod already there may stay (it may on a node that only gained a NoSchedule
// taint, not on one with an untolerated NoExecute taint or no longer selected).
struct NodeFit {
  bool should_run = false;
  bool should_continue_running = false;
};
// `pod_spec` is the DaemonSet's template spec with the implicit tolerations added.
NodeFit node_should_run(const boost::json::object& pod_spec, const boost::json::object& node);

// The DaemonSet's template spec with the implicit tolerations: what node_should_run takes.
boost::json::object daemon_pod_spec(const boost::json::object& ds);

// Adds the tolerations every daemon pod gets (upstream's AddOrUpdateDaemonPodTolerations):
// not-ready and unreachable NoExecute with no time limit, disk/memory/pid pressure and
// unschedulable NoSchedule, and network-unavailable NoSchedule for hostNetwork pods.
void add_daemon_tolerations(boost::json::object& pod_spec);

// Makes the pod spec require node `node_name` through matchFields metadata.name, as
// upstream's ReplaceDaemonSetPodNodeNameNodeAffinity: the scheduler then binds it there
// while keeping the template's other node affinity requirements.
void require_node(boost::json::object& pod_spec, const std::string& node_name);

// The node a daemon pod is for: spec.nodeName, else the metadata.name its required node
// affinity names (upstream's GetTargetNodeName); "" when neither.
std::string target_node(const boost::json::object& pod);

// The pod template for node `node_name`: the DaemonSet's template with the hash label,
// the template-generation annotation, the implicit tolerations and the node affinity.
boost::json::object pod_template_for_node(const boost::json::object& ds, const std::string& hash,
                                          const std::string& node_name);

struct UpdateBudget {
  int64_t max_surge = 0;
  int64_t max_unavailable = 0;
};
// Upstream's updatedDesiredNodeCounts: maxSurge and maxUnavailable of the DaemonSet for
// `desired` nodes; at least one pod may be unavailable when neither allows any.
UpdateBudget update_budget(const boost::json::object& ds, int64_t desired);

// FNV-32a, and its decimal rendering in the alphabet of upstream's SafeEncodeString.
uint32_t fnv32a(std::string_view bytes, uint32_t seed = 2166136261u);
std::string safe_encode(std::string_view text);
// Keys sorted at every level: equal objects render alike whatever their order.
std::string canonical(const boost::json::value& v);
// The controller-revision-hash of a template with the DaemonSet's collisionCount.
std::string template_hash(const boost::json::object& pod_template, std::optional<int64_t> collision_count);

}  // namespace ukube::controllers::daemonset
