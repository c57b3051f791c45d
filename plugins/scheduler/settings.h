#pragma once

#include <chrono>
#include <string>

#include "runtime/scheduler.h"

namespace ukube::scheduler {

namespace config {
class SchedulerConfig;
}

struct LeaderSettings {
  bool enabled = false;
  std::string ns = "kube-system";
  std::string name = "kube-scheduler";
  std::string identity;
  std::chrono::seconds lease_duration{15};
  std::chrono::seconds renew_deadline{10};
  std::chrono::seconds retry_period{2};
};

struct Settings {
  SchedulerSettings scheduler;
  LeaderSettings leader;
};

// The config with every default applied, so the rest of the plugin never looks at the
// Protobuf message. Throws std::invalid_argument naming the bad field.
Settings resolve_settings(const config::SchedulerConfig& config);

}  // namespace ukube::scheduler
