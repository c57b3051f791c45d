// Watches of the fake Client: the current state first, or the events after a
// resourceVersion, then every change as it happens, through the watch's selectors.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tests/unit/testing/test_support.h"
#include "ukube/machinery/json.h"

namespace ukube::testing::kit {
namespace {

using namespace std::chrono_literals;

// "ADDED a" for an event; "none" when nothing came.
std::string next_of(WatchStream& w, std::chrono::milliseconds timeout = 1s) {
  auto e = w.next(timeout);
  if (!e) return "none";
  return std::string(to_string(e->type)) + " " + machinery::name_of(*e->object);
}

TEST(FakeClientWatch, FromNothingSendsTheCurrentObjectsThenChanges) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  auto w = client.watch(kPods, "default");
  EXPECT_EQ(next_of(*w), "ADDED a");
  EXPECT_EQ(next_of(*w, 10ms), "none");
  client.create(kPods, "default", pod("b"));
  client.patch(kPods, "default", "a", PatchType::JsonMerge, R"({"metadata":{"labels":{"x":"1"}}})");
  client.remove(kPods, "default", "b");
  EXPECT_EQ(next_of(*w), "ADDED b");
  EXPECT_EQ(next_of(*w), "MODIFIED a");
  EXPECT_EQ(next_of(*w), "DELETED b");
}

TEST(FakeClientWatch, FromAResourceVersionDeliversOnlyLaterEvents) {
  FakeClient client;
  client.create(kPods, "default", pod("before"));
  std::string from = client.list(kPods, "default").resource_version;
  client.create(kPods, "default", pod("after"));
  client.remove(kPods, "default", "before");
  client.create(kConfigMaps, "default", parse(R"({"metadata":{"name":"other-resource"}})"));

  ListOptions o;
  o.resource_version = from;
  auto w = client.watch(kPods, "default", o);
  EXPECT_EQ(next_of(*w), "ADDED after");
  EXPECT_EQ(next_of(*w), "DELETED before");
  EXPECT_EQ(next_of(*w, 10ms), "none");
}

TEST(FakeClientWatch, EventsCarryTheirResourceVersion) {
  FakeClient client;
  auto w = client.watch(kPods, "default");
  auto created = client.create(kPods, "default", pod("a"));
  auto e = w->next(1s);
  ASSERT_TRUE(e);
  EXPECT_EQ(rv_of(*e->object), rv_of(*created));
}

TEST(FakeClientWatch, SelectorsTurnObjectsLeavingOrEnteringIntoDeletedOrAdded) {
  FakeClient client;
  ListOptions o;
  o.label_selector = "app=web";
  o.field_selector = "metadata.namespace=default";
  auto w = client.watch(kPods, "", o);
  client.create(kPods, "default", pod("db", "default", R"({"app":"db"})"));
  client.create(kPods, "other", pod("web", "other", R"({"app":"web"})"));
  client.create(kPods, "default", pod("web", "default", R"({"app":"web"})"));
  EXPECT_EQ(next_of(*w), "ADDED web");
  client.patch(kPods, "default", "web", PatchType::JsonMerge, R"({"metadata":{"labels":{"app":"api"}}})");
  EXPECT_EQ(next_of(*w), "DELETED web") << "no longer selected";
  client.patch(kPods, "default", "db", PatchType::JsonMerge, R"({"metadata":{"labels":{"app":"web"}}})");
  EXPECT_EQ(next_of(*w), "ADDED db") << "selected from now on";
  EXPECT_EQ(next_of(*w, 10ms), "none");
}

TEST(FakeClientWatch, EventsReachAWatcherBlockedOnAnotherThread) {
  FakeClient client;
  auto w = client.watch(kPods, "default");
  std::thread writer([&] {
    std::this_thread::sleep_for(20ms);
    client.create(kPods, "default", pod("late"));
  });
  EXPECT_EQ(next_of(*w, 5s), "ADDED late");
  writer.join();
}

TEST(FakeClientWatch, StopAndTimeoutEndTheStream) {
  FakeClient client;
  auto stopped = client.watch(kPods, "default");
  EXPECT_FALSE(stopped->done());
  stopped->stop();
  EXPECT_TRUE(stopped->done());
  client.create(kPods, "default", pod("a"));
  EXPECT_EQ(next_of(*stopped, 10ms), "none");

  ListOptions o;
  o.timeout = std::chrono::seconds(1);
  auto timed = client.watch(kPods, "default", o);
  EXPECT_EQ(next_of(*timed), "ADDED a");
  EXPECT_EQ(next_of(*timed, 5s), "none");
  EXPECT_TRUE(timed->done());
}

}  // namespace
}  // namespace ukube::testing::kit
