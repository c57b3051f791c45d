#include "ukube/types.h"

namespace ukube {

std::string GroupVersionResource::to_string() const {
  return group.empty() ? resource + "." + version : resource + "." + version + "." + group;
}

std::string TypeInfo::key_prefix() const {
  return "/" + (group.empty() ? std::string("core") : group) + "/" + plural + "/";
}

std::string TypeInfo::group_resource() const {
  return group.empty() ? plural : plural + "." + group;
}

TypeRegistry::~TypeRegistry() = default;

}  // namespace ukube
