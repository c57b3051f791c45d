#pragma once

#include <string>
#include <string_view>

namespace ukube::apiserver {

// Server-side apply bodies may be YAML: this returns the same document as JSON text,
// resolving plain scalars by the YAML 1.2 core schema (quoted ones stay strings).
// Throws ApiError 400 naming the line of a syntax error.
std::string yaml_to_json(std::string_view yaml);

}  // namespace ukube::apiserver
