#pragma once

#include <string>

#include "ukube/runtime/driver.h"
#include "ukube/runtime/filters.h"

// What the fake driver's files share: the errors for missing records.
namespace ukube::runtime::fake {

inline RuntimeError sandbox_not_found(const std::string& id) {
  return RuntimeError(RuntimeError::Code::NotFound, "pod sandbox \"" + id + "\" not found");
}

}  // namespace ukube::runtime::fake
