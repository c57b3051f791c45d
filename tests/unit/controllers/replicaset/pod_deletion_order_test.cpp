// Which pods go first when a controller scales down (upstream's
// TestSortingActivePodsWithRanks and the pod-deletion-cost tests of controller_utils_test.go).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cctype>
#include <limits>

#include "replicaset_test_support.h"
#include "ukube/controller/pod_deletion_order.h"

namespace ukube::controller::rs_test {
namespace {

using ::testing::ElementsAre;

// `first` goes before `second`, and not the other way round.
struct OrderCase {
  std::string name;
  TestPod first;
  int first_rank;
  TestPod second;
  int second_rank;
  bool with_now = true;
};

void PrintTo(const OrderCase& c, std::ostream* os) {
  *os << c.name;
}

class DeletionOrder : public ::testing::TestWithParam<OrderCase> {};

TEST_P(DeletionOrder, FirstComesBeforeSecond) {
  const OrderCase& c = GetParam();
  std::optional<Clock::time_point> now;
  if (c.with_now) now = kNow;
  EXPECT_TRUE(delete_before(c.first.object(), c.first_rank, c.second.object(), c.second_rank, now));
  EXPECT_FALSE(delete_before(c.second.object(), c.second_rank, c.first.object(), c.first_rank, now));
}

// A scheduled, running, ready pod: what the cases vary one rule at a time.
TestPod settled(const std::string& name) {
  TestPod pod(name);
  pod.node("node-1").ready(kNow - 10h).created(kNow - 20h);
  return pod;
}

std::vector<OrderCase> order_cases() {
  std::vector<OrderCase> cases;
  auto add = [&](std::string name, TestPod first, int first_rank, TestPod second, int second_rank,
                 bool with_now = true) {
    cases.push_back(
        {std::move(name), std::move(first), first_rank, std::move(second), second_rank, with_now});
  };
  add("unassigned before assigned", TestPod("a").phase("Pending"), 0, settled("b"), 0);
  add("unassigned before assigned whatever else", TestPod("a").ready(kNow - 10h), 0,
      TestPod("b").node("n").phase("Pending"), 0);
  add("pending before unknown", TestPod("a").node("n").phase("Pending"), 0,
      TestPod("b").node("n").phase("Unknown"), 0);
  add("unknown before running", TestPod("a").node("n").phase("Unknown"), 0,
      TestPod("b").node("n").phase("Running"), 0);
  add("an unset phase counts as pending", TestPod("a").node("n").phase(""), 0,
      TestPod("b").node("n").phase("Unknown"), 0);
  add("not ready before ready", TestPod("a").node("n").not_ready(), 0, settled("b"), 0);
  add("lower deletion cost first", settled("a").deletion_cost("-10"), 0, settled("b"), 0);
  add("deletion cost before colocation", settled("a").deletion_cost("1"), 0, settled("b").deletion_cost("5"),
      9);
  add("an invalid deletion cost counts as 0", settled("a").deletion_cost("+5"), 0,
      settled("b").deletion_cost("1"), 0);
  add("more colocated pods first", settled("a"), 3, settled("b"), 1);
  add("colocation before ready time", TestPod("a").node("n").ready(kNow - 40h), 2,
      TestPod("b").node("n").ready(kNow - 1min), 1);
  add("ready for less time first", TestPod("b").node("n").ready(kNow - 1h), 0,
      TestPod("a").node("n").ready(kNow - 10h), 0);
  // 40 and 70 minutes are both in the bucket of 2^41 to 2^42 ns: the uid decides, not the time.
  add("same ready bucket: lower uid first", TestPod("a").node("n").ready(kNow - 70min), 0,
      TestPod("b").node("n").ready(kNow - 40min), 0);
  add("without a reference time ready times compare exactly", TestPod("b").node("n").ready(kNow - 40min), 0,
      TestPod("a").node("n").ready(kNow - 70min), 0, false);
  add("same ready time: more restarts first", settled("b").restarts(3), 0, settled("a").restarts(1), 0);
  add("more restarts before creation time", settled("b").restarts(1).created(kNow - 30h), 0,
      settled("a").created(kNow - 1h), 0);
  add("newer first", settled("b").created(kNow - 1h), 0, settled("a").created(kNow - 10h), 0);
  add("same creation bucket: lower uid first", settled("a").created(kNow - 70min), 0,
      settled("b").created(kNow - 40min), 0);
  add("without a reference time creation times compare exactly", settled("b").created(kNow - 40min), 0,
      settled("a").created(kNow - 70min), 0, false);
  add("no creation time first", settled("b").no_creation_time(), 0, settled("a").created(kNow - 1min), 0);
  return cases;
}

std::string order_case_name(const ::testing::TestParamInfo<OrderCase>& info) {
  std::string out;
  for (char ch : info.param.name) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

INSTANTIATE_TEST_SUITE_P(Rules, DeletionOrder, ::testing::ValuesIn(order_cases()), order_case_name);

TEST(DeletionOrderTies, PodsNoRuleTellsApartAreNotOrdered) {
  TestPod a = settled("a");
  TestPod b = settled("b");
  b.uid("uid-a");
  EXPECT_FALSE(delete_before(a.object(), 0, b.object(), 0, kNow));
  EXPECT_FALSE(delete_before(b.object(), 0, a.object(), 0, kNow));
}

TEST(PodDeletionCost, ReadsA32BitIntegerWrittenPlainly) {
  const std::vector<std::pair<std::string, int32_t>> cases = {
      {"0", 0},
      {"12", 12},
      {"-7", -7},
      {"2147483647", 2147483647},
      {"-2147483648", std::numeric_limits<int32_t>::min()},
      {"2147483648", 0},
      {"+5", 0},
      {"007", 0},
      {"", 0},
      {"1.5", 0},
      {"ten", 0},
      {" 5", 0},
      {"5 ", 0},
      {"-", 0}};
  for (const auto& [text, cost] : cases)
    EXPECT_EQ(pod_deletion_cost(settled("p").deletion_cost(text).object()), cost) << "\"" << text << "\"";
  EXPECT_EQ(pod_deletion_cost(settled("p").object()), 0);
}

TEST(SortForDeletion, OrdersAWholeListByTheRules) {
  std::vector<RankedPod> pods = {
      {settled("running-old").created(kNow - 30h).ptr(), 0},
      {TestPod("pending").phase("Pending").ptr(), 0},
      {TestPod("not-ready").node("n").not_ready().ptr(), 0},
      {settled("doubled-up").ptr(), 2},
      {settled("cheap").deletion_cost("-1").ptr(), 0},
      {settled("running-new").created(kNow - 1min).ptr(), 0},
  };
  sort_for_deletion(pods, kNow);
  std::vector<std::string> names;
  for (const auto& p : pods) names.push_back(machinery::name_of(*p.pod));
  EXPECT_THAT(names,
              ElementsAre("pending", "not-ready", "cheap", "doubled-up", "running-new", "running-old"));
}

TEST(RankByColocation, CountsTheActiveRelatedPodsOnEachPodsNode) {
  std::vector<ObjectPtr> pods = {settled("a").node("n1").ptr(), settled("b").node("n2").ptr(),
                                 TestPod("c").ptr()};
  std::vector<ObjectPtr> related = pods;
  related.push_back(settled("d").node("n1").ptr());
  related.push_back(settled("gone").node("n2").deleting().ptr());  // inactive: not counted
  related.push_back(settled("done").node("n2").phase("Succeeded").ptr());
  std::vector<RankedPod> ranked = rank_by_colocation(pods, related);
  ASSERT_EQ(ranked.size(), 3u);
  EXPECT_EQ(ranked[0].rank, 2);
  EXPECT_EQ(ranked[1].rank, 1);
  EXPECT_EQ(ranked[2].rank, 1);  // the unassigned pod itself
}

TEST(PodsToDelete, TakesTheFirstInDeletionOrderOrAllWhenAllGo) {
  std::vector<ObjectPtr> pods = {settled("old").created(kNow - 30h).ptr(),
                                 TestPod("pending").phase("Pending").ptr(),
                                 settled("new").created(kNow - 1min).ptr()};
  auto names = [](const std::vector<ObjectPtr>& list) {
    std::vector<std::string> out;
    for (const auto& p : list) out.push_back(machinery::name_of(*p));
    return out;
  };
  EXPECT_THAT(names(pods_to_delete(pods, {}, 2, kNow)), ElementsAre("pending", "new"));
  EXPECT_THAT(names(pods_to_delete(pods, {}, 3, kNow)), ElementsAre("old", "pending", "new"));
  EXPECT_THAT(names(pods_to_delete(pods, {}, 0, kNow)), ::testing::IsEmpty());
}

}  // namespace
}  // namespace ukube::controller::rs_test
