#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "garbage_collector.h"

namespace ukube {
class TypeRegistry;
}

// The garbage collector's view of the type registry.
namespace ukube::controllers::gc {

// What the collector watches: every stored resource it can list, watch and delete, once
// per resource whatever the versions served, except events (upstream ignores them too:
// many, short-lived, never owners).
std::vector<ResourceMapping> watched_resources(const TypeRegistry& types);

// The resource serving `kind` at `api_version` ("apps/v1", "v1"); nullopt when none does.
std::optional<ResourceMapping> resolve_kind(const TypeRegistry& types, std::string_view api_version,
                                            std::string_view kind);

}  // namespace ukube::controllers::gc
