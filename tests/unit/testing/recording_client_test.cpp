// The recording decorator: actions as a test asserts on them, and reactors that answer,
// fail or decline a call before the wrapped client sees it.
#include <gtest/gtest.h>

#include "tests/unit/testing/test_support.h"
#include "ukube/machinery/json.h"

namespace ukube::testing::kit {
namespace {

TEST(RecordingClient, RecordsVerbResourceNamespaceNameAndSubresource) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  client.get(kPods, "default", "a", {}, "status");
  client.patch(kPods, "default", "a", PatchType::JsonMerge, R"({"status":{"phase":"Running"}})", {},
               "status");
  ListOptions selected;
  selected.label_selector = "app=web";
  client.list(kPods, "default", selected);
  DeleteOptions precondition;
  precondition.precondition_uid = "u";
  EXPECT_THROW(client.remove(kPods, "default", "a", precondition), ApiError)
      << "failed calls are recorded too";

  auto actions = client.actions();
  ASSERT_EQ(actions.size(), 5u);
  EXPECT_EQ(actions[0].verb, "create");
  EXPECT_EQ(actions[0].resource, kPods);
  EXPECT_EQ(actions[0].ns, "default");
  EXPECT_EQ(actions[0].name, "a");
  ASSERT_TRUE(actions[0].object);
  EXPECT_EQ(*actions[0].object, pod("a"));
  EXPECT_EQ(actions[1].resource_path(), "pods/status");
  EXPECT_EQ(actions[2].patch, R"({"status":{"phase":"Running"}})");
  EXPECT_EQ(actions[2].subresource, "status");
  EXPECT_EQ(actions[3].list_options.label_selector, "app=web");
  EXPECT_EQ(actions[4].verb, "delete");
  EXPECT_EQ(actions[4].delete_options.precondition_uid, "u");

  EXPECT_EQ(client.count("patch", "pods/status"), 1u);
  EXPECT_EQ(client.count("patch", "pods"), 1u) << "a plain resource matches its subresources";
  EXPECT_EQ(client.count("patch", "pods/binding"), 0u);
  EXPECT_EQ(client.count("*", "deployments"), 0u);
  client.clear_actions();
  EXPECT_TRUE(client.actions().empty());
}

TEST(RecordingClient, ReactorsInjectErrorsForTheirVerbAndResourceOnly) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  client.create(kConfigMaps, "default", parse(R"({"metadata":{"name":"c"}})"));
  client.prepend_reactor("delete", "pods", fail_with(ApiError::internal("etcd is down")));
  auto e = error_of([&] { client.remove(kPods, "default", "a"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 500);
  EXPECT_NO_THROW(client.get(kPods, "default", "a")) << "the failed delete deleted nothing";
  EXPECT_NO_THROW(client.remove(kConfigMaps, "default", "c")) << "other resources are untouched";

  client.clear_reactors();
  EXPECT_NO_THROW(client.remove(kPods, "default", "a"));
}

TEST(RecordingClient, NewestReactorFirstAndDecliningPassesOn) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  auto canned = std::make_shared<const json::object>(parse(R"({"metadata":{"name":"canned"}})"));
  client.prepend_reactor("get", "*", answer_with(canned));
  int asked = 0;
  client.prepend_reactor("get", "pods", [&](const Action& action) -> std::optional<Reaction> {
    ++asked;
    EXPECT_EQ(action.name, "a");
    return std::nullopt;
  });
  EXPECT_EQ(client.get(kPods, "default", "a"), canned);
  EXPECT_EQ(asked, 1);
}

TEST(RecordingClient, AReactorCanAnswerAListOrSwallowAWrite) {
  FakeClient client;
  client.prepend_reactor("list", "pods", [](const Action&) -> std::optional<Reaction> {
    Reaction r;
    r.list.resource_version = "42";
    return r;
  });
  client.prepend_reactor("create", "events", answer_with(nullptr));
  EXPECT_EQ(client.list(kPods, "default").resource_version, "42");
  EXPECT_EQ(client.create({"", "v1", "events"}, "default", parse(R"({"metadata":{"name":"e"}})")), nullptr);
  EXPECT_EQ(client.objects().list({"", "v1", "events"}, "default").items.size(), 0u) << "swallowed";
}

TEST(RecordingClient, WrapsAnyClientToCountItsCalls) {
  auto objects = std::make_shared<InMemoryClient>();
  objects->add(kPods, R"({"metadata":{"name":"a","namespace":"default"}})");
  RecordingClient counting(objects);
  EXPECT_EQ(counting.list(kPods, "default").items.size(), 1u);
  counting.list(kPods, "");
  counting.list(kConfigMaps, "default");
  EXPECT_EQ(counting.count("list", "pods"), 2u);
  EXPECT_EQ(counting.count("list", "configmaps"), 1u);
}

TEST(RecordingClient, RecordsTheWriteOptionsOfEveryWrite) {
  FakeClient client;
  WriteOptions best_effort;
  best_effort.return_object = false;
  best_effort.field_manager = "recorder";
  client.create(kPods, "default", pod("a"), best_effort);
  client.update(kPods, "default", pod("a"));
  client.patch(kPods, "default", "a", PatchType::JsonMerge, R"({"metadata":{"labels":{"x":"y"}}})",
               best_effort);

  auto actions = client.actions();
  ASSERT_EQ(actions.size(), 3u);
  EXPECT_FALSE(actions[0].write_options.return_object);
  EXPECT_EQ(actions[0].write_options.field_manager, "recorder");
  EXPECT_TRUE(actions[1].write_options.return_object);
  EXPECT_FALSE(actions[2].write_options.return_object);
}

}  // namespace
}  // namespace ukube::testing::kit
