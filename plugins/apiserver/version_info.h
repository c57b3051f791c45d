#pragma once

#include <string>

#include "ukube/machinery/release.h"

namespace ukube::apiserver {

using machinery::kGitVersion;
using machinery::kKubeMajor;
using machinery::kKubeMinor;

// The /version document (version.Info).
std::string version_json();

}  // namespace ukube::apiserver
