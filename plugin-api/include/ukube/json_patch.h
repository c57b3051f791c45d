#pragma once

#include <boost/json/fwd.hpp>

#include "ukube/export.h"

// The kernel's JSON patch engines, for plugins that receive patches from elsewhere
// (mutating admission webhooks answer with an RFC 6902 patch).
namespace ukube {

// RFC 7386: objects merge recursively, null deletes, anything else replaces.
UKUBE_API void apply_merge_patch(boost::json::value& target, const boost::json::value& patch);

// RFC 6902. Throws ApiError: 400 for a malformed patch, 422 when an operation can't apply.
UKUBE_API void apply_json_patch(boost::json::value& target, const boost::json::value& patch);

}  // namespace ukube
