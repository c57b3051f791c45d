#pragma once

#include <boost/json/value.hpp>

// The two patch formats the kernel applies itself (strategic merge and apply need type
// schemas and live with the API front end).
namespace ukube::pipeline {

// RFC 7386: objects merge recursively, null deletes, anything else replaces.
void apply_merge_patch(boost::json::value& target, const boost::json::value& patch);

// RFC 6902. Throws ApiError: 400 for a malformed patch, 422 when an operation can't apply.
void apply_json_patch(boost::json::value& target, const boost::json::value& patch);

}  // namespace ukube::pipeline
