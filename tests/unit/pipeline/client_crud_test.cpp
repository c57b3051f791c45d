// REST semantics of the pipeline, observed through LocalClient as a plugin sees them.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "kernel/pipeline/local_client.h"
#include "tests/support/eventually.h"
#include "tests/support/test_kernel.h"

namespace ukube::testing {
namespace {

class ClientCrud : public ::testing::Test {
 protected:
  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
};

TEST_F(ClientCrud, CreateFillsServerSideMetadata) {
  auto created = client->create(kConfigMaps, "ns1", configmap("a", {{"k", "v"}}));
  EXPECT_EQ(meta(created, "name"), "a");
  EXPECT_EQ(meta(created, "namespace"), "ns1");
  EXPECT_EQ(meta(created, "uid").size(), 36u);
  EXPECT_EQ(meta(created, "generation"), "1");
  EXPECT_EQ(meta(created, "creationTimestamp").size(), 20u);
  EXPECT_EQ(meta(created, "resourceVersion"), std::to_string(kernel.store().current_revision()));
  EXPECT_EQ(created->at("kind"), "ConfigMap");
  EXPECT_EQ(created->at("apiVersion"), "v1");

  auto got = client->get(kConfigMaps, "ns1", "a");
  EXPECT_EQ(*got, *created);
}

TEST_F(ClientCrud, WritesWhoseAnswerIsIgnoredReturnNothing) {
  WriteOptions ignored;
  ignored.return_object = false;
  EXPECT_EQ(client->create(kConfigMaps, "ns1", configmap("a", {{"k", "v"}}), ignored), nullptr);
  EXPECT_EQ(client->get(kConfigMaps, "ns1", "a")->at("data").at("k"), "v");  // written all the same
  EXPECT_EQ(client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"data":{"k":"w"}})", ignored),
            nullptr);
  EXPECT_EQ(client->get(kConfigMaps, "ns1", "a")->at("data").at("k"), "w");

  // Best-effort creates do not wait for their commit, but are still checked first.
  WriteOptions queued = ignored;
  queued.wait_for_commit = false;
  EXPECT_EQ(client->create(kConfigMaps, "ns1", configmap("b"), queued), nullptr);
  EXPECT_TRUE(eventually([&] { return client->list(kConfigMaps, "ns1").items.size() == 2; }));
  auto bad = expect_error([&] { client->create(kConfigMaps, "ns1", configmap("Bad_Name"), queued); });
  EXPECT_EQ(bad.code(), 422);
}

TEST_F(ClientCrud, CacheReadsLeaveOutManagedFieldsAndUpdatesWithoutThemKeepThem) {
  client->create(kConfigMaps, "ns1", configmap("a", {{"k", "v"}}));
  auto whole = client->get(kConfigMaps, "ns1", "a");
  ASSERT_TRUE(whole->at("metadata").as_object().contains("managedFields"));

  pipeline::LocalClient cache(kernel.pipeline(), test_admin(),
                              pipeline::LocalClient::Reads::WithoutManagedFields);
  auto got = cache.get(kConfigMaps, "ns1", "a", {}, "");
  EXPECT_FALSE(got->at("metadata").as_object().contains("managedFields"));
  auto listed = cache.list(kConfigMaps, "ns1", {});
  ASSERT_EQ(listed.items.size(), 1u);
  EXPECT_FALSE(listed.items[0]->at("metadata").as_object().contains("managedFields"));
  ListOptions from_list;
  from_list.resource_version = listed.resource_version;
  auto stream = cache.watch(kConfigMaps, "ns1", from_list);

  // A controller writing back what its cache holds keeps the object's field owners.
  boost::json::object edited = *got;
  edited["data"].as_object()["k"] = "w";
  client->update(kConfigMaps, "ns1", edited);
  auto event = stream->next(std::chrono::seconds(5));
  ASSERT_TRUE(event);
  EXPECT_EQ(event->object->at("data").at("k"), "w");
  EXPECT_FALSE(event->object->at("metadata").as_object().contains("managedFields"));
  auto after = client->get(kConfigMaps, "ns1", "a");
  EXPECT_EQ(after->at("data").at("k"), "w");
  EXPECT_EQ(after->at("metadata").at("managedFields"), whole->at("metadata").at("managedFields"));
}

