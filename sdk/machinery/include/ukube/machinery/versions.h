#pragma once

#include <string>
#include <string_view>

#include "ukube/machinery/export.h"

namespace ukube::machinery {

// Whether API version `a` comes before `b` in upstream's preference order (discovery's
// order, the version a client picks): GA before beta before alpha, higher major then
// higher minor first (v2, v1, v1beta2, v1beta1, v1alpha1); strings that are not Kubernetes
// versions come last, alphabetically. A strict weak order, for std::sort.
UKUBE_MACHINERY_API bool version_preferred(std::string_view a, std::string_view b);

// The group and version an apiVersion names: "apps/v1" is {apps, v1}, "v1" the core group's.
struct GroupVersion {
  std::string group;
  std::string version;
};
UKUBE_MACHINERY_API GroupVersion parse_api_version(std::string_view api_version);

}  // namespace ukube::machinery
