#pragma once

#include <map>
#include <shared_mutex>

#include "ukube/types.h"

namespace ukube::registry {

// Thread-safe: CRDs add and remove types while requests read them.
class InMemoryTypeRegistry final : public TypeRegistry {
 public:
  TypeInfoPtr add(TypeInfo type) override;
  bool remove(const GroupVersionResource& gvr) override;
  TypeInfoPtr extend(const GroupVersionResource& gvr, const std::function<void(TypeInfo&)>& edit) override;
  TypeInfoPtr find(const GroupVersionResource& gvr) const override;
  TypeInfoPtr find_kind(const GroupVersionKind& gvk) const override;
  std::vector<TypeInfoPtr> resolve(std::string_view name) const override;
  std::vector<TypeInfoPtr> all() const override;
  uint64_t generation() const override;

 private:
  mutable std::shared_mutex mutex_;
  std::map<std::string, TypeInfoPtr> by_gvr_;  // key: GroupVersionResource::to_string()
  uint64_t generation_ = 0;
};

}  // namespace ukube::registry
