#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/types.h"

// OpenAPI documents generated from the type registry: the v3 index and one v3 document
// per group version, and one v2 document for everything. They carry what kubectl needs:
// a schema per kind tagged with x-kubernetes-group-version-kind (for `explain` and
// client-side strategic merge), and per kind a `patch` operation that takes the
// `fieldValidation` parameter (so `apply`/`create` leave validation to the server) and
// lists every patch content type.
namespace ukube::apiserver {

// Upstream's definition name for a kind: io.k8s.api.apps.v1.Deployment,
// com.example.v1.Widget for a CRD group.
std::string definition_name(const std::string& group, const std::string& version, const std::string& kind);

// "api/v1" or "apis/<group>/<version>": the key of a group version in the v3 index.
std::string openapi_path_key(const std::string& group, const std::string& version);

struct OpenApiV3Docs {
  uint64_t generation = 0;
  std::string index;
  std::map<std::string, std::shared_ptr<const std::string>> documents;  // by path key
  std::map<std::string, std::string> hashes;                            // by path key
};

// `git_version` is the server's version, reported in each document's info.
OpenApiV3Docs build_openapi_v3(const std::vector<TypeInfoPtr>& types, uint64_t generation,
                               const std::string& git_version);
std::string build_openapi_v2(const std::vector<TypeInfoPtr>& types, const std::string& git_version);

// The v2 document twice: JSON, and the protobuf kubectl asks for first.
struct OpenApiV2Docs {
  std::shared_ptr<const std::string> json;
  std::shared_ptr<const std::string> protobuf;
};

class OpenApi {
 public:
  OpenApi(const TypeRegistry& types, std::string git_version)
      : types_(types), git_version_(std::move(git_version)) {}
  std::shared_ptr<const OpenApiV3Docs> v3() const;
  std::shared_ptr<const std::string> v2() const { return v2_docs().json; }
  std::shared_ptr<const std::string> v2_protobuf() const { return v2_docs().protobuf; }

 private:
  const TypeRegistry& types_;
  const std::string git_version_;
  mutable std::mutex mu_;
  mutable std::shared_ptr<const OpenApiV3Docs> v3_;
  OpenApiV2Docs v2_docs() const;

  mutable OpenApiV2Docs v2_;
  mutable uint64_t v2_generation_ = 0;
};

}  // namespace ukube::apiserver