TEST_F(ClientCrud, ErrorsReadLikeUpstream) {
  client->create(kConfigMaps, "ns1", configmap("a"));
  auto dup = expect_error([&] { client->create(kConfigMaps, "ns1", configmap("a")); });
  EXPECT_EQ(dup.code(), 409);
  EXPECT_EQ(dup.reason(), "AlreadyExists");
  EXPECT_STREQ(dup.what(), "configmaps \"a\" already exists");

  auto missing = expect_error([&] { client->get(kWidgets, "ns1", "nope"); });
  EXPECT_EQ(missing.code(), 404);
  EXPECT_STREQ(missing.what(), "widgets.example.com \"nope\" not found");
  auto status = boost::json::parse(missing.status_json()).as_object();
  EXPECT_EQ(status["kind"], "Status");
  EXPECT_EQ(status["reason"], "NotFound");
  EXPECT_EQ(status["details"].as_object()["group"], "example.com");
  EXPECT_EQ(status["details"].as_object()["kind"], "widgets");

  auto unknown = expect_error([&] { client->list({"", "v1", "gizmos"}, "ns1"); });
  EXPECT_EQ(unknown.code(), 404);

  auto bad_name = expect_error([&] { client->create(kConfigMaps, "ns1", configmap("Bad_Name")); });
  EXPECT_EQ(bad_name.code(), 422);
  EXPECT_EQ(bad_name.reason(), "Invalid");
  EXPECT_NE(
      std::string(bad_name.what()).find("ConfigMap \"Bad_Name\" is invalid: metadata.name: Invalid value"),
      std::string::npos)
      << bad_name.what();
  ASSERT_EQ(bad_name.causes.size(), 1u);
  EXPECT_EQ(bad_name.causes[0].field, "metadata.name");

  boost::json::object widget{{"metadata", {{"name", "w"}}}, {"spec", {{"size", -1}}}};
  auto invalid = expect_error([&] { client->create(kWidgets, "ns1", widget); });
  EXPECT_STREQ(
      invalid.what(),
      "Widget.example.com \"w\" is invalid: spec.size: Invalid value: must be a non-negative integer");

  auto wrong_ns = expect_error([&] {
    auto cm = configmap("b");
    cm["metadata"].as_object()["namespace"] = "other";
    client->create(kConfigMaps, "ns1", cm);
  });
  EXPECT_EQ(wrong_ns.code(), 400);

  auto with_rv = expect_error([&] {
    auto cm = configmap("c");
    cm["metadata"].as_object()["resourceVersion"] = "5";
    client->create(kConfigMaps, "ns1", cm);
  });
  EXPECT_EQ(with_rv.code(), 400);
}

TEST_F(ClientCrud, GenerateNameAndDefaulting) {
  boost::json::object w{{"metadata", {{"generateName", "w-"}}}};
  auto created = client->create(kWidgets, "ns1", w);
  std::string name = meta(created, "name");
  EXPECT_EQ(name.size(), 7u);
  EXPECT_EQ(name.rfind("w-", 0), 0u);
  EXPECT_EQ(created->at("spec").at("color"), "blue");
}

TEST_F(ClientCrud, ClusterScopedTypes) {
  auto created = client->create(kClusterThings, "", boost::json::object{{"metadata", {{"name", "t"}}}});
  EXPECT_EQ(meta(created, "namespace"), "");
  EXPECT_EQ(expect_error([&] { client->get(kClusterThings, "ns1", "t"); }).code(), 404);
  EXPECT_EQ(meta(client->get(kClusterThings, "", "t"), "name"), "t");
}

