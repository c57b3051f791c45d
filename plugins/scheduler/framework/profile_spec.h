#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

// A profile as configured: which plugins run at which extension point, with what args.
// Independent of the config message so tests build frameworks directly.
namespace ukube::scheduler {

enum class Point {
  QueueSort,
  PreFilter,
  Filter,
  PostFilter,
  PreScore,
  Score,
  Reserve,
  Permit,
  PreBind,
  Bind,
  PostBind
};
inline constexpr size_t kPointCount = 11;
const char* to_string(Point p);

struct PluginRef {
  std::string name;
  int32_t weight = 0;  // Score only; 0 means the plugin's default weight (1 when unset)
};

struct PluginSetSpec {
  std::vector<PluginRef> enabled;
  std::vector<std::string> disabled;  // "*" disables every default
};

struct ProfileSpec {
  std::string scheduler_name = "default-scheduler";
  int32_t percentage_of_nodes_to_score = -1;  // < 0: the scheduler-wide value
  // Plugins placed at every extension point they implement; starts from the defaults.
  PluginSetSpec multi_point;
  std::array<PluginSetSpec, kPointCount> points;
  std::map<std::string, boost::json::object> args;  // by plugin name
};

// Upstream's default plugin set, in order, with default score weights.
const std::vector<PluginRef>& default_plugins();

}  // namespace ukube::scheduler
