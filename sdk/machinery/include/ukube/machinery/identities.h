#pragma once

#include "ukube/auth.h"

// The identities in-process components act as, as upstream's components authenticate.
namespace ukube::machinery {

inline constexpr const char* kMastersGroup = "system:masters";

// The API server's own loopback identity: lookups admission and authorizers make, the
// quota status it charges (upstream's admission plugins use the loopback client too).
inline UserInfo apiserver_identity() {
  return UserInfo{"system:apiserver", "", {kMastersGroup}, {}};
}

// kube-controller-manager's identity (its bootstrap role may create service accounts).
inline UserInfo controller_manager_identity() {
  return UserInfo{"system:kube-controller-manager", "", {"system:authenticated"}, {}};
}

// A controller as upstream's controller manager runs it with
// --use-service-account-credentials: service account `account` of kube-system, which the
// RBAC plugin's bootstrap policy binds to the ClusterRole system:controller:<account>.
inline UserInfo controller_identity(const std::string& account) {
  return UserInfo{"system:serviceaccount:kube-system:" + account,
                  "",
                  {"system:serviceaccounts", "system:serviceaccounts:kube-system", "system:authenticated"},
                  {}};
}

}  // namespace ukube::machinery
