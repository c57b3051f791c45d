#include "ukube/types.h"

namespace ukube {

std::string GroupVersionResource::to_string() const {
  return group.empty() ? resource + "." + version : resource + "." + version + "." + group;
}

std::string TypeInfo::key_prefix() const {
  const std::string& stored = storage_group.value_or(group);
  return "/" + (stored.empty() ? std::string("core") : stored) + "/" + plural + "/";
}

std::string TypeInfo::group_resource() const {
  return group.empty() ? plural : plural + "." + group;
}

TypeRegistry::~TypeRegistry() = default;

}  // namespace ukube
