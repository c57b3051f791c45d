// The event correlator against the cases of client-go's events cache tests: repeats
// count, similar events combine after ten, old similar events do not, the spam filter
// lets 25 through and then one per five minutes.
#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include <boost/json.hpp>

#include "ukube/controller/event_correlator.h"

namespace ukube::controller {
namespace {

using namespace std::chrono_literals;
using Action = Correlation::Action;

struct FakeTime {
  EventClock::time_point now = EventClock::time_point(std::chrono::seconds(1'700'000'000));
  CorrelatorSettings settings() {
    CorrelatorSettings s;
    s.now = [this] { return now; };
    s.random_name = [] { return std::string("random-name"); };
    return s;
  }
};

ObjectReference pod(const std::string& name = "web-1") {
  return {"Pod", "default", name, "uid-" + name, "v1", "7", ""};
}

const EventSource kScheduler{"default-scheduler", ""};

TEST(EventCorrelator, AFirstEventIsCreatedWithCountOne) {
  FakeTime t;
  EventCorrelator c(t.settings());
  auto r = c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "0/3 nodes are available");
  ASSERT_EQ(r.action, Action::Create);
  EXPECT_EQ(r.event.count, 1);
  EXPECT_EQ(r.event.ns, "default");
  EXPECT_EQ(r.event.first_timestamp, t.now);
  EXPECT_EQ(r.event.last_timestamp, t.now);
  // "<object>.<hex nanoseconds>"
  EXPECT_EQ(r.event.name, "web-1.17979cfe362a0000");
}

TEST(EventCorrelator, ARepeatPatchesTheFirstEvent) {
  FakeTime t;
  EventCorrelator c(t.settings());
  auto first = c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "no fit");
  const auto started = t.now;
  t.now += 2min;
  auto second = c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "no fit");
  t.now += 1min;
  auto third = c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "no fit");
  ASSERT_EQ(second.action, Action::Patch);
  ASSERT_EQ(third.action, Action::Patch);
  EXPECT_EQ(third.event.name, first.event.name);
  EXPECT_EQ(third.event.count, 3);
  EXPECT_EQ(third.event.first_timestamp, started);
  EXPECT_EQ(third.event.last_timestamp, t.now);
  auto patch = repeat_patch(third.event);
  EXPECT_EQ(patch.size(), 3u);
  EXPECT_EQ(patch.at("count").as_int64(), 3);
  EXPECT_EQ(patch.at("message").as_string(), "no fit");
}

TEST(EventCorrelator, EventsDifferingInAnyPartAreNotRepeats) {
  FakeTime t;
  EventCorrelator c(t.settings());
  c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "no fit");
  EXPECT_EQ(c.correlate(pod("web-2"), kScheduler, "Warning", "FailedScheduling", "no fit").action,
            Action::Create);
  EXPECT_EQ(c.correlate(pod(), {"other-scheduler", ""}, "Warning", "FailedScheduling", "no fit").action,
            Action::Create);
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Normal", "FailedScheduling", "no fit").action, Action::Create);
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Warning", "Preempted", "no fit").action, Action::Create);
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Warning", "FailedScheduling", "other").action, Action::Create);
  ObjectReference container = pod();
  container.field_path = "spec.containers{web}";
  EXPECT_EQ(c.correlate(container, kScheduler, "Warning", "FailedScheduling", "no fit").action,
            Action::Create);
}

TEST(EventCorrelator, TheTenthSimilarEventIsCombined) {
  FakeTime t;
  EventCorrelator c(t.settings());
  for (int i = 0; i < 9; ++i) {
    auto r = c.correlate(pod(), kScheduler, "Warning", "BackOff", "message " + std::to_string(i));
    ASSERT_EQ(r.action, Action::Create) << i;
    EXPECT_EQ(r.event.message, "message " + std::to_string(i));
  }
  auto combined = c.correlate(pod(), kScheduler, "Warning", "BackOff", "message 9");
  ASSERT_EQ(combined.action, Action::Create);
  EXPECT_EQ(combined.event.message, "(combined from similar events): message 9");
  EXPECT_EQ(combined.event.count, 1);
  // Later similar events count on the combined one, whatever their message.
  t.now += 1s;
  auto again = c.correlate(pod(), kScheduler, "Warning", "BackOff", "message 10");
  ASSERT_EQ(again.action, Action::Patch);
  EXPECT_EQ(again.event.name, combined.event.name);
  EXPECT_EQ(again.event.count, 2);
  EXPECT_EQ(again.event.message, "(combined from similar events): message 10");
}

