#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "ukube/informer.h"
#include "ukube/machinery/export.h"

namespace ukube::controller {

// Waits for every informer's first list. Throws std::runtime_error saying what could not
// be listed and, when given, what that means ("could not list pods within 60s; requests
// would be refused"), so a plugin's start() fails with a reason.
UKUBE_MACHINERY_API void wait_for_sync(const std::vector<const Informer*>& informers,
                                       std::chrono::seconds timeout, const std::string& what,
                                       const std::string& consequence = {});

}  // namespace ukube::controller
