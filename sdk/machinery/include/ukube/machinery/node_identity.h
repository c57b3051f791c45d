#pragma once

#include <algorithm>
#include <optional>
#include <string>

#include "ukube/auth.h"

// How a kubelet is recognised: user system:node:<name> in group system:nodes.
namespace ukube::rbac {

inline std::optional<std::string> node_name_of(const UserInfo& user) {
  constexpr std::string_view kPrefix = "system:node:";
  if (!user.name.starts_with(kPrefix)) return std::nullopt;
  if (std::find(user.groups.begin(), user.groups.end(), "system:nodes") == user.groups.end())
    return std::nullopt;
  return user.name.substr(kPrefix.size());
}

}  // namespace ukube::rbac
