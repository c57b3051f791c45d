#pragma once

#include <string_view>

#include "ukube/export.h"
#include "ukube/runtime/types.h"

// What the runtime's list filters mean, once for every driver: every set field must match,
// and every label of a selector must be present with its value.
namespace ukube::runtime {

UKUBE_API bool labels_match(const Labels& labels, const Labels& selector);
UKUBE_API bool matches(const PodSandboxStatus& sandbox, const PodSandboxFilter& filter);
UKUBE_API bool matches(const ContainerStatus& container, const ContainerFilter& filter);
// "Created", "Running", "Exited", "Unknown", for messages.
UKUBE_API std::string_view to_string(ContainerState state);

}  // namespace ukube::runtime
