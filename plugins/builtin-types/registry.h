#pragma once

#include <vector>

#include "ukube/types.h"

namespace ukube::builtin {

// Every built-in type, fully described (columns, hooks, schema).
std::vector<TypeInfo> builtin_types();

// Adds them all; on a conflict removes what it added and rethrows. Returns what it added.
std::vector<GroupVersionResource> register_builtin_types(TypeRegistry& registry);
void unregister_builtin_types(TypeRegistry& registry, const std::vector<GroupVersionResource>& added);

}  // namespace ukube::builtin
