#pragma once

#include <string>
#include <string_view>

// Upstream pretty-prints JSON answers for people: when the request says ?pretty=true, or
// (without a pretty parameter) when the client is curl, Wget or a browser.
namespace ukube::apiserver {

// `pretty`: the request's pretty parameter, absent when it had none.
bool wants_pretty(const std::string* pretty, std::string_view user_agent);

// `json` laid out as Go's json.Indent lays it out with two spaces: one member or element
// per line, "key": value, empty objects and arrays kept as {} and []. Whitespace between
// tokens is dropped, so a trailing newline goes too.
std::string indent_json(std::string_view json);

}  // namespace ukube::apiserver
