#pragma once

#include <boost/json/object.hpp>

#include "kernel/pipeline/schema_view.h"

// Strategic merge patch (application/strategic-merge-patch+json), the format kubectl's
// client-side apply, edit and patch send. The type's schema says how each list merges:
// x-kubernetes-patch-strategy "merge" with x-kubernetes-patch-merge-key merges a list of
// objects by key, "merge" alone makes a primitive list a set; every other list (and every
// path the schema does not describe) is replaced. Objects always merge; null deletes.
// Directives: $patch (merge / replace / delete), $retainKeys, $setElementOrder/<list>,
// $deleteFromPrimitiveList/<list>.
namespace ukube::pipeline {

// Throws ApiError 400 for a malformed patch (unknown $patch value, missing merge key).
void apply_strategic_merge_patch(boost::json::object& target, const boost::json::object& patch,
                                 SchemaView schema);

}  // namespace ukube::pipeline
