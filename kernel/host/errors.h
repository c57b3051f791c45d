#pragma once

#include <stdexcept>

namespace ukube::host {

// The daemon's config file is unusable as written; the message names the file, the line
// when known, and what to change.
class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The host refused a plugin set, or a plugin failed during its lifecycle; the message names
// each plugin and the reason.
class HostError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

}  // namespace ukube::host
