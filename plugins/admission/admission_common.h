#pragma once

#include <memory>
#include <string>
#include <vector>

#include "json_util.h"
#include "ukube/auth.h"
#include "ukube/errors.h"
#include "ukube/plugin.h"
#include "ukube/types.h"
#include "ukube/workqueue.h"

namespace spdlog {
class logger;
}

// What every admission plugin here shares: the identities they act as, the resources
// they read, upstream's forbidden errors and the plugin shell that puts an admission
// plugin into the kernel's chain.
namespace ukube::admission {

// The API server's own loopback identity: the lookups admission does and the quota
// status it charges (upstream's admission plugins use the loopback client too).
UserInfo apiserver_identity();
// kube-controller-manager's identity (its bootstrap role may create service accounts).
UserInfo controller_manager_identity();

// The work queues of the controllers here: a failed namespace is retried from 50 ms,
// backing off to 30 s, within 50 syncs a second overall.
inline const RateLimits kAdmissionLoopLimits{std::chrono::milliseconds(50), std::chrono::milliseconds(30000),
                                             50, 200};

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};
inline const GroupVersionResource kServiceAccounts{"", "v1", "serviceaccounts"};
inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
inline const GroupVersionResource kSecrets{"", "v1", "secrets"};
inline const GroupVersionResource kServices{"", "v1", "services"};
inline const GroupVersionResource kPersistentVolumeClaims{"", "v1", "persistentvolumeclaims"};
inline const GroupVersionResource kReplicationControllers{"", "v1", "replicationcontrollers"};
inline const GroupVersionResource kLimitRanges{"", "v1", "limitranges"};
inline const GroupVersionResource kResourceQuotas{"", "v1", "resourcequotas"};
inline const GroupVersionResource kPriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses"};

// Where pods mount their service account's token, CA and namespace, and the ConfigMap
// (in every namespace) that carries the cluster CA.
inline constexpr const char* kTokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount";
inline constexpr const char* kRootCAConfigMap = "kube-root-ca.crt";

// Whether the request is for `group`/`plural` (no subresource unless `subresource`).
bool is_resource(const AdmissionRequest& r, std::string_view group, std::string_view plural,
                 std::string_view subresource = {});
bool is_pod(const AdmissionRequest& r);  // pods, not a subresource, with an object

// The name upstream's admission.NewForbidden puts in its message: the request's name, else
// the object's; during the mutating phase of a create that asked for generateName, the
// prefix (the kernel has already generated the name, upstream has not yet).
std::string name_in_message(const AdmissionRequest& r, bool mutating);

// `<resource> "<name>" is forbidden: <message>`, 403 Forbidden, with upstream's details.
ApiError forbidden(const AdmissionRequest& r, const std::string& message, bool mutating);

// utilerrors.NewAggregate(errs).Error(): one message as it is, several (duplicates
// dropped) as "[a, b]".
std::string aggregate(const std::vector<std::string>& messages);

// The plugin shell: puts one AdmissionPlugin into the chain under the plugin's URI, and
// takes it out in stop() (and on destruction: the plugin's code leaves with its library).
class AdmissionPluginShell : public Plugin {
 public:
  ~AdmissionPluginShell() override;
  void stop() override;

 protected:
  void join_chain(InitContext& ctx, std::shared_ptr<AdmissionPlugin> plugin);
  void leave_chain();
  // Informers and controllers stop here; the plugin has left the chain by then.
  virtual void stop_workers() {}

  std::shared_ptr<spdlog::logger> log_;

 private:
  AuthChains* chains_ = nullptr;
  std::string name_;
};

}  // namespace ukube::admission
