// The event recorder writes what the correlator decides, in the background and best
// effort, as client-go's broadcaster sends events to its sink.
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "ukube/controller/event_recorder.h"
#include "ukube/testing/fake_client.h"

namespace ukube::controller {
namespace {

using namespace std::chrono_literals;

const GroupVersionResource kRecordedEvents{"", "v1", "events"};

// The recorder's writes to events, in order: what a create sent, or a patch's document.
struct EventWrite {
  std::string verb;  // create / patch
  std::string ns;
  std::string name;
  boost::json::object body;
  WriteOptions options;
};

struct Fixture {
  std::shared_ptr<ukube::testing::FakeClient> client = std::make_shared<ukube::testing::FakeClient>();
  EventClock::time_point now = EventClock::time_point(std::chrono::seconds(1'700'000'000));
  std::unique_ptr<EventRecorder> recorder;

  explicit Fixture(size_t queue_limit = 1000) {
    RecorderSettings s;
    s.source = {"default-scheduler", ""};
    s.queue_limit = queue_limit;
    s.correlator.now = [this] { return now; };
    recorder = std::make_unique<EventRecorder>(client, s);
  }

  std::vector<EventWrite> writes() const {
    std::vector<EventWrite> out;
    for (const auto& a : client->actions("*", "events")) {
      if (a.verb == "create")
        out.push_back({a.verb, a.ns, a.name, *a.object, a.write_options});
      else if (a.verb == "patch")
        out.push_back({a.verb, a.ns, a.name, boost::json::parse(a.patch).as_object(), a.write_options});
    }
    return out;
  }
  // The events as stored in `ns`.
  std::vector<ObjectPtr> events(std::string_view ns) const {
    return client->objects().list(kRecordedEvents, ns).items;
  }
};

boost::json::object pod_object() {
  return boost::json::parse(R"({"apiVersion":"v1","kind":"Pod",
      "metadata":{"name":"web-1","namespace":"shop","uid":"u1","resourceVersion":"9"}})")
      .as_object();
}

TEST(EventRecorder, CreatesAnEventBestEffort) {
  Fixture f;
  f.recorder->event(pod_object(), "Normal", "Scheduled", "Successfully assigned shop/web-1 to node-a");
  f.recorder->flush();
  auto writes = f.writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].verb, "create");
  EXPECT_EQ(writes[0].ns, "shop");
  EXPECT_FALSE(writes[0].options.wait_for_commit);
  EXPECT_FALSE(writes[0].options.return_object);
  const auto& e = writes[0].body;
  EXPECT_EQ(e.at("kind").as_string(), "Event");
  EXPECT_EQ(e.at("reason").as_string(), "Scheduled");
  EXPECT_EQ(e.at("type").as_string(), "Normal");
  EXPECT_EQ(e.at("count").as_int64(), 1);
  EXPECT_EQ(e.at("involvedObject").at("uid").as_string(), "u1");
  EXPECT_EQ(e.at("involvedObject").at("resourceVersion").as_string(), "9");
  EXPECT_EQ(e.at("source").at("component").as_string(), "default-scheduler");
}

TEST(EventRecorder, RepeatsPatchCountAndLastTimestamp) {
  Fixture f;
  f.recorder->event(pod_object(), "Warning", "FailedScheduling", "no fit");
  f.recorder->flush();
  f.now += 2min;
  f.recorder->event(pod_object(), "Warning", "FailedScheduling", "no fit");
  f.recorder->flush();
  auto events = f.events("shop");
  ASSERT_EQ(events.size(), 1u);
  const auto& e = *events.front();
  EXPECT_EQ(e.at("count").as_int64(), 2);
  EXPECT_EQ(e.at("firstTimestamp").as_string(), "2023-11-14T22:13:20Z");
  EXPECT_EQ(e.at("lastTimestamp").as_string(), "2023-11-14T22:15:20Z");
  auto writes = f.writes();
  ASSERT_EQ(writes.size(), 2u);
  EXPECT_EQ(writes[1].verb, "patch");
}

TEST(EventRecorder, ARepeatOfAnEventDeletedMeanwhileIsCreatedAgainWithItsCount) {
  Fixture f;
  f.recorder->event(pod_object(), "Warning", "FailedScheduling", "no fit");
  f.recorder->flush();
  const std::string name = f.writes()[0].name;
  f.client->objects().remove(kRecordedEvents, "shop", name);
  f.recorder->event(pod_object(), "Warning", "FailedScheduling", "no fit");
  f.recorder->flush();
  auto writes = f.writes();
  ASSERT_EQ(writes.size(), 3u);
  EXPECT_EQ(writes[1].verb, "patch");
  EXPECT_EQ(writes[2].verb, "create");
  EXPECT_EQ(writes[2].name, name);
  EXPECT_EQ(writes[2].body.at("count").as_int64(), 2);
}

TEST(EventRecorder, RefusesUnknownTypes) {
  Fixture f;
  f.recorder->event(pod_object(), "Error", "Broken", "x");
  f.recorder->flush();
  EXPECT_TRUE(f.writes().empty());
}

TEST(EventRecorder, ACallerNamesAnotherSource) {
  Fixture f;
  f.recorder->event({"second-scheduler", ""}, reference_to(pod_object()), "Normal", "Scheduled", "ok");
  f.recorder->flush();
  auto writes = f.writes();
  ASSERT_EQ(writes.size(), 1u);
  EXPECT_EQ(writes[0].body.at("source").at("component").as_string(), "second-scheduler");
  EXPECT_EQ(writes[0].body.at("reportingComponent").as_string(), "second-scheduler");
}

TEST(EventRecorder, AFullQueueDropsEventsInsteadOfBlocking) {
  Fixture f(0);  // no room at all
  f.recorder->event(pod_object(), "Normal", "Scheduled", "ok");
  f.recorder->flush();
  EXPECT_TRUE(f.writes().empty());
}

}  // namespace
}  // namespace ukube::controller