TEST_F(ClientCrud, UpdateIsOptimisticallyConcurrent) {
  auto v1 = client->create(kConfigMaps, "ns1", configmap("a", {{"k", "1"}}));
  boost::json::object edit = *v1;
  edit["data"].as_object()["k"] = "2";
  auto v2 = client->update(kConfigMaps, "ns1", edit);
  EXPECT_EQ(v2->at("data").at("k"), "2");
  EXPECT_GT(std::stoll(meta(v2, "resourceVersion")), std::stoll(meta(v1, "resourceVersion")));
  EXPECT_EQ(meta(v2, "uid"), meta(v1, "uid"));
  EXPECT_EQ(meta(v2, "generation"), "2");

  // The same stale edit again: rejected with upstream's message.
  auto stale = expect_error([&] { client->update(kConfigMaps, "ns1", edit); });
  EXPECT_EQ(stale.code(), 409);
  EXPECT_STREQ(
      stale.what(),
      "Operation cannot be fulfilled on configmaps \"a\": the object has been modified; please apply your "
      "changes to the latest version and try again");

  // Without a resourceVersion the update is unconditional.
  boost::json::object blind = configmap("a", {{"k", "3"}});
  auto v3 = client->update(kConfigMaps, "ns1", blind);
  EXPECT_EQ(v3->at("data").at("k"), "3");

  // A no-op update does not create a revision.
  auto before = kernel.store().current_revision();
  auto v4 = client->update(kConfigMaps, "ns1", *v3);
  EXPECT_EQ(meta(v4, "resourceVersion"), meta(v3, "resourceVersion"));
  EXPECT_EQ(kernel.store().current_revision(), before);

  // Labels are metadata: no generation bump.
  boost::json::object labelled = *v3;
  labelled["metadata"].as_object()["labels"] = boost::json::object{{"a", "b"}};
  auto v5 = client->update(kConfigMaps, "ns1", labelled);
  EXPECT_EQ(meta(v5, "generation"), meta(v3, "generation"));

  EXPECT_EQ(expect_error([&] { client->update(kConfigMaps, "ns1", configmap("ghost")); }).code(), 404);
}

TEST_F(ClientCrud, StatusSubresourceSeparatesSpecAndStatus) {
  boost::json::object w{
      {"metadata", {{"name", "w"}}}, {"spec", {{"size", 1}}}, {"status", {{"ready", true}}}};
  auto created = client->create(kWidgets, "ns1", w);
  boost::json::object edit = *created;
  edit["spec"].as_object()["size"] = 2;
  edit["status"] = boost::json::object{{"ready", false}};
  auto updated = client->update(kWidgets, "ns1", edit);
  EXPECT_EQ(updated->at("spec").at("size"), 2);
  EXPECT_EQ(updated->at("status").at("ready"), true) << "main resource must not change status";
  EXPECT_EQ(meta(updated, "generation"), "2");

  boost::json::object status_edit = *updated;
  status_edit["spec"].as_object()["size"] = 99;
  status_edit["status"] = boost::json::object{{"ready", false}};
  auto status_updated = client->update(kWidgets, "ns1", status_edit, {}, "status");
  EXPECT_EQ(status_updated->at("status").at("ready"), false);
  EXPECT_EQ(status_updated->at("spec").at("size"), 2) << "status must not change spec";
  EXPECT_EQ(meta(status_updated, "generation"), "2");

  EXPECT_EQ(expect_error([&] { client->update(kConfigMaps, "ns1", configmap("x"), {}, "status"); }).code(),
            404);
}

TEST_F(ClientCrud, SubresourceWritersChangeTheParent) {
  client->create(kWidgets, "ns1", boost::json::object{{"metadata", {{"name", "w"}}}});
  auto painted = client->create(kWidgets, "ns1", boost::json::object{{"color", "red"}}, {}, "paint", "w");
  EXPECT_EQ(painted->at("spec").at("color"), "red");
  EXPECT_EQ(client->get(kWidgets, "ns1", "w")->at("spec").at("color"), "red");
  EXPECT_EQ(expect_error([&] { client->create(kWidgets, "ns1", {}, {}, "frobnicate", "w"); }).code(), 404);
  EXPECT_EQ(expect_error([&] {
              client->create(kWidgets, "ns1", {{"color", "x"}}, {}, "paint", "ghost");
            }).code(),
            404);
}

