#include "type_mapping.h"

#include <algorithm>
#include <set>

#include "ukube/machinery/versions.h"
#include "ukube/types.h"

namespace ukube::controllers::gc {
namespace {

bool serves(const TypeInfo& type, std::string_view verb) {
  return type.verbs.empty() || std::find(type.verbs.begin(), type.verbs.end(), verb) != type.verbs.end();
}

}  // namespace

std::vector<ResourceMapping> watched_resources(const TypeRegistry& types) {
  std::vector<ResourceMapping> out;
  std::set<std::string> seen;
  for (const auto& type : types.all()) {
    // One monitor per stored resource, through the version that stores it.
    if (type->ephemeral_create || type->kind == "Event" || !type->is_storage_version()) continue;
    if (!serves(*type, "list") || !serves(*type, "watch") || !serves(*type, "delete")) continue;
    if (!seen.insert(type->key_prefix()).second) continue;
    out.push_back({type->gvr(), type->kind, type->namespaced});
  }
  return out;
}

std::optional<ResourceMapping> resolve_kind(const TypeRegistry& types, std::string_view api_version,
                                            std::string_view kind) {
  machinery::GroupVersion gv = machinery::parse_api_version(api_version);
  auto type = types.find_kind({std::move(gv.group), std::move(gv.version), std::string(kind)});
  if (!type) return std::nullopt;
  return ResourceMapping{type->gvr(), type->kind, type->namespaced};
}

}  // namespace ukube::controllers::gc
