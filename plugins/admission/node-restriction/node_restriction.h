#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "ukube/auth.h"

// ukube.admission.v1.node-restriction: upstream's NodeRestriction admission. A kubelet
// may change only its own Node (not its taints, nor node-restriction.kubernetes.io or
// unknown kubernetes.io labels), create and delete only mirror pods bound to itself,
// update the status of its own pods, use only its own Lease and CSINode, and ask for
// service-account tokens only bound to its own pods.
namespace ukube::rbac {

class NodeRestriction final : public AdmissionPlugin {
 public:
  // `pod_on`: the node of the named pod and its uid, or nullopt when it does not exist.
  using PodLookup = std::function<std::optional<std::pair<std::string, std::string>>(
      const std::string& ns, const std::string& name)>;
  using NodeUid = std::function<std::optional<std::string>(const std::string& node)>;
  NodeRestriction(PodLookup pod_on, NodeUid node_uid)
      : pod_on_(std::move(pod_on)), node_uid_(std::move(node_uid)) {}

  void validate(const AdmissionRequest& request) override;

 private:
  void pods(const std::string& node, const AdmissionRequest& r) const;
  void pod_create(const std::string& node, const AdmissionRequest& r) const;
  void nodes(const std::string& node, const AdmissionRequest& r) const;
  void token(const std::string& node, const AdmissionRequest& r) const;

  PodLookup pod_on_;
  NodeUid node_uid_;
};

}  // namespace ukube::rbac
