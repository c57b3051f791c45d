// The plugin's typed config: upstream's KubeSchedulerConfiguration field names, defaults
// applied in one place, bad values named.
#include <google/protobuf/util/json_util.h>
#include <gtest/gtest.h>

#include "scheduler/config.pb.h"
#include "settings.h"

namespace ukube::scheduler::testing {
namespace {

Settings resolve(const std::string& json) {
  config::SchedulerConfig c;
  auto st = google::protobuf::util::JsonStringToMessage(json, &c);
  EXPECT_TRUE(st.ok()) << st.ToString();
  return resolve_settings(c);
}

TEST(SchedulerSettings, Defaults) {
  Settings s = resolve("{}");
  ASSERT_EQ(s.scheduler.profiles.size(), 1u);
  EXPECT_EQ(s.scheduler.profiles[0].scheduler_name, "default-scheduler");
  EXPECT_EQ(s.scheduler.percentage_of_nodes_to_score, 0);
  EXPECT_EQ(s.scheduler.queue.initial_backoff, std::chrono::seconds(1));
  EXPECT_EQ(s.scheduler.queue.max_backoff, std::chrono::seconds(10));
  EXPECT_TRUE(s.scheduler.scheduled_events);
  EXPECT_FALSE(s.leader.enabled);
  EXPECT_EQ(s.leader.ns, "kube-system");
  EXPECT_EQ(s.leader.name, "kube-scheduler");
  EXPECT_FALSE(s.leader.identity.empty());
}

TEST(SchedulerSettings, ProfilesPluginsAndArgs) {
  Settings s = resolve(R"({
    "percentageOfNodesToScore": 30,
    "profiles": [
      {"schedulerName": "default-scheduler"},
      {"schedulerName": "packer", "percentageOfNodesToScore": 100,
       "plugins": {"score": {"enabled": [{"name": "NodeResourcesFit", "weight": 5}],
                             "disabled": [{"name": "NodeResourcesBalancedAllocation"}]},
                   "multiPoint": {"disabled": [{"name": "ImageLocality"}]}},
       "pluginConfig": [{"name": "NodeResourcesFit", "args": {"scoringStrategy": {"type": "MostAllocated"}}}]}],
    "leaderElection": {"leaderElect": true, "resourceName": "sched", "identity": "me"}})");
  EXPECT_EQ(s.scheduler.percentage_of_nodes_to_score, 30);
  ASSERT_EQ(s.scheduler.profiles.size(), 2u);
  const ProfileSpec& p = s.scheduler.profiles[1];
  EXPECT_EQ(p.scheduler_name, "packer");
  EXPECT_EQ(p.percentage_of_nodes_to_score, 100);
  const auto& score = p.points[static_cast<size_t>(Point::Score)];
  ASSERT_EQ(score.enabled.size(), 1u);
  EXPECT_EQ(score.enabled[0].weight, 5);
  EXPECT_EQ(score.disabled, std::vector<std::string>{"NodeResourcesBalancedAllocation"});
  EXPECT_EQ(p.multi_point.disabled, std::vector<std::string>{"ImageLocality"});
  EXPECT_EQ(p.args.at("NodeResourcesFit").at("scoringStrategy").at("type"), "MostAllocated");
  EXPECT_TRUE(s.leader.enabled);
  EXPECT_EQ(s.leader.name, "sched");
  EXPECT_EQ(s.leader.identity, "me");
}

TEST(SchedulerSettings, RejectsBadValues) {
  EXPECT_THROW(resolve(R"({"percentageOfNodesToScore": 101})"), std::invalid_argument);
  EXPECT_THROW(resolve(R"({"podInitialBackoffSeconds": 20, "podMaxBackoffSeconds": 10})"),
               std::invalid_argument);
  EXPECT_THROW(resolve(R"({"leaderElection": {"leaseDurationSeconds": 5, "renewDeadlineSeconds": 5}})"),
               std::invalid_argument);
}

}  // namespace
}  // namespace ukube::scheduler::testing
