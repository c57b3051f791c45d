// Watch semantics of the pipeline as clients see them: start points, selectors, 410.
#include <gtest/gtest.h>
#include <boost/json.hpp>
#include <condition_variable>
#include <mutex>

#include "tests/support/test_kernel.h"

namespace ukube::testing {
namespace {

using namespace std::chrono_literals;

std::vector<std::pair<WatchEventType, std::string>> drain(WatchStream& w, size_t want) {
  std::vector<std::pair<WatchEventType, std::string>> out;
  while (out.size() < want) {
    auto e = w.next(5s);
    if (!e) break;
    std::string name = e->type == WatchEventType::Error || e->type == WatchEventType::Bookmark
                           ? std::string()
                           : meta(e->object, "name");
    out.emplace_back(e->type, name);
  }
  return out;
}

using Events = std::vector<std::pair<WatchEventType, std::string>>;

TEST(ClientWatch, EmptyResourceVersionStartsWithCurrentState) {
  TestKernel kernel;
  auto client = kernel.client();
  client->create(kConfigMaps, "ns1", configmap("a"));
  client->create(kConfigMaps, "ns2", configmap("b"));
  auto w = client->watch(kConfigMaps, "ns1");
  client->create(kConfigMaps, "ns1", configmap("c"));
  client->create(kConfigMaps, "ns2", configmap("other-namespace"));
  client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"data":{"x":"1"}})");
  client->remove(kConfigMaps, "ns1", "c");
  EXPECT_EQ(drain(*w, 4), (Events{{WatchEventType::Added, "a"},
                                  {WatchEventType::Added, "c"},
                                  {WatchEventType::Modified, "a"},
                                  {WatchEventType::Deleted, "c"}}));
}

TEST(ClientWatch, ResumesAfterAResourceVersion) {
  TestKernel kernel;
  auto client = kernel.client();
  auto a = client->create(kConfigMaps, "ns1", configmap("a"));
  client->create(kConfigMaps, "ns1", configmap("b"));
  auto deleted = client->remove(kConfigMaps, "ns1", "a");
  ListOptions from;
  from.resource_version = meta(a, "resourceVersion");
  auto w = client->watch(kConfigMaps, "", from);
  auto first = w->next(5s);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->type, WatchEventType::Added);
  EXPECT_EQ(meta(first->object, "name"), "b");
  auto second = w->next(5s);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->type, WatchEventType::Deleted);
  // A DELETED object carries the revision of its deletion.
  EXPECT_EQ(meta(second->object, "resourceVersion"), std::to_string(kernel.store().current_revision()));
}

TEST(ClientWatch, SelectorTransitionsBecomeAddedAndDeleted) {
  TestKernel kernel;
  auto client = kernel.client();
  ListOptions sel;
  sel.label_selector = "app=web";
  auto w = client->watch(kConfigMaps, "ns1", sel);
  client->create(kConfigMaps, "ns1", configmap("a", {}, {{"app", "db"}}));
  client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"metadata":{"labels":{"app":"web"}}})");
  client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"data":{"k":"v"}})");
  client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"metadata":{"labels":{"app":"db"}}})");
  EXPECT_EQ(drain(*w, 3), (Events{{WatchEventType::Added, "a"},
                                  {WatchEventType::Modified, "a"},
                                  {WatchEventType::Deleted, "a"}}));

  ListOptions fields;
  fields.field_selector = "spec.color=red";
  auto wf = client->watch(kWidgets, "", fields);
  client->create(kWidgets, "ns1", boost::json::object{{"metadata", {{"name", "blue"}}}});
  client->create(kWidgets, "ns1",
                 boost::json::object{{"metadata", {{"name", "red"}}}, {"spec", {{"color", "red"}}}});
  EXPECT_EQ(drain(*wf, 1), (Events{{WatchEventType::Added, "red"}}));
}

// Front ends drive watches from an event loop: poll() until it comes back empty, then
// wait for on_ready(). A batch the selector drops entirely must not leave the watch
// waiting for a wake-up that never comes.
TEST(ClientWatch, EventLoopWatchWithASelectorSurvivesBatchesItDropsEntirely) {
  TestKernel kernel;
  auto client = kernel.client();
  ListOptions sel;
  sel.label_selector = "watched=yes";
  auto w = kernel.pipeline().watch(test_admin(), kConfigMaps, "ns1", sel);
  std::mutex mu;
  std::condition_variable cv;
  bool ready = false;
  w->on_ready([&] {
    std::lock_guard lock(mu);
    ready = true;
    cv.notify_all();
  });
  auto next_event = [&]() -> std::optional<RawWatchEvent> {
    auto deadline = std::chrono::steady_clock::now() + 5s;
    for (;;) {
      auto events = w->poll(16);
      if (!events.empty()) return events.front();
      std::unique_lock lock(mu);
      if (!cv.wait_until(lock, deadline, [&] { return ready; })) return std::nullopt;
      ready = false;
    }
  };
  client->create(kConfigMaps, "ns1", configmap("z", {}, {{"watched", "yes"}}));
  auto added = next_event();
  ASSERT_TRUE(added);
  EXPECT_EQ(added->type, WatchEventType::Added);
  client->create(kConfigMaps, "ns1", configmap("unlabelled"));
  EXPECT_TRUE(w->poll(16).empty()) << "the unlabelled configmap is not for this watch";
  {
    // That poll came back empty, so like a front end we now only wait to be woken.
    std::lock_guard lock(mu);
    ready = false;
  }
  client->patch(kConfigMaps, "ns1", "z", PatchType::JsonMerge, R"({"data":{"k":"v"}})");
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, 5s, [&] { return ready; }))
        << "the watch stalled after a batch its selector dropped: on_ready() never came";
  }
  auto modified = next_event();
  ASSERT_TRUE(modified);
  EXPECT_EQ(modified->type, WatchEventType::Modified);
}

TEST(ClientWatch, TooOldResourceVersionIsExpired) {
  TestKernel kernel(/*history=*/8);
  auto client = kernel.client();
  auto first = client->create(kConfigMaps, "ns1", configmap("first"));
  for (int i = 0; i < 20; ++i) client->create(kConfigMaps, "ns1", configmap("cm" + std::to_string(i)));
  ListOptions old;
  old.resource_version = meta(first, "resourceVersion");
  auto w = client->watch(kConfigMaps, "ns1", old);
  auto e = w->next(5s);
  ASSERT_TRUE(e);
  ASSERT_EQ(e->type, WatchEventType::Error);
  EXPECT_EQ(e->object->at("code"), 410);
  EXPECT_EQ(e->object->at("reason"), "Expired");
  EXPECT_FALSE(w->next(100ms));
  EXPECT_TRUE(w->done());
}

TEST(ClientWatch, TimeoutEndsTheStreamAndBookmarksReportProgress) {
  TestKernel kernel;
  auto client = kernel.client();
  ListOptions opts;
  opts.resource_version = std::to_string(kernel.store().current_revision());
  opts.allow_bookmarks = true;
  opts.timeout = 8s;
  auto w = client->watch(kWidgets, "", opts);
  client->create(kConfigMaps, "ns1", configmap("unrelated"));
  auto e = w->next(10s);
  ASSERT_TRUE(e);
  EXPECT_EQ(e->type, WatchEventType::Bookmark);
  EXPECT_EQ(e->object->at("kind"), "Widget");
  EXPECT_EQ(meta(e->object, "resourceVersion"), std::to_string(kernel.store().current_revision()));
  while (w->next(10s)) {
  }
  EXPECT_TRUE(w->done());
}

}  // namespace
}  // namespace ukube::testing
