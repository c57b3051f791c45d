#pragma once

#include <optional>
#include <string_view>

#include "ukube/client.h"
#include "url.h"

// Query parameters (and DeleteOptions bodies) turned into pipeline options. Unknown
// parameters are ignored, as upstream does; malformed known ones are 400 BadRequest.
namespace ukube::apiserver {

// Go's strconv.ParseBool, which is what upstream's parameter decoding accepts.
std::optional<bool> go_bool(std::string_view value);

// watch=true|1 (any Go boolean spelling).
bool wants_watch(const Query& query);
ListOptions list_options(const Query& query);
// `apply`: the request is a server-side apply patch, the only kind that takes `force`.
WriteOptions write_options(const Query& query, bool apply);
// Query first, then the body's DeleteOptions over it, as upstream decodes them.
DeleteOptions delete_options(const Query& query, std::string_view body);

}  // namespace ukube::apiserver
