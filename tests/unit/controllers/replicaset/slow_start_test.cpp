// Upstream's TestSlowStartBatch: batches of 1, 2, 4, ... that stop after the first batch
// with a failure.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>

#include "ukube/controller/slow_start.h"

namespace ukube::controller {
namespace {

struct SlowStartCase {
  int count;
  int initial;
  int fail_from;  // calls with an index >= this fail; -1: none
  int calls;      // expected calls made
  int successes;
};

class SlowStart : public ::testing::TestWithParam<SlowStartCase> {};

TEST_P(SlowStart, StopsAfterTheFirstBatchWithAFailure) {
  const SlowStartCase& c = GetParam();
  std::atomic<int> calls{0};
  BatchOutcome outcome = slow_start_batch(c.count, c.initial, [&](int index) {
    ++calls;
    if (c.fail_from >= 0 && index >= c.fail_from) throw std::runtime_error("call " + std::to_string(index));
  });
  EXPECT_EQ(calls.load(), c.calls);
  EXPECT_EQ(outcome.successes, c.successes);
  EXPECT_EQ(static_cast<bool>(outcome), c.fail_from < 0 || c.fail_from >= c.count);
}

INSTANTIATE_TEST_SUITE_P(Batches, SlowStart,
                         ::testing::Values(SlowStartCase{0, 1, -1, 0, 0},     // nothing to do
                                           SlowStartCase{10, 1, -1, 10, 10},  // 1 + 2 + 4 + 3
                                           SlowStartCase{10, 1, 0, 1, 0},     // the first call fails
                                           SlowStartCase{10, 1, 1, 3, 1},     // in the batch of 2
                                           SlowStartCase{10, 1, 3, 7, 3},     // in the batch of 4
                                           SlowStartCase{10, 1, 9, 10, 9},    // in the last batch of 3
                                           SlowStartCase{10, 3, 3, 9, 3},     // batches of 3, then 6
                                           SlowStartCase{25, 1, 16, 25,
                                                         16}));  // 1+2+4+8 ok, then 9 of 10 fail

TEST(SlowStartBatch, ReportsTheFailureAndCallsEachIndexOnce) {
  std::mutex mutex;
  std::multiset<int> seen;
  BatchOutcome outcome = slow_start_batch(
      64, 64,
      [&](int index) {
        {
          std::lock_guard lock(mutex);
          seen.insert(index);
        }
        if (index == 40) throw std::invalid_argument("forty");
      },
      8);
  EXPECT_EQ(seen.size(), 64u);
  for (int i = 0; i < 64; ++i) EXPECT_EQ(seen.count(i), 1u) << i;
  EXPECT_EQ(outcome.successes, 63);
  ASSERT_TRUE(outcome.error);
  try {
    std::rethrow_exception(outcome.error);
  } catch (const std::invalid_argument& e) {
    EXPECT_STREQ(e.what(), "forty");
  }
}

}  // namespace
}  // namespace ukube::controller
