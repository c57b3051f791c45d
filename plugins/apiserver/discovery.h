#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/types.h"

// Discovery documents generated from the type registry, rebuilt only when its
// generation moves: the legacy forms (APIVersions, APIGroupList, APIGroup,
// APIResourceList) and the aggregated apidiscovery.k8s.io v2 / v2beta1 lists.
namespace ukube::apiserver {

// One group with its versions, most preferred first (what upstream would pick).
struct GroupVersions {
  std::string group;  // "" for the core group
  std::vector<std::string> versions;
  std::map<std::string, std::vector<TypeInfoPtr>> types;  // by version, sorted by plural
};

struct DiscoveryDocs {
  uint64_t generation = 0;
  std::vector<GroupVersions> groups;  // the core group (if any) first, then upstream's group order
  std::string api_versions;           // GET /api
  std::string group_list;             // GET /apis
  std::string api_aggregated_v2, api_aggregated_v2beta1;
  std::string apis_aggregated_v2, apis_aggregated_v2beta1;
  std::map<std::string, std::string> group_docs;      // GET /apis/<group>
  std::map<std::string, std::string> resource_lists;  // by group version: "v1", "apps/v1"
};

DiscoveryDocs build_discovery(const std::vector<TypeInfoPtr>& types, uint64_t generation,
                              const std::string& server_address);

// Upstream's storageVersionHash of a stored resource: the first 8 bytes of the SHA-256 of
// "<group>/<storage version>/<kind>", base64. Every version of a resource shares it, and it
// changes when the storage version does (clients use it to know when to migrate).
std::string storage_version_hash(const TypeInfo& type);

class Discovery {
 public:
  Discovery(const TypeRegistry& types, std::string server_address)
      : types_(types), server_address_(std::move(server_address)) {}
  std::shared_ptr<const DiscoveryDocs> docs() const;

 private:
  const TypeRegistry& types_;
  const std::string server_address_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const DiscoveryDocs> cached_;
};

}  // namespace ukube::apiserver
