#include "type_mapping.h"

#include <algorithm>
#include <set>

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
    if (type->ephemeral_create || type->kind == "Event") continue;
    if (!serves(*type, "list") || !serves(*type, "watch") || !serves(*type, "delete")) continue;
    if (!seen.insert(type->key_prefix()).second) continue;
    out.push_back({type->gvr(), type->kind, type->namespaced});
  }
  return out;
}

std::optional<ResourceMapping> resolve_kind(const TypeRegistry& types, std::string_view api_version,
                                            std::string_view kind) {
  GroupVersionKind gvk;
  gvk.kind = kind;
  if (auto slash = api_version.find('/'); slash != std::string_view::npos) {
    gvk.group = api_version.substr(0, slash);
    gvk.version = api_version.substr(slash + 1);
  } else {
    gvk.version = api_version;
  }
  auto type = types.find_kind(gvk);
  if (!type) return std::nullopt;
  return ResourceMapping{type->gvr(), type->kind, type->namespaced};
}

}  // namespace ukube::controllers::gc
