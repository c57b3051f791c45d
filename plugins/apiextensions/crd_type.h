#pragma once

#include <memory>
#include <string>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/types.h"

// apiextensions.k8s.io/v1 CustomResourceDefinition as a type: names, table, defaults,
// validation (crd_validation.cpp) and schema (crd_schema.cpp).
namespace ukube::apiextensions {

inline constexpr const char* kGroup = "apiextensions.k8s.io";
inline constexpr const char* kCleanupFinalizer = "customresourcecleanup.apiextensions.k8s.io";
inline const GroupVersionResource kCustomResourceDefinitions{kGroup, "v1", "customresourcedefinitions"};

// `object_meta_schema`: the registry's ObjectMeta schema, null when there is none.
TypeInfo crd_type(std::shared_ptr<const boost::json::object> object_meta_schema);

const boost::json::object& crd_schema();
void default_crd(boost::json::object& crd);
// Upstream's CRD validation; `old` is null on create.
void validate_crd(const boost::json::object& crd, const boost::json::object* old,
                  std::vector<FieldError>& out);

// The version stored (storage: true), "" when none is.
std::string storage_version(const boost::json::object& crd);

}  // namespace ukube::apiextensions
