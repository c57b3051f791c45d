#include "kernel/registry/type_registry.h"

#include <algorithm>
#include <mutex>
#include <stdexcept>

namespace ukube::registry {
namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

const std::vector<std::string> kAllVerbs = {"create", "delete", "deletecollection", "get",
                                            "list",   "patch",  "update",           "watch"};

void complete(TypeInfo& type) {
  auto require = [&](const std::string& value, const char* what) {
    if (value.empty())
      throw std::invalid_argument(std::string("type registry: a type needs a ") + what + " (got kind '" +
                                  type.kind + "', plural '" + type.plural + "')");
  };
  require(type.version, "version");
  require(type.kind, "kind");
  require(type.plural, "plural resource name");
  if (type.singular.empty()) type.singular = lower(type.kind);
  if (type.list_kind.empty()) type.list_kind = type.kind + "List";
  if (type.verbs.empty()) type.verbs = kAllVerbs;
}

}  // namespace

TypeInfoPtr InMemoryTypeRegistry::add(TypeInfo type) {
  complete(type);
  auto ptr = std::make_shared<const TypeInfo>(std::move(type));
  std::unique_lock lock(mutex_);
  auto [it, inserted] = by_gvr_.emplace(ptr->gvr().to_string(), ptr);
  if (!inserted)
    throw std::invalid_argument("type registry: resource " + ptr->gvr().to_string() +
                                " is already registered (kind " + it->second->kind + ")");
  ++generation_;
  return ptr;
}

bool InMemoryTypeRegistry::remove(const GroupVersionResource& gvr) {
  std::unique_lock lock(mutex_);
  if (by_gvr_.erase(gvr.to_string()) == 0) return false;
  ++generation_;
  return true;
}

TypeInfoPtr InMemoryTypeRegistry::extend(const GroupVersionResource& gvr,
                                         const std::function<void(TypeInfo&)>& edit) {
  std::unique_lock lock(mutex_);
  auto it = by_gvr_.find(gvr.to_string());
  if (it == by_gvr_.end()) return nullptr;
  TypeInfo copy = *it->second;
  edit(copy);
  complete(copy);
  if (copy.gvr() != it->second->gvr())
    throw std::invalid_argument("type registry: extending " + gvr.to_string() + " may not rename it");
  it->second = std::make_shared<const TypeInfo>(std::move(copy));
  ++generation_;
  return it->second;
}

TypeInfoPtr InMemoryTypeRegistry::find(const GroupVersionResource& gvr) const {
  std::shared_lock lock(mutex_);
  auto it = by_gvr_.find(gvr.to_string());
  return it == by_gvr_.end() ? nullptr : it->second;
}

TypeInfoPtr InMemoryTypeRegistry::find_kind(const GroupVersionKind& gvk) const {
  std::shared_lock lock(mutex_);
  for (const auto& [key, type] : by_gvr_)
    if (type->group == gvk.group && type->version == gvk.version && type->kind == gvk.kind) return type;
  return nullptr;
}

std::vector<TypeInfoPtr> InMemoryTypeRegistry::resolve(std::string_view name) const {
  // "deployments.apps" names a group too; a bare name matches in every group.
  std::string wanted = lower(name), group;
  bool group_given = false;
  if (auto dot = wanted.find('.'); dot != std::string::npos) {
    group = wanted.substr(dot + 1);
    wanted.resize(dot);
    group_given = true;
  }
  std::shared_lock lock(mutex_);
  std::vector<TypeInfoPtr> out;
  for (const auto& [key, type] : by_gvr_) {
    if (group_given && type->group != group) continue;
    bool match =
        type->plural == wanted || type->singular == wanted || lower(type->kind) == wanted ||
        std::find(type->short_names.begin(), type->short_names.end(), wanted) != type->short_names.end();
    if (match) out.push_back(type);
  }
  return out;
}

std::vector<TypeInfoPtr> InMemoryTypeRegistry::all() const {
  std::shared_lock lock(mutex_);
  std::vector<TypeInfoPtr> out;
  out.reserve(by_gvr_.size());
  for (const auto& [key, type] : by_gvr_) out.push_back(type);
  return out;
}

uint64_t InMemoryTypeRegistry::generation() const {
  std::shared_lock lock(mutex_);
  return generation_;
}

}  // namespace ukube::registry
