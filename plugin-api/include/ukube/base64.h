#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "ukube/export.h"

// Base64 as Kubernetes uses it: the standard alphabet with padding for Secret data,
// kubeconfig credentials and continue tokens; the URL alphabet without padding for JWTs.
namespace ukube {

enum class Base64 { Standard, Url };

UKUBE_API std::string base64_encode(std::string_view data, Base64 alphabet = Base64::Standard);
// Accepts either alphabet, with or without padding; nullopt on any other character or a
// length no encoder produces.
UKUBE_API std::optional<std::string> base64_decode(std::string_view text);

}  // namespace ukube
