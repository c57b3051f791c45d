// The fake Client answers reads and writes as the API server does: server-owned
// metadata, one resourceVersion counter, upstream's errors, the status subresource,
// patches, finalizers and selectors.
#include <gtest/gtest.h>

#include "tests/unit/testing/test_support.h"
#include "ukube/machinery/json.h"

namespace ukube::testing::kit {
namespace {

using machinery::int_at;
using machinery::string_at;

TEST(FakeClientCrud, CreateFillsServerFieldsFromOneResourceVersionCounter) {
  FakeClient client;
  auto a = client.create(kPods, "default", pod("a"));
  auto b = client.create(kDeployments, "default", parse(R"({"metadata":{"name":"d"},"spec":{}})"));
  EXPECT_FALSE(string_at(*a, {"metadata", "uid"}).empty());
  EXPECT_NE(string_at(*a, {"metadata", "uid"}), string_at(*b, {"metadata", "uid"}));
  EXPECT_FALSE(string_at(*a, {"metadata", "creationTimestamp"}).empty());
  EXPECT_EQ(int_at(*a, {"metadata", "generation"}), 1);
  EXPECT_EQ(string_at(*b, {"metadata", "namespace"}), "default") << "the request's namespace is stamped";
  EXPECT_LT(std::stoll(rv_of(*a)), std::stoll(rv_of(*b))) << "one counter across resources";
  EXPECT_EQ(client.list(kPods, "default").resource_version, rv_of(*b)) << "a list is as of the latest write";
  EXPECT_EQ(*client.get(kPods, "default", "a"), *a);
}

TEST(FakeClientCrud, CreateOfAnExistingNameIsAlreadyExists) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  auto e = error_of([&] { client.create(kPods, "default", pod("a")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 409);
  EXPECT_TRUE(is_already_exists(*e));
  EXPECT_STREQ(e->what(), R"(pods "a" already exists)");
  EXPECT_NO_THROW(client.create(kPods, "other", pod("a", "other"))) << "names are per namespace";
}

TEST(FakeClientCrud, GenerateNameMakesAFreshNameAndNoNameIsInvalid) {
  FakeClient client;
  auto created =
      client.create(kPods, "default", parse(R"({"kind":"Pod","metadata":{"generateName":"web-"}})"));
  std::string name = string_at(*created, {"metadata", "name"});
  EXPECT_TRUE(name.starts_with("web-")) << name;
  EXPECT_EQ(name.size(), 9u);
  EXPECT_NO_THROW(client.get(kPods, "default", name));
  auto e = error_of([&] { client.create(kPods, "default", parse(R"({"kind":"Pod","metadata":{}})")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 422);
  EXPECT_TRUE(is_invalid(*e));
}

TEST(FakeClientCrud, MissingObjectsAreNotFound) {
  FakeClient client;
  auto e = error_of([&] { client.get(kPods, "default", "ghost"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 404);
  EXPECT_STREQ(e->what(), R"(pods "ghost" not found)");
  auto deployment = error_of([&] { client.remove(kDeployments, "default", "ghost"); });
  ASSERT_TRUE(deployment);
  EXPECT_STREQ(deployment->what(), R"(deployments.apps "ghost" not found)");
  EXPECT_TRUE(error_of([&] { client.update(kPods, "default", pod("ghost")); }));
  EXPECT_TRUE(error_of([&] { client.patch(kPods, "default", "ghost", PatchType::JsonMerge, "{}"); }));
}

TEST(FakeClientCrud, UpdateWithAStaleResourceVersionIsAConflict) {
  FakeClient client;
  auto v1 = client.create(kPods, "default", pod("a"));
  json::object edit = *v1;
  edit["metadata"].as_object()["labels"] = json::object{{"x", "1"}};
  auto v2 = client.update(kPods, "default", edit);
  EXPECT_NE(rv_of(*v2), rv_of(*v1));

  auto e = error_of([&] { client.update(kPods, "default", edit); });  // still carries v1's version
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 409);
  EXPECT_TRUE(is_conflict(*e));
  EXPECT_STREQ(
      e->what(),
      R"(Operation cannot be fulfilled on pods "a": the object has been modified; please apply your )"
      R"(changes to the latest version and try again)");

  edit["metadata"].as_object().erase("resourceVersion");
  EXPECT_NO_THROW(client.update(kPods, "default", edit)) << "no resourceVersion: an unconditional update";
}

TEST(FakeClientCrud, PlainUpdateKeepsStatusAndStatusUpdateChangesOnlyStatus) {
  FakeClient client;
  auto created = client.create(kPods, "default", pod("a"));
  json::object edit = *created;
  edit["status"] = json::object{{"phase", "Running"}};
  edit["spec"].as_object()["nodeName"] = "n1";
  auto plain = client.update(kPods, "default", edit);
  EXPECT_FALSE(plain->contains("status")) << "a plain update ignores status";
  EXPECT_EQ(string_at(*plain, {"spec", "nodeName"}), "n1");

  json::object status_edit = *plain;
  status_edit["status"] = json::object{{"phase", "Running"}};
  status_edit["spec"].as_object()["nodeName"] = "elsewhere";
  status_edit["metadata"].as_object()["labels"] = json::object{{"sneaky", "yes"}};
  auto status = client.update(kPods, "default", status_edit, {}, "status");
  EXPECT_EQ(string_at(*status, {"status", "phase"}), "Running");
  EXPECT_EQ(string_at(*status, {"spec", "nodeName"}), "n1") << "a status update leaves spec alone";
  EXPECT_EQ(string_at(*status, {"metadata", "labels", "sneaky"}), "") << "and metadata";
  EXPECT_EQ(*client.get(kPods, "default", "a", {}, "status"), *status);
}

TEST(FakeClientCrud, WithoutAStatusSubresourcePlainUpdatesChangeStatus) {
  FakeClient client;
  client.objects().without_status_subresource(kConfigMaps);
  auto created = client.create(kConfigMaps, "default", parse(R"({"metadata":{"name":"c"}})"));
  json::object edit = *created;
  edit["status"] = json::object{{"seen", true}};
  EXPECT_TRUE(client.update(kConfigMaps, "default", edit)->contains("status"));
  auto e = error_of([&] { client.update(kConfigMaps, "default", edit, {}, "status"); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 404);
}

TEST(FakeClientCrud, GenerationMovesWithSpecOnlyAndNoOpWritesWriteNothing) {
  FakeClient client;
  auto v1 = client.create(kPods, "default", pod("a"));
  json::object edit = *v1;
  edit["metadata"].as_object()["labels"] = json::object{{"x", "1"}};
  auto labelled = client.update(kPods, "default", edit);
  EXPECT_EQ(int_at(*labelled, {"metadata", "generation"}), 1) << "metadata is not spec";

  json::object respec = *labelled;
  respec["spec"].as_object()["nodeName"] = "n1";
  auto v3 = client.update(kPods, "default", respec);
  EXPECT_EQ(int_at(*v3, {"metadata", "generation"}), 2);

  auto same = client.update(kPods, "default", *v3);
  EXPECT_EQ(rv_of(*same), rv_of(*v3)) << "an update that changes nothing is not written";
  EXPECT_EQ(client.objects().resource_version(), rv_of(*v3));
}

TEST(FakeClientCrud, ServerOwnedMetadataSurvivesAnUpdate) {
  FakeClient client;
  auto created = client.create(kPods, "default", pod("a"));
  json::object edit = *created;
  edit["metadata"].as_object()["uid"] = "forged";
  edit["metadata"].as_object()["labels"] = json::object{{"x", "1"}};
  auto updated = client.update(kPods, "default", edit);
  EXPECT_EQ(string_at(*updated, {"metadata", "uid"}), string_at(*created, {"metadata", "uid"}));
}

TEST(FakeClientCrud, ABodyInAnotherNamespaceIsABadRequest) {
  FakeClient client;
  auto e = error_of([&] { client.create(kPods, "default", pod("a", "elsewhere")); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 400);
}

TEST(FakeClientCrud, MergeAndJsonPatches) {
  FakeClient client;
  client.create(kPods, "default", pod("a", "default", R"({"app":"web","drop":"me"})"));
  auto merged = client.patch(kPods, "default", "a", PatchType::JsonMerge,
                             R"({"metadata":{"labels":{"drop":null,"tier":"front"}}})");
  EXPECT_EQ(json::serialize(merged->at("metadata").at("labels")), R"({"app":"web","tier":"front"})");

  auto patched = client.patch(kPods, "default", "a", PatchType::JsonPatch,
                              R"([{"op":"replace","path":"/metadata/labels/app","value":"api"}])");
  EXPECT_EQ(string_at(*patched, {"metadata", "labels", "app"}), "api");

  auto failing = error_of([&] {
    client.patch(kPods, "default", "a", PatchType::JsonPatch,
                 R"([{"op":"test","path":"/spec/x","value":1}])");
  });
  ASSERT_TRUE(failing);
  EXPECT_GE(failing->code(), 400);

  auto stale = error_of([&] {
    client.patch(kPods, "default", "a", PatchType::JsonMerge, R"({"metadata":{"resourceVersion":"1"}})");
  });
  ASSERT_TRUE(stale);
  EXPECT_TRUE(is_conflict(*stale));

  auto status = client.patch(kPods, "default", "a", PatchType::JsonMerge,
                             R"({"status":{"phase":"Running"},"spec":{"nodeName":"n1"}})", {}, "status");
  EXPECT_EQ(string_at(*status, {"status", "phase"}), "Running");
  EXPECT_EQ(string_at(*status, {"spec", "nodeName"}), "") << "a status patch leaves spec alone";

  auto apply = error_of([&] { client.patch(kPods, "default", "a", PatchType::Apply, "{}"); });
  ASSERT_TRUE(apply);
  EXPECT_EQ(apply->code(), 415);
}

TEST(FakeClientCrud, DeleteHonoursPreconditions) {
  FakeClient client;
  auto created = client.create(kPods, "default", pod("a"));
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "not-it";
  auto e = error_of([&] { client.remove(kPods, "default", "a", wrong_uid); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(is_conflict(*e));
  EXPECT_STREQ(e->what(),
               (R"(Operation cannot be fulfilled on pods "a": Precondition failed: UID in precondition: )"
                "not-it, UID in object meta: " +
                string_at(*created, {"metadata", "uid"}))
                   .c_str());

  DeleteOptions right_uid;
  right_uid.precondition_uid = string_at(*created, {"metadata", "uid"});
  auto deleted = client.remove(kPods, "default", "a", right_uid);
  ASSERT_TRUE(deleted);
  EXPECT_GT(std::stoll(rv_of(*deleted)), std::stoll(rv_of(*created)));
  EXPECT_TRUE(error_of([&] { client.get(kPods, "default", "a"); }));
}

TEST(FakeClientCrud, FinalizersHoldAnObjectUntilTheLastOneIsRemoved) {
  FakeClient client;
  json::object p = pod("a");
  p["metadata"].as_object()["finalizers"] = json::array{"example.com/guard"};
  client.create(kPods, "default", p);
  auto marked = client.remove(kPods, "default", "a");
  EXPECT_TRUE(machinery::has_deletion_timestamp(*marked));
  auto still = client.get(kPods, "default", "a");
  EXPECT_TRUE(machinery::has_deletion_timestamp(*still));

  client.patch(kPods, "default", "a", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  auto e = error_of([&] { client.get(kPods, "default", "a"); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(is_not_found(*e));
}

TEST(FakeClientCrud, ListAppliesNamespaceLabelAndFieldSelectors) {
  FakeClient client;
  client.create(kPods, "default", pod("web-1", "default", R"({"app":"web"})", R"({"nodeName":"n1"})"));
  client.create(kPods, "default", pod("web-2", "default", R"({"app":"web"})", R"({"nodeName":"n2"})"));
  client.create(kPods, "default", pod("db", "default", R"({"app":"db"})", R"({"nodeName":"n1"})"));
  client.create(kPods, "other", pod("web-3", "other", R"({"app":"web"})"));
  auto names = [&](std::string_view ns, const std::string& labels, const std::string& fields) {
    ListOptions o;
    o.label_selector = labels;
    o.field_selector = fields;
    std::vector<std::string> out;
    for (const auto& item : client.list(kPods, ns, o).items) out.push_back(machinery::name_of(*item));
    return out;
  };
  using V = std::vector<std::string>;
  EXPECT_EQ(names("default", "", ""), (V{"db", "web-1", "web-2"}));
  EXPECT_EQ(names("", "app=web", ""), (V{"web-1", "web-2", "web-3"})) << "\"\" lists every namespace";
  EXPECT_EQ(names("default", "app in (web),app!=db", "spec.nodeName=n1"), (V{"web-1"}));
  EXPECT_EQ(names("default", "", "metadata.name!=db"), (V{"web-1", "web-2"}));

  ListOptions broken;
  broken.label_selector = "app in (";
  auto e = error_of([&] { client.list(kPods, "default", broken); });
  ASSERT_TRUE(e);
  EXPECT_EQ(e->code(), 400);
}

TEST(FakeClientCrud, ListPagesWithLimitAndContinue) {
  FakeClient client;
  for (const char* name : {"a", "b", "c"}) client.create(kPods, "default", pod(name));
  ListOptions first_page;
  first_page.limit = 2;
  auto first = client.list(kPods, "default", first_page);
  ASSERT_EQ(first.items.size(), 2u);
  EXPECT_EQ(first.remaining_item_count, 1);
  ASSERT_FALSE(first.continue_token.empty());
  ListOptions next_page = first_page;
  next_page.continue_token = first.continue_token;
  auto second = client.list(kPods, "default", next_page);
  ASSERT_EQ(second.items.size(), 1u);
  EXPECT_EQ(machinery::name_of(*second.items[0]), "c");
  EXPECT_TRUE(second.continue_token.empty());
}

TEST(FakeClientCrud, BindingAssignsAPodOnce) {
  FakeClient client;
  client.create(kPods, "default", pod("a"));
  auto binding = parse(R"({"kind":"Binding","metadata":{"name":"a"},"target":{"kind":"Node","name":"n1"}})");
  client.create(kPods, "default", binding, {}, "binding", "a");
  EXPECT_EQ(string_at(*client.get(kPods, "default", "a"), {"spec", "nodeName"}), "n1");
  auto e = error_of([&] { client.create(kPods, "default", binding, {}, "binding", "a"); });
  ASSERT_TRUE(e);
  EXPECT_TRUE(is_conflict(*e));
}

TEST(FakeClientCrud, SeededObjectsKeepTheirIdentity) {
  FakeClient client;
  auto seeded = client.add(kPods, R"({"metadata":{"name":"a","namespace":"default","uid":"fixed"}})");
  EXPECT_EQ(string_at(*seeded, {"metadata", "uid"}), "fixed");
  EXPECT_FALSE(rv_of(*seeded).empty());
  EXPECT_EQ(*client.get(kPods, "default", "a"), *seeded);
  EXPECT_EQ(client.count("*"), 1u) << "seeding is not an action; the get is";
}

}  // namespace
}  // namespace ukube::testing::kit
