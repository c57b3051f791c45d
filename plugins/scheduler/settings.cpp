#include "settings.h"

#include <google/protobuf/util/json_util.h>
#include <unistd.h>

#include <boost/json.hpp>
#include <random>
#include <stdexcept>

#include "scheduler/config.pb.h"

namespace ukube::scheduler {
using namespace config;
namespace {

PluginSetSpec to_spec(const PluginSet& set) {
  PluginSetSpec out;
  for (const auto& e : set.enabled()) out.enabled.push_back({e.name(), e.weight()});
  for (const auto& d : set.disabled()) out.disabled.push_back(d.name());
  return out;
}

ProfileSpec to_spec(const Profile& p, size_t index) {
  ProfileSpec spec;
  if (!p.scheduler_name().empty()) spec.scheduler_name = p.scheduler_name();
  if (p.has_percentage_of_nodes_to_score()) {
    if (p.percentage_of_nodes_to_score() > 100)
      throw std::invalid_argument("profiles[" + std::to_string(index) +
                                  "].percentageOfNodesToScore must be 0 to 100");
    spec.percentage_of_nodes_to_score = static_cast<int32_t>(p.percentage_of_nodes_to_score());
  }
  const Plugins& plugins = p.plugins();
  spec.multi_point = to_spec(plugins.multi_point());
  const PluginSet* sets[] = {&plugins.queue_sort(),  &plugins.pre_filter(), &plugins.filter(),
                             &plugins.post_filter(), &plugins.pre_score(),  &plugins.score(),
                             &plugins.reserve(),     &plugins.permit(),     &plugins.pre_bind(),
                             &plugins.bind(),        &plugins.post_bind()};
  for (size_t i = 0; i < kPointCount; ++i) spec.points[i] = to_spec(*sets[i]);
  for (const auto& pc : p.plugin_config()) {
    std::string text;
    auto st = google::protobuf::util::MessageToJsonString(pc.args(), &text);
    if (!st.ok()) throw std::invalid_argument("pluginConfig " + pc.name() + ": " + st.ToString());
    boost::json::value v = boost::json::parse(text.empty() ? "{}" : text);
    spec.args[pc.name()] = v.is_object() ? v.get_object() : boost::json::object{};
  }
  return spec;
}

}  // namespace

Settings resolve_settings(const config::SchedulerConfig& config) {
  Settings s;
  auto& sched = s.scheduler;
  if (config.profiles_size() > 0) {
    sched.profiles.clear();
    for (int i = 0; i < config.profiles_size(); ++i) sched.profiles.push_back(to_spec(config.profiles(i), i));
  }
  if (config.percentage_of_nodes_to_score() > 100)
    throw std::invalid_argument("percentageOfNodesToScore must be 0 to 100");
  sched.percentage_of_nodes_to_score = static_cast<int32_t>(config.percentage_of_nodes_to_score());
  if (config.pod_initial_backoff_seconds() > 0)
    sched.queue.initial_backoff = std::chrono::seconds(config.pod_initial_backoff_seconds());
  if (config.pod_max_backoff_seconds() > 0)
    sched.queue.max_backoff = std::chrono::seconds(config.pod_max_backoff_seconds());
  if (sched.queue.max_backoff < sched.queue.initial_backoff)
    throw std::invalid_argument("podMaxBackoffSeconds must not be less than podInitialBackoffSeconds");
  if (config.write_workers() > 64) throw std::invalid_argument("writeWorkers must be at most 64");
  if (config.write_workers() > 0) sched.write_workers = config.write_workers();
  if (config.has_scheduled_events()) sched.scheduled_events = config.scheduled_events();

  const LeaderElection& le = config.leader_election();
  s.leader.enabled = le.leader_elect();
  if (!le.resource_namespace().empty()) s.leader.ns = le.resource_namespace();
  if (!le.resource_name().empty()) s.leader.name = le.resource_name();
  if (le.lease_duration_seconds() > 0)
    s.leader.lease_duration = std::chrono::seconds(le.lease_duration_seconds());
  if (le.renew_deadline_seconds() > 0)
    s.leader.renew_deadline = std::chrono::seconds(le.renew_deadline_seconds());
  if (le.retry_period_seconds() > 0) s.leader.retry_period = std::chrono::seconds(le.retry_period_seconds());
  if (s.leader.renew_deadline >= s.leader.lease_duration)
    throw std::invalid_argument("leaderElection.renewDeadlineSeconds must be less than leaseDurationSeconds");
  s.leader.identity = le.identity().empty() ? controller::default_identity() : le.identity();
  return s;
}

}  // namespace ukube::scheduler
