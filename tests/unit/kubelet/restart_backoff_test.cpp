#include <gtest/gtest.h>

#include "kubelet/restart_backoff.h"

namespace ukube::kubelet {
namespace {

using namespace std::chrono_literals;
using Clock = RestartBackoff::Clock;

TEST(RestartBackoff, FirstRetryIsImmediateThenDoublesFromEachFailure) {
  RestartBackoff b;
  const Clock::time_point t0 = Clock::now();
  EXPECT_FALSE(b.remaining("p/c", t0, t0));  // never failed before: restart now
  b.next("p/c", t0);
  EXPECT_EQ(b.delay("p/c"), 10s);
  // Failed again 1 s after the restart: wait 10 s from that failure.
  const auto t1 = t0 + 1s;
  auto wait = b.remaining("p/c", t1, t1 + 4s);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 6s);
  EXPECT_FALSE(b.remaining("p/c", t1, t1 + 10s));
  b.next("p/c", t1);
  EXPECT_EQ(b.delay("p/c"), 20s);
  for (int i = 0; i < 10; ++i) b.next("p/c", t1 + std::chrono::seconds(i));
  EXPECT_EQ(b.delay("p/c"), 300s);  // capped at five minutes
}

TEST(RestartBackoff, StartsOverAfterAQuietSpellAndForgetsAPod) {
  RestartBackoff b;
  const Clock::time_point t0 = Clock::now();
  b.next("uid/a", t0);
  b.next("uid/a", t0 + 1s);
  EXPECT_EQ(b.delay("uid/a"), 20s);
  b.next("uid/a", t0 + 1s + 601s);  // failures more than twice the cap apart
  EXPECT_EQ(b.delay("uid/a"), 10s);
  b.next("uid/b", t0);
  b.next("other/a", t0);
  b.forget_prefix("uid/");
  EXPECT_EQ(b.delay("uid/a"), 0s);
  EXPECT_EQ(b.delay("uid/b"), 0s);
  EXPECT_EQ(b.delay("other/a"), 10s);
  EXPECT_TRUE(b.remaining_since_last("other/a", t0 + 5s));
  EXPECT_FALSE(b.remaining_since_last("uid/a", t0 + 5s));
}

}  // namespace
}  // namespace ukube::kubelet
