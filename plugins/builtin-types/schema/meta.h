#pragma once

#include "schema/builder.h"

// Schemas of the metav1 / core pieces every group reuses.
namespace ukube::builtin::schema {

Schema object_meta();
Schema label_selector(std::string_view description = {});
Schema object_reference(std::string_view description = {});
Schema local_object_reference(std::string_view description = {});  // {name}
Schema typed_local_object_reference(std::string_view description = {});
// status.conditions merged by type; `extra` adds time fields such as lastProbeTime.
Schema conditions(Props extra = {}, std::string_view description = {});
// The condition item alone (type, status, reason, message, lastTransitionTime + extra).
Schema condition(Props extra = {});
Schema micro_time(std::string_view description = {});

}  // namespace ukube::builtin::schema
