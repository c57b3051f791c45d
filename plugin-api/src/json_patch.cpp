#include "ukube/json_patch.h"

#include "kernel/pipeline/json_patch.h"

namespace ukube {

void apply_merge_patch(boost::json::value& target, const boost::json::value& patch) {
  pipeline::apply_merge_patch(target, patch);
}

void apply_json_patch(boost::json::value& target, const boost::json::value& patch) {
  pipeline::apply_json_patch(target, patch);
}

}  // namespace ukube