TEST(EventCorrelator, SimilarEventsFurtherApartThanTheWindowAreNotCombined) {
  FakeTime t;
  EventCorrelator c(t.settings());
  for (int i = 0; i < 12; ++i) {
    auto r = c.correlate(pod(), kScheduler, "Warning", "BackOff", "message " + std::to_string(i));
    EXPECT_EQ(r.event.message, "message " + std::to_string(i));
    t.now += 601s;
  }
}

TEST(EventCorrelator, TheSpamFilterAllowsABurstOf25ThenOneEveryFiveMinutes) {
  FakeTime t;
  EventCorrelator c(t.settings());
  for (int i = 0; i < 25; ++i)
    EXPECT_NE(c.correlate(pod(), kScheduler, "Normal", "Pulled", "m").action, Action::Skip) << i;
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Normal", "Pulled", "m").action, Action::Skip);
  // Another object, or another type, has buckets of its own.
  EXPECT_NE(c.correlate(pod("web-2"), kScheduler, "Normal", "Pulled", "m").action, Action::Skip);
  EXPECT_NE(c.correlate(pod(), kScheduler, "Warning", "Pulled", "m").action, Action::Skip);
  t.now += 299s;
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Normal", "Pulled", "m").action, Action::Skip);
  t.now += 1s;
  auto refilled = c.correlate(pod(), kScheduler, "Normal", "Pulled", "m");
  ASSERT_EQ(refilled.action, Action::Patch);
  // Skipped repeats were still counted, as upstream counts before it filters.
  EXPECT_EQ(refilled.event.count, 28);
  EXPECT_EQ(c.correlate(pod(), kScheduler, "Normal", "Pulled", "m").action, Action::Skip);
}

TEST(EventCorrelator, AnObjectNameTooLongForTheSuffixGetsARandomName) {
  FakeTime t;
  EventCorrelator c(t.settings());
  auto r = c.correlate(pod(std::string(250, 'a')), kScheduler, "Normal", "Scheduled", "ok");
  EXPECT_EQ(r.event.name, "random-name");
}

TEST(EventCorrelator, ClusterScopedObjectsReportInTheDefaultNamespace) {
  FakeTime t;
  EventCorrelator c(t.settings());
  auto r = c.correlate({"Node", "", "node-1", "uid-n", "v1", "", ""}, {"kubelet", "node-1"}, "Normal",
                       "NodeReady", "ready");
  EXPECT_EQ(r.event.ns, "default");
  auto doc = to_json(r.event);
  EXPECT_EQ(doc.at("metadata").at("namespace").as_string(), "default");
  EXPECT_EQ(doc.at("involvedObject").at("namespace").as_string(), "");
  EXPECT_EQ(doc.at("source").at("host").as_string(), "node-1");
  EXPECT_EQ(doc.at("reportingComponent").as_string(), "kubelet");
  EXPECT_EQ(doc.at("reportingInstance").as_string(), "node-1");
  EXPECT_EQ(doc.at("firstTimestamp").as_string(), "2023-11-14T22:13:20Z");
  EXPECT_FALSE(doc.contains("series"));
}

TEST(EventCorrelator, ReferencesComeFromObjectsOrReferences) {
  auto object = boost::json::parse(R"({"apiVersion":"apps/v1","kind":"Deployment",
      "metadata":{"name":"web","namespace":"shop","uid":"u1","resourceVersion":"42"}})")
                    .as_object();
  ObjectReference ref = reference_to(object);
  EXPECT_EQ(ref.kind, "Deployment");
  EXPECT_EQ(ref.api_version, "apps/v1");
  EXPECT_EQ(ref.ns, "shop");
  EXPECT_EQ(ref.name, "web");
  EXPECT_EQ(ref.uid, "u1");
  EXPECT_EQ(ref.resource_version, "42");
  auto reference = boost::json::parse(R"({"kind":"Pod","namespace":"shop","name":"p","uid":"u2",
      "apiVersion":"v1","fieldPath":"spec.containers{c}"})")
                       .as_object();
  ref = reference_to(reference);
  EXPECT_EQ(ref.name, "p");
  EXPECT_EQ(ref.field_path, "spec.containers{c}");
}

}  // namespace
}  // namespace ukube::controller
