#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "ukube/machinery/time.h"
#include "ukube/types.h"

// The identity a StatefulSet gives its pods (upstream's stateful_set_utils.go): the name
// `<set>-<ordinal>`, hostname and subdomain, the identity labels, and the claims made
// from spec.volumeClaimTemplates, named `<template>-<set>-<ordinal>`. Pure functions.
namespace ukube::controllers::statefulset {

inline const GroupVersionKind kStatefulSetKind{"apps", "v1", "StatefulSet"};

inline constexpr const char* kPodNameLabel = "statefulset.kubernetes.io/pod-name";
inline constexpr const char* kPodIndexLabel = "apps.kubernetes.io/pod-index";
inline constexpr const char* kRevisionLabel = "controller-revision-hash";

// spec.replicas (default 1) and spec.ordinals.start (default 0).
int64_t replicas_of(const boost::json::object& set);
int64_t start_ordinal(const boost::json::object& set);

std::string pod_name(const std::string& set_name, int64_t ordinal);
// The ordinal of a pod named `<set_name>-<n>`, nothing for any other name (upstream
// treats those as not the set's members).
std::optional<int64_t> ordinal_of(const boost::json::object& pod, const std::string& set_name);
std::string claim_name(const std::string& template_name, const std::string& set_name, int64_t ordinal);

// The pod of `ordinal` from `pod_template` at revision `revision`: identity labels,
// hostname, subdomain, volumes naming its claims, and the set's controller reference.
boost::json::object new_pod(const boost::json::object& set, const boost::json::object& pod_template,
                            int64_t ordinal, const std::string& revision);

// The claims the pod of `ordinal` uses, as they are to be created: labels of the template
// and of the set's selector, and the owner references persistentVolumeClaimRetentionPolicy
// asks for (whenDeleted: Delete → the set; whenScaled: Delete and `condemned` → `pod`).
std::vector<boost::json::object> claims_for(const boost::json::object& set, int64_t ordinal);

// The owner references a claim of `pod` should carry under
// persistentVolumeClaimRetentionPolicy, as upstream 1.27+: the set's (whenDeleted: Delete),
// or, for a pod being scaled away (`condemned`) with whenScaled: Delete, the pod's alone.
std::vector<boost::json::object> wanted_claim_owners(const boost::json::object& set,
                                                     const boost::json::object* pod, bool condemned);
// Makes the claim's references to the set and to pods named `pod_name` exactly `wanted`,
// leaving other owners alone; true when the claim changed.
bool set_claim_owners(boost::json::object& claim, const boost::json::object& set, const std::string& pod_name,
                      const std::vector<boost::json::object>& wanted);

// The identity labels `pod` lacks or has wrong (pod-name, pod-index), as a JSON merge
// patch of metadata.labels; "" when it has them (upstream's identityMatches, for labels:
// a pod's spec cannot change after creation).
std::string identity_patch(const boost::json::object& pod, int64_t ordinal);

std::string pod_revision(const boost::json::object& pod);
// Running, Ready and Ready for minReadySeconds: what OrderedReady waits for.
bool is_running_and_available(const boost::json::object& pod, int32_t min_ready_seconds,
                              machinery::Clock::time_point now);
bool is_running_and_ready(const boost::json::object& pod);
// Failed or Succeeded: upstream deletes such a pod and makes it again.
bool is_finished(const boost::json::object& pod);

}  // namespace ukube::controllers::statefulset
