#pragma once

#include "schema/builder.h"

// Schemas of the metav1 / core pieces every group reuses.
namespace ukube::builtin::schema {

Schema object_meta();
Schema label_selector(std::string_view description = {});
Schema object_reference(std::string_view description = {});
Schema local_object_reference(std::string_view description = {});  // {name}
Schema typed_local_object_reference(std::string_view description = {});
// Protobuf field numbers of one upstream condition message, which differ between types (0:
// the message has no such field); type and status are always 1 and 2. `meta` marks
// metav1.Condition, whose JSON always carries reason, message and lastTransitionTime.
struct ConditionTags {
  int observed_generation = 0;
  int last_transition_time = 0;
  int reason = 0;
  int message = 0;
  bool meta = false;
};
inline constexpr ConditionTags kMetaCondition{
    .observed_generation = 3, .last_transition_time = 4, .reason = 5, .message = 6, .meta = true};
// What the Namespace, Node, PersistentVolumeClaim and Job conditions share: PodCondition's
// numbers without its observedGeneration.
inline constexpr ConditionTags kCoreCondition{.last_transition_time = 4, .reason = 5, .message = 6};

// status.conditions merged by type; `extra` adds time fields such as lastProbeTime.
Schema conditions(Props extra = {}, std::string_view description = {}, ConditionTags tags = kMetaCondition);
// The condition item alone (type, status, reason, message, lastTransitionTime + extra).
Schema condition(Props extra = {}, ConditionTags tags = kMetaCondition);
Schema micro_time(std::string_view description = {});

}  // namespace ukube::builtin::schema
