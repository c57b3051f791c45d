#pragma once

#include <string_view>

#include "ukube/machinery/export.h"

namespace ukube::machinery {

// Whether API version `a` comes before `b` in upstream's preference order (discovery's
// order, the version a client picks): GA before beta before alpha, higher major then
// higher minor first (v2, v1, v1beta2, v1beta1, v1alpha1); strings that are not Kubernetes
// versions come last, alphabetically. A strict weak order, for std::sort.
UKUBE_MACHINERY_API bool version_preferred(std::string_view a, std::string_view b);

}  // namespace ukube::machinery
