#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"

// The arithmetic and bookkeeping of upstream's deployment util package: the
// pod-template-hash, maxSurge/maxUnavailable, revisions and the annotations the
// controller keeps on ReplicaSets.
namespace ukube::controllers::deployment {

inline constexpr const char* kPodTemplateHashLabel = "pod-template-hash";
inline constexpr const char* kRevisionAnnotation = "deployment.kubernetes.io/revision";
inline constexpr const char* kRevisionHistoryAnnotation = "deployment.kubernetes.io/revision-history";
inline constexpr const char* kDesiredReplicasAnnotation = "deployment.kubernetes.io/desired-replicas";
inline constexpr const char* kMaxReplicasAnnotation = "deployment.kubernetes.io/max-replicas";

// FNV-1a, 32 bits.
uint32_t fnv32a(std::string_view bytes, uint32_t seed = 2166136261u);
// apimachinery's rand.SafeEncodeString: each character mapped onto consonants and digits
// that cannot spell words.
std::string safe_encode(std::string_view text);
// The pod-template-hash of a template: FNV-32a over a canonical rendering of the template
// (object keys sorted), then collisionCount as 8 bytes (little-endian uint32, zero padded)
// as upstream appends it, rendered as SafeEncodeString of the decimal hash.
std::string pod_template_hash(const boost::json::object& pod_template,
                              std::optional<int64_t> collision_count);
// The same from an already computed FNV-32a value (upstream renders Sum32 in decimal).
std::string encode_hash(uint32_t hash);

struct Fenceposts {
  int64_t surge = 0;
  int64_t unavailable = 0;
};
// maxSurge (rounded up) and maxUnavailable (rounded down) of a RollingUpdate deployment;
// both zero is taken as one unavailable.
Fenceposts resolve_fenceposts(const boost::json::value* max_surge, const boost::json::value* max_unavailable,
                              int64_t desired);

int64_t replicas_of(const boost::json::object& object);  // spec.replicas, default 1
bool is_rolling_update(const boost::json::object& deployment);
int64_t max_surge(const boost::json::object& deployment);
int64_t max_unavailable(const boost::json::object& deployment);

// The replicas a RollingUpdate gives the new ReplicaSet next (NewRSNewReplicas);
// Recreate gives it all of them.
int64_t new_rs_new_replicas(const boost::json::object& deployment, const std::vector<ObjectPtr>& all_rs,
                            const boost::json::object& new_rs);

// Whether two pod templates are equal once the pod-template-hash label is ignored.
bool equal_ignore_hash(const boost::json::object* a, const boost::json::object* b);

// The revision annotation as a number (0 when absent or malformed).
int64_t revision_of(const boost::json::object& rs);

int64_t sum_spec_replicas(const std::vector<ObjectPtr>& sets);
int64_t sum_status(const std::vector<ObjectPtr>& sets, const char* field);

// Oldest first (creationTimestamp, then name), as controller.ReplicaSetsByCreationTimestamp.
void sort_by_creation(std::vector<ObjectPtr>& sets);

}  // namespace ukube::controllers::deployment