TEST_F(ClientCrud, PatchTypes) {
  client->create(kConfigMaps, "ns1", configmap("a", {{"k", "1"}, {"drop", "x"}}));
  auto merged =
      client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"data":{"k":"2","drop":null}})");
  EXPECT_EQ(merged->at("data"), (boost::json::object{{"k", "2"}}));
  auto patched = client->patch(kConfigMaps, "ns1", "a", PatchType::JsonPatch,
                               R"([{"op":"add","path":"/data/n","value":"3"}])");
  EXPECT_EQ(patched->at("data").at("n"), "3");

  auto pinned = expect_error([&] {
    client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, R"({"metadata":{"resourceVersion":"1"}})");
  });
  EXPECT_EQ(pinned.reason(), "Conflict");
  EXPECT_EQ(
      expect_error([&] { client->patch(kConfigMaps, "ns1", "a", PatchType::JsonMerge, "{nope"); }).code(),
      400);
  EXPECT_EQ(expect_error([&] { client->patch(kConfigMaps, "ns1", "zz", PatchType::JsonMerge, "{}"); }).code(),
            404);
  auto strategic = client->patch(kConfigMaps, "ns1", "a", PatchType::StrategicMerge, R"({"data":{"s":"4"}})");
  EXPECT_EQ(strategic->at("data").at("s"), "4");
  EXPECT_EQ(
      expect_error([&] { client->patch(kConfigMaps, "ns1", "a", PatchType::StrategicMerge, "[]"); }).code(),
      400);
}

TEST_F(ClientCrud, DeleteHonoursPreconditionsAndFinalizers) {
  auto a = client->create(kConfigMaps, "ns1", configmap("a"));
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "not-the-uid";
  auto e = expect_error([&] { client->remove(kConfigMaps, "ns1", "a", wrong_uid); });
  EXPECT_EQ(e.code(), 409);
  EXPECT_NE(std::string(e.what()).find("Precondition failed: UID in precondition: not-the-uid"),
            std::string::npos);

  auto deleted = client->remove(kConfigMaps, "ns1", "a");
  EXPECT_EQ(meta(deleted, "uid"), meta(a, "uid"));
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "a"); }).code(), 404);
  EXPECT_EQ(expect_error([&] { client->remove(kConfigMaps, "ns1", "a"); }).code(), 404);

  auto held = configmap("held");
  held["metadata"].as_object()["finalizers"] = boost::json::array{"example.com/hold"};
  client->create(kConfigMaps, "ns1", held);
  auto marked = client->remove(kConfigMaps, "ns1", "held");
  EXPECT_FALSE(meta(marked, "deletionTimestamp").empty());
  auto still = client->get(kConfigMaps, "ns1", "held");
  EXPECT_FALSE(meta(still, "deletionTimestamp").empty());

  // Removing the last finalizer completes the deletion.
  client->patch(kConfigMaps, "ns1", "held", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "held"); }).code(), 404);
}

TEST_F(ClientCrud, DryRunWritesNothing) {
  WriteOptions dry;
  dry.dry_run = true;
  auto before = kernel.store().current_revision();
  auto would = client->create(kConfigMaps, "ns1", configmap("a"), dry);
  EXPECT_EQ(meta(would, "name"), "a");
  EXPECT_EQ(kernel.store().current_revision(), before);
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "a"); }).code(), 404);
}

