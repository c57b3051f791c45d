// Controller expectations as upstream's controller_utils tests exercise them: satisfied
// when met or expired, raised and lowered, deletions tracked per object.
#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <string>

#include "ukube/controller/expectations.h"

namespace ukube::controller {
namespace {

using namespace std::chrono_literals;

struct FakeClock {
  ExpectationsClock::time_point now{};
  ControllerExpectations::Now fn() {
    return [this] { return now; };
  }
};

TEST(ControllerExpectations, AControllerWithoutExpectationsIsSatisfied) {
  ControllerExpectations e;
  EXPECT_TRUE(e.satisfied("default/rs"));
  EXPECT_FALSE(e.get("default/rs"));
}

TEST(ControllerExpectations, SatisfiedOnceEveryExpectedCreationAndDeletionWasSeen) {
  FakeClock clock;
  ControllerExpectations e(clock.fn());
  e.set("default/rs", 3, 2);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(e.satisfied("default/rs"));
    e.creation_observed("default/rs");
  }
  EXPECT_FALSE(e.satisfied("default/rs"));
  e.deletion_observed("default/rs");
  EXPECT_FALSE(e.satisfied("default/rs"));
  e.deletion_observed("default/rs");
  EXPECT_TRUE(e.satisfied("default/rs"));
  // More observations than expected are harmless.
  e.creation_observed("default/rs");
  EXPECT_TRUE(e.satisfied("default/rs"));
  EXPECT_EQ(e.get("default/rs")->adds, -1);
}

TEST(ControllerExpectations, ExpireAfterFiveMinutes) {
  FakeClock clock;
  ControllerExpectations e(clock.fn());
  e.expect_creations("default/rs", 5);
  clock.now += 5min;
  EXPECT_FALSE(e.satisfied("default/rs"));
  clock.now += 1s;
  EXPECT_TRUE(e.satisfied("default/rs"));
  // New expectations start a new timeout.
  e.expect_creations("default/rs", 1);
  EXPECT_FALSE(e.satisfied("default/rs"));
}

TEST(ControllerExpectations, RaiseAndLowerAdjustRecordedExpectationsOnly) {
  FakeClock clock;
  ControllerExpectations e(clock.fn());
  e.raise("default/none", 1, 1);
  EXPECT_FALSE(e.get("default/none"));
  e.expect_deletions("default/rs", 1);
  e.raise("default/rs", 2, 1);
  EXPECT_EQ(e.get("default/rs")->adds, 2);
  EXPECT_EQ(e.get("default/rs")->deletes, 2);
  e.lower("default/rs", 2, 2);
  EXPECT_TRUE(e.satisfied("default/rs"));
  e.forget("default/rs");
  EXPECT_FALSE(e.get("default/rs"));
}

TEST(TrackingExpectations, EachExpectedDeletionCountsOnce) {
  FakeClock clock;
  TrackingExpectations e(clock.fn());
  e.expect_deletions("default/rs", {"uid-a", "uid-b"});
  EXPECT_EQ(e.counts().get("default/rs")->deletes, 2);
  e.deletion_observed("default/rs", "uid-a");
  e.deletion_observed("default/rs", "uid-a");    // the informer reports it twice
  e.deletion_observed("default/rs", "uid-zzz");  // never asked for
  EXPECT_FALSE(e.satisfied("default/rs"));
  EXPECT_EQ(e.pending_deletions("default/rs"), std::set<std::string>{"uid-b"});
  e.deletion_observed("default/rs", "uid-b");
  EXPECT_TRUE(e.satisfied("default/rs"));
  EXPECT_TRUE(e.pending_deletions("default/rs").empty());
}

TEST(TrackingExpectations, ForgettingAControllerDropsItsDeletions) {
  FakeClock clock;
  TrackingExpectations e(clock.fn());
  e.expect_deletions("default/rs", {"uid-a"});
  e.forget("default/rs");
  EXPECT_TRUE(e.satisfied("default/rs"));
  EXPECT_TRUE(e.pending_deletions("default/rs").empty());
  e.deletion_observed("default/rs", "uid-a");
  EXPECT_FALSE(e.counts().get("default/rs"));
}

}  // namespace
}  // namespace ukube::controller
