#pragma once

#include <chrono>
#include <string>

#include "runtime/scheduler.h"
#include "ukube/controller/leader_election.h"

namespace ukube::scheduler {

namespace config {
class SchedulerConfig;
}

struct LeaderSettings : controller::LeaseSettings {
  LeaderSettings() { name = "kube-scheduler"; }
  bool enabled = false;
};

struct Settings {
  SchedulerSettings scheduler;
  LeaderSettings leader;
};

// The config with every default applied, so the rest of the plugin never looks at the
// Protobuf message. Throws std::invalid_argument naming the bad field.
Settings resolve_settings(const config::SchedulerConfig& config);

}  // namespace ukube::scheduler