TEST_F(ClientCrud, ListFiltersAndPagesAtOneRevision) {
  for (int i = 0; i < 10; ++i)
    client->create(kConfigMaps, i < 5 ? "ns1" : "ns2",
                   configmap("cm" + std::to_string(i), {}, {{"parity", i % 2 ? "odd" : "even"}}));
  client->create(kWidgets, "ns1", boost::json::object{{"metadata", {{"name", "w"}}}});

  EXPECT_EQ(client->list(kConfigMaps, "").items.size(), 10u);
  EXPECT_EQ(client->list(kConfigMaps, "ns1").items.size(), 5u);
  ListOptions odd;
  odd.label_selector = "parity=odd";
  EXPECT_EQ(client->list(kConfigMaps, "").items.size() - client->list(kConfigMaps, "", odd).items.size(), 5u);
  ListOptions by_name;
  by_name.field_selector = "metadata.name=cm7";
  auto one = client->list(kConfigMaps, "", by_name);
  ASSERT_EQ(one.items.size(), 1u);
  EXPECT_EQ(meta(one.items[0], "namespace"), "ns2");
  ListOptions bad;
  bad.label_selector = "a in b";
  EXPECT_EQ(expect_error([&] { client->list(kConfigMaps, "", bad); }).code(), 400);

  // Pages stay at the first page's revision even while writes continue.
  ListOptions page;
  page.limit = 3;
  std::vector<std::string> names;
  std::string first_rv;
  do {
    auto l = client->list(kConfigMaps, "", page);
    if (first_rv.empty()) {
      first_rv = l.resource_version;
      ASSERT_TRUE(l.remaining_item_count.has_value());
      EXPECT_EQ(*l.remaining_item_count, 7);
    }
    EXPECT_EQ(l.resource_version, first_rv);
    for (auto& item : l.items) names.push_back(meta(item, "name"));
    page.continue_token = l.continue_token;
    client->create(kConfigMaps, "ns3", configmap("late" + std::to_string(names.size())));
  } while (!page.continue_token.empty());
  EXPECT_EQ(names.size(), 10u);

  // Paging with a selector still fills pages with matching items.
  ListOptions even_pages;
  even_pages.label_selector = "parity=even";
  even_pages.limit = 2;
  size_t even = 0;
  do {
    auto l = client->list(kConfigMaps, "", even_pages);
    for (auto& item : l.items) EXPECT_EQ(item->at("metadata").at("labels").at("parity"), "even");
    even += l.items.size();
    even_pages.continue_token = l.continue_token;
  } while (!even_pages.continue_token.empty());
  EXPECT_EQ(even, 5u);

  ListOptions forged;
  forged.continue_token = "bm90LWpzb24=";
  EXPECT_EQ(expect_error([&] { client->list(kConfigMaps, "", forged); }).code(), 400);
}

class DenyingAuthorizer : public Authorizer {
 public:
  AuthzResult authorize(const RequestAttributes& a) override {
    if (a.user.name == "alice" && a.verb == "get") return {AuthzResult::Decision::Allow, ""};
    return {AuthzResult::Decision::NoOpinion, ""};
  }
};

TEST_F(ClientCrud, AuthorizationDecidesEveryCall) {
  client->create(kConfigMaps, "ns1", configmap("a"));
  kernel.auth().add_authorizer("deny", std::make_shared<DenyingAuthorizer>());
  auto alice = kernel.client(UserInfo{"alice", "", {"dev"}, {}});
  EXPECT_EQ(meta(alice->get(kConfigMaps, "ns1", "a"), "name"), "a");
  auto e = expect_error([&] { alice->list(kConfigMaps, "ns1"); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_STREQ(
      e.what(),
      "configmaps is forbidden: User \"alice\" cannot list resource \"configmaps\" in API group \"\" in the "
      "namespace \"ns1\"");
  auto cluster = expect_error([&] { alice->list(kClusterThings, ""); });
  EXPECT_NE(std::string(cluster.what()).find("at the cluster scope"), std::string::npos);
}

class LabelStamper : public AdmissionPlugin {
 public:
  void admit(AdmissionRequest& r) override {
    if (r.object) (*r.object)["metadata"].as_object()["labels"] = boost::json::object{{"stamped", "yes"}};
  }
  void validate(const AdmissionRequest& r) override {
    if (r.operation == AdmissionOperation::Delete && r.name == "protected")
      throw ApiError::forbidden("configmaps \"protected\" is protected");
  }
};

TEST_F(ClientCrud, AdmissionMutatesAndRejects) {
  kernel.auth().add_admission("stamper", std::make_shared<LabelStamper>());
  auto created = client->create(kConfigMaps, "ns1", configmap("protected"));
  EXPECT_EQ(created->at("metadata").at("labels").at("stamped"), "yes");
  EXPECT_EQ(expect_error([&] { client->remove(kConfigMaps, "ns1", "protected"); }).code(), 403);
  kernel.auth().remove("stamper");
  client->remove(kConfigMaps, "ns1", "protected");
}

}  // namespace
}  // namespace ukube::testing
