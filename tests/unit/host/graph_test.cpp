#include "kernel/host/graph.h"

#include <gtest/gtest.h>

namespace ukube::host {
namespace {

using Deps = std::vector<std::vector<std::size_t>>;
using Order = std::vector<std::size_t>;

TEST(TopologicalOrder, DependenciesFirstTiesInIndexOrder) {
  // 0 needs 3; 1 needs 0; 2 free; 3 free.
  auto result = topological_order(Deps{{3}, {0}, {}, {}});
  EXPECT_EQ(result.order, (Order{2, 3, 0, 1}));
  EXPECT_TRUE(result.cycles.empty());
}

TEST(TopologicalOrder, KeepsIndexOrderWhenNothingIsRequired) {
  EXPECT_EQ(topological_order(Deps{{}, {}, {}}).order, (Order{0, 1, 2}));
}

TEST(TopologicalOrder, DiamondAndDuplicateEdges) {
  // 3 needs 1 and 2 (twice); 1 and 2 need 0.
  auto result = topological_order(Deps{{}, {0}, {0}, {1, 2, 2}});
  EXPECT_EQ(result.order, (Order{0, 1, 2, 3}));
}

TEST(TopologicalOrder, ReportsCyclesAndWhatTheyBlock) {
  // 0 free; 1 -> 2 -> 3 -> 1 is a cycle; 4 needs 2 (blocked); 5 needs 0.
  auto result = topological_order(Deps{{}, {2}, {3}, {1}, {2}, {0}});
  EXPECT_EQ(result.order, (Order{0, 5}));
  ASSERT_EQ(result.cycles.size(), 1u);
  EXPECT_EQ(result.cycles[0], (Order{1, 2, 3}));
  EXPECT_EQ(result.blocked, (Order{4}));
}

TEST(TopologicalOrder, SelfDependencyIsACycle) {
  auto result = topological_order(Deps{{0}, {}});
  EXPECT_EQ(result.order, (Order{1}));
  ASSERT_EQ(result.cycles.size(), 1u);
  EXPECT_EQ(result.cycles[0], (Order{0}));
}

TEST(TopologicalOrder, FindsSeparateCycles) {
  auto result = topological_order(Deps{{1}, {0}, {3}, {2}});
  EXPECT_TRUE(result.order.empty());
  ASSERT_EQ(result.cycles.size(), 2u);
  EXPECT_EQ(result.cycles[0], (Order{0, 1}));
  EXPECT_EQ(result.cycles[1], (Order{2, 3}));
}

}  // namespace
}  // namespace ukube::host
