// Server-side apply and field ownership (metadata.managedFields), through LocalClient.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "kernel/pipeline/field_set.h"
#include "kernel/pipeline/managed_fields.h"
#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

TEST(FieldSet, CollectsWhatAnObjectSets) {
  auto object = J(R"({"metadata":{"name":"web","labels":{"app":"web"}},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{"containers":[
      {"name":"web","image":"nginx","args":["a"],"ports":[{"containerPort":80}]}]}}}})");
  pipeline::FieldSet set;
  pipeline::collect_fields(object, pipeline::SchemaView(&schema::deployment_instance()), set);
  pipeline::drop_server_fields(set);
  // Keyed list elements are members themselves ("."), atomic values are leaves, and a
  // list map key the client omitted takes its schema default (protocol TCP).
  EXPECT_EQ(set.to_json(), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},
    "f:spec":{"f:replicas":{},"f:selector":{},"f:template":{"f:spec":{"f:containers":{
      "k:{\"name\":\"web\"}":{".":{},"f:args":{},"f:image":{},"f:name":{},
        "f:ports":{"k:{\"containerPort\":80,\"protocol\":\"TCP\"}":{".":{},"f:containerPort":{}}}}}}}}})"));
  EXPECT_EQ(pipeline::FieldSet::from_json(set.to_json()).to_json(), set.to_json());
  EXPECT_EQ(pipeline::path_string(
                {"f:spec", "f:template", "f:spec", "f:containers", "k:{\"name\":\"web\"}", "f:image"}),
            ".spec.template.spec.containers[name=\"web\"].image");
  EXPECT_EQ(pipeline::path_string({"f:metadata", "f:finalizers", "v:\"x\""}), ".metadata.finalizers[=\"x\"]");
}

// Creates print their FieldsV1 in one walk; the text is the trie's, member for member and
// in the same order.
TEST(FieldSet, PrintedInOneWalkAsTheTriePrintsIt) {
  const char* const objects[] = {
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","namespace":"d","uid":"u",
        "labels":{"b":"1","a":"2"},"finalizers":["z","a","z"],"annotations":{}},
        "spec":{"replicas":2,"paused":null,"selector":{"matchLabels":{"app":"web"}},"template":{"spec":{
          "containers":[{"name":"web","image":"nginx","ports":[{"containerPort":80},{"containerPort":80,"protocol":"TCP"}]},
                        {"name":"web","args":["a"]},{"name":"side","env":[]}]}}},"status":{"replicas":1}})",
      R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"only-server-fields","namespace":"d"}})",
      R"({})",
      R"({"metadata":{}})",
      R"({"metadata":{"name":"n","labels":{}},"spec":{}})",
      R"({"spec":{"template":{"spec":{"containers":[]}}},"extra":{"a":[1,2],"b":{"c":null},"d":{}}})",
  };
  const pipeline::SchemaView schema(&schema::deployment_instance());
  for (const char* text : objects) {
    SCOPED_TRACE(text);
    const json::object object = J(text);
    pipeline::FieldSet set;
    pipeline::collect_fields(object, schema, set);
    json::object printed = pipeline::fields_v1_of(object, schema);
    EXPECT_EQ(json::serialize(printed), json::serialize(set.to_json()));
    pipeline::drop_server_fields(set);
    pipeline::drop_server_fields(printed);
    EXPECT_EQ(json::serialize(printed), json::serialize(set.to_json()));
  }
}

TEST(FieldSet, SetAlgebra) {
  pipeline::FieldSet a, b;
  a.insert({"f:a", "f:b"});
  a.insert({"f:a", "f:c"});
  a.insert({"f:d"});
  b.insert({"f:a", "f:b"});
  pipeline::FieldSet diff = a;
  diff.subtract(b);
  EXPECT_FALSE(diff.contains({"f:a", "f:b"}));
  EXPECT_TRUE(diff.contains({"f:a", "f:c"}));
  pipeline::FieldSet roots;
  roots.insert({"f:a"});
  pipeline::FieldSet erased = a;
  erased.erase_subtrees(roots);
  EXPECT_EQ(erased.to_json(), J(R"({"f:d":{}})"));
  EXPECT_TRUE(a.owns_at_or_under({"f:a"}));
  EXPECT_FALSE(a.owns_at_or_under({"f:x"}));
}

class ServerSideApply : public ::testing::Test {
 protected:
  WriteOptions as(const char* manager, bool force = false) {
    WriteOptions o;
    o.field_manager = manager;
    o.force = force;
    return o;
  }
  ObjectPtr apply(const char* manager, const std::string& body, bool force = false) {
    return client->patch(kDeployments, "ns1", "web", PatchType::Apply, body, as(manager, force));
  }
  static std::string config(const char* spec, const char* labels = R"({"app":"web"})") {
    return std::string(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":)") +
           labels + R"(},"spec":)" + spec + "}";
  }
  const json::object* entry(const ObjectPtr& o, const std::string& manager, const std::string& operation) {
    const auto& list = o->at("metadata").at("managedFields").as_array();
    for (const auto& e : list)
      if (e.at("manager") == manager.c_str() && e.at("operation") == operation.c_str()) return &e.as_object();
    return nullptr;
  }

  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
};

TEST_F(ServerSideApply, CreatesTheObjectAndRecordsOwnership) {
  auto created =
      apply("kubectl",
            config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}})"));
  EXPECT_EQ(meta(created, "name"), "web");
  EXPECT_EQ(meta(created, "namespace"), "ns1");
  EXPECT_EQ(meta(created, "uid").size(), 36u);
  EXPECT_EQ(created->at("spec").at("replicas"), 2);
  const auto& fields = created->at("metadata").at("managedFields").as_array();
  ASSERT_EQ(fields.size(), 1u);
  const auto& e = fields[0].as_object();
  EXPECT_EQ(e.at("manager"), "kubectl");
  EXPECT_EQ(e.at("operation"), "Apply");
  EXPECT_EQ(e.at("apiVersion"), "apps/v1");
  EXPECT_EQ(e.at("fieldsType"), "FieldsV1");
  EXPECT_EQ(e.at("time").as_string().size(), 20u);
  EXPECT_EQ(e.at("fieldsV1"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{},
    "f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{},"f:name":{}}}}}}})"));
  EXPECT_EQ(*client->get(kDeployments, "ns1", "web"), *created);
}

TEST_F(ServerSideApply, RequestChecks) {
  auto no_manager = expect_error(
      [&] { client->patch(kDeployments, "ns1", "web", PatchType::Apply, config("{}"), WriteOptions{}); });
  EXPECT_EQ(no_manager.code(), 422);
  EXPECT_STREQ(
      no_manager.what(),
      "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch");

  auto other_name = expect_error(
      [&] { client->patch(kDeployments, "ns1", "other", PatchType::Apply, config("{}"), as("kubectl")); });
  EXPECT_EQ(other_name.code(), 400);
  EXPECT_STREQ(other_name.what(), "the name of the object (web) does not match the name on the URL (other)");

  EXPECT_EQ(expect_error([&] { apply("kubectl", R"({"metadata":{"name":"web"}})"); }).code(), 400);
  EXPECT_EQ(expect_error([&] { apply("kubectl", "not json"); }).code(), 400);

  auto unknown = expect_error([&] { apply("kubectl", config(R"({"replicas":1,"bad":true})")); });
  EXPECT_EQ(unknown.code(), 400);
  EXPECT_STREQ(
      unknown.what(),
      "failed to create typed patch object (ns1/web; apps/v1, Kind=Deployment): .spec.bad: field not "
      "declared in schema");
  auto in_list = expect_error([&] {
    apply("kubectl", config(R"({"template":{"spec":{"containers":[{"name":"a","imagePullpolicy":"x"}]}}})"));
  });
  EXPECT_NE(
      std::string(in_list.what())
          .find(".spec.template.spec.containers[name=\"a\"].imagePullpolicy: field not declared in schema"),
      std::string::npos)
      << in_list.what();
  EXPECT_EQ(expect_error([&] { client->get(kDeployments, "ns1", "web"); }).code(), 404)
      << "nothing was created";
}

TEST_F(ServerSideApply, ReapplyingTheSameConfigurationIsANoOp) {
  auto body = config(R"({"replicas":2})");
  auto first = apply("kubectl", body);
  auto before = kernel.store().current_revision();
  auto second = apply("kubectl", body);
  EXPECT_EQ(kernel.store().current_revision(), before);
  EXPECT_EQ(*second, *first);
}

TEST_F(ServerSideApply, RemovesWhatTheManagerStoppedApplying) {
  apply("kubectl", config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx",
      "env":[{"name":"A","value":"1"},{"name":"B","value":"2"}]},{"name":"extra","image":"busybox"}]}}})",
                          R"({"app":"web","tier":"front"})"));
  auto after = apply("kubectl",
                     config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx",
      "env":[{"name":"B","value":"2"}]}]}}})"));
  EXPECT_EQ(after->at("metadata").at("labels"), J(R"({"app":"web"})"));
  EXPECT_EQ(after->at("spec").at("template").at("spec").at("containers"),
            json::parse(R"([{"name":"web","image":"nginx","env":[{"name":"B","value":"2"}]}])"));
}

TEST_F(ServerSideApply, KeepsFieldsOtherManagersOwn) {
  apply("kubectl", config(R"({"replicas":2})", R"({"app":"web","tier":"front"})"));
  // Another manager also sets tier (same value: shared) and adds its own label.
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                R"({"metadata":{"labels":{"tier":"front","owner":"ops"}}})", as("ops-tool"));
  auto after = apply("kubectl", config(R"({"replicas":2})"));
  EXPECT_EQ(after->at("metadata").at("labels"), J(R"({"app":"web","owner":"ops"})"))
      << "tier was only kubectl's (the merge patch did not change it); owner is ops-tool's";
  // Applied lists keep elements other managers added.
  client->patch(kDeployments, "ns1", "web", PatchType::StrategicMerge,
                R"({"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"envoy"}]}}}})",
                as("mesh"));
  auto merged =
      apply("kubectl",
            config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx"}]}}})"));
  EXPECT_EQ(merged->at("spec").at("template").at("spec").at("containers"),
            json::parse(R"([{"name":"sidecar","image":"envoy"},{"name":"web","image":"nginx"}])"))
      << "elements only the live list has keep their place";
}

TEST(ServerSideApplyMerge, ListOrderFollowsUpstream) {
  // live [a, s, b] + applied [b, a, c]: s (live only) stays first, shared elements come
  // in the applied order, the new one where the applied list has it.
  TestKernel kernel;
  auto client = kernel.client();
  WriteOptions mesh;
  mesh.field_manager = "mesh";
  client->create(kDeployments, "ns1",
                 J(R"({"metadata":{"name":"web"},"spec":{"template":{"spec":{"containers":[
                   {"name":"a"},{"name":"s"},{"name":"b"}]}}}})"),
                 mesh);
  WriteOptions kubectl;
  kubectl.field_manager = "kubectl";
  kubectl.force = true;
  auto applied = client->patch(kDeployments, "ns1", "web", PatchType::Apply,
                               R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},
                                 "spec":{"template":{"spec":{"containers":[{"name":"b"},{"name":"a"},{"name":"c"}]}}}})",
                               kubectl);
  json::array names;
  for (const auto& c : applied->at("spec").at("template").at("spec").at("containers").as_array())
    names.push_back(c.at("name"));
  EXPECT_EQ(names, json::parse(R"(["s","b","a","c"])"));
}

TEST_F(ServerSideApply, ConflictsUnlessForced) {
  apply("kubectl", config(R"({"replicas":2})"));
  auto conflict = expect_error([&] {
    client->patch(
        kDeployments, "ns1", "web", PatchType::Apply,
        R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})",
        as("hpa"));
  });
  EXPECT_EQ(conflict.code(), 409);
  EXPECT_EQ(conflict.reason(), "Conflict");
  EXPECT_STREQ(conflict.what(), "Apply failed with 1 conflict: conflict with \"kubectl\": .spec.replicas");
  ASSERT_EQ(conflict.causes.size(), 1u);
  EXPECT_EQ(conflict.causes[0].reason, "FieldManagerConflict");
  EXPECT_EQ(conflict.causes[0].field, ".spec.replicas");
  EXPECT_EQ(conflict.causes[0].message, "conflict with \"kubectl\"");
  auto status = json::parse(conflict.status_json()).as_object();
  EXPECT_EQ(status["details"].at("causes").at(0).at("reason"), "FieldManagerConflict");

  // Applying the value already there is shared ownership, not a conflict.
  client->patch(
      kDeployments, "ns1", "web", PatchType::Apply,
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":2}})",
      as("watcher"));

  auto forced = client->patch(
      kDeployments, "ns1", "web", PatchType::Apply,
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"spec":{"replicas":5}})",
      as("hpa", true));
  EXPECT_EQ(forced->at("spec").at("replicas"), 5);
  EXPECT_FALSE(entry(forced, "kubectl", "Apply")->at("fieldsV1").as_object().contains("f:spec"))
      << "force takes the field from kubectl";
  EXPECT_FALSE(entry(forced, "watcher", "Apply")) << "watcher owned nothing else";

  auto back = expect_error([&] { apply("kubectl", config(R"({"replicas":2})")); });
  EXPECT_STREQ(back.what(), "Apply failed with 1 conflict: conflict with \"hpa\": .spec.replicas");
}

TEST_F(ServerSideApply, ConflictsWithUpdatersNameTheirVersionAndTime) {
  apply("kubectl",
        config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}})"));
  client->patch(
      kDeployments, "ns1", "web", PatchType::StrategicMerge,
      R"({"spec":{"replicas":3,"template":{"spec":{"containers":[{"name":"web","image":"nginx:2"}]}}}})",
      as("editor"));
  auto e = expect_error([&] {
    apply("kubectl",
          config(R"({"replicas":2,"template":{"spec":{"containers":[{"name":"web","image":"nginx:1"}]}}})"));
  });
  std::string what = e.what();
  EXPECT_EQ(what.rfind("Apply failed with 2 conflicts: conflicts with \"editor\" using apps/v1 at ", 0), 0u)
      << what;
  EXPECT_NE(what.find(":\n- .spec.replicas\n- .spec.template.spec.containers[name=\"web\"].image"),
            std::string::npos)
      << what;
  ASSERT_EQ(e.causes.size(), 2u);
  EXPECT_EQ(e.causes[0].message.rfind("conflict with \"editor\" using apps/v1 at ", 0), 0u);
}

// kubectl's client-side apply, as it writes: the object, with what it applied recorded
// in the last-applied annotation.
TEST_F(ServerSideApply, KubectlTakesOverWhatItsClientSideApplySet) {
  const std::string last =
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{},"labels":{"app":"web"},)"
      R"("name":"web","namespace":"ns1"},"spec":{"replicas":2}})"
      "\n";
  json::object d = J(R"({"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":2}})");
  d["metadata"].as_object()["annotations"] = {{"kubectl.kubernetes.io/last-applied-configuration", last}};
  client->create(kDeployments, "ns1", d, as("kubectl-client-side-apply"));

  // Another manager gets the conflict; only kubectl's own manager upgrades.
  EXPECT_EQ(expect_error([&] { apply("kubectl-ss", config(R"({"replicas":3})")); }).code(), 409);
  auto applied = [](int replicas) {
    return R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","labels":{"app":"web"},)"
           R"("annotations":{"note":"<b>"}},"spec":{"replicas":)" +
           std::to_string(replicas) + "}}";
  };
  auto upgraded = apply("kubectl", applied(3));
  EXPECT_EQ(upgraded->at("spec").at("replicas"), 3);
  EXPECT_EQ(
      entry(upgraded, "kubectl", "Apply")->at("fieldsV1"),
      J(R"({"f:metadata":{"f:annotations":{"f:note":{}},"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}})"));
  EXPECT_FALSE(
      entry(upgraded, "kubectl-client-side-apply", "Update")->at("fieldsV1").as_object().contains("f:spec"));
  // The annotation now records this apply, as Go encodes it: keys sorted, HTML escaped.
  EXPECT_EQ(
      upgraded->at("metadata").at("annotations").at("kubectl.kubernetes.io/last-applied-configuration"),
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"annotations":{"note":"\u003cb\u003e"},)"
      R"("labels":{"app":"web"},"name":"web","namespace":"ns1"},"spec":{"replicas":3}})"
      "\n");

  // A field changed since by someone else is not excused.
  client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"spec":{"replicas":7}})", as("editor"));
  auto e = expect_error([&] { apply("kubectl", applied(4)); });
  EXPECT_EQ(e.code(), 409);
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].field, ".spec.replicas");
}

TEST_F(ServerSideApply, StatusIsAppliedThroughItsSubresourceOnly) {
  apply("kubectl", config(R"({"replicas":2})"));
  auto main = client->patch(
      kDeployments, "ns1", "web", PatchType::Apply,
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"status":{"replicas":9}})",
      as("kubectl"));
  EXPECT_FALSE(main->contains("status"));
  auto status = client->patch(
      kDeployments, "ns1", "web", PatchType::Apply,
      R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"},"status":{"replicas":1}})",
      as("controller"), "status");
  EXPECT_EQ(status->at("status").at("replicas"), 1);
  auto* e = entry(status, "controller", "Apply");
  ASSERT_TRUE(e);
  EXPECT_EQ(e->at("subresource"), "status");
  EXPECT_EQ(e->at("fieldsV1"), J(R"({"f:status":{"f:replicas":{}}})"));
  EXPECT_EQ(expect_error([&] {
              client->patch(kDeployments, "ns1", "ghost", PatchType::Apply,
                            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"ghost"}})",
                            as("controller"), "status");
            }).code(),
            404);
}

TEST_F(ServerSideApply, ObjectsWithoutHistoryAreOwnedBeforeFirstApply) {
  boost::json::object d = J(R"({"metadata":{"name":"web","managedFields":[{}]},"spec":{"replicas":1}})");
  auto created = client->create(kDeployments, "ns1", d, as("kubectl-create"));
  EXPECT_FALSE(created->at("metadata").as_object().contains("managedFields")) << "[{}] turns tracking off";
  auto e = expect_error([&] { apply("kubectl", config(R"({"replicas":4})")); });
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].message.rfind("conflict with \"before-first-apply\" using apps/v1 at ", 0), 0u);
  EXPECT_EQ(std::string(e.what()),
            "Apply failed with 1 conflict: " + e.causes[0].message + ": .spec.replicas");
  auto same = apply("kubectl", config(R"({"replicas":1})"));
  EXPECT_TRUE(entry(same, "before-first-apply", "Update"));
  EXPECT_TRUE(entry(same, "kubectl", "Apply"));
}

TEST_F(ServerSideApply, UpdatesMoveOwnershipToTheWriter) {
  auto created = client->create(
      kDeployments, "ns1",
      J(R"({"metadata":{"name":"web","labels":{"app":"web"}},"spec":{"replicas":1,"paused":null}})"),
      as("kubectl-create"));
  auto* c = entry(created, "kubectl-create", "Update");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->at("fieldsV1"), J(R"({"f:metadata":{"f:labels":{"f:app":{}}},"f:spec":{"f:replicas":{}}})"));

  auto edited = client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge, R"({"spec":{"replicas":3}})",
                              as("kubectl-edit"));
  EXPECT_EQ(entry(edited, "kubectl-edit", "Update")->at("fieldsV1"), J(R"({"f:spec":{"f:replicas":{}}})"));
  EXPECT_EQ(entry(edited, "kubectl-create", "Update")->at("fieldsV1"),
            J(R"({"f:metadata":{"f:labels":{"f:app":{}}}})"));

  // Removing a field takes it from everyone; an entry left owning nothing disappears.
  auto removed = client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                               R"({"metadata":{"labels":null}})", as("cleaner"));
  EXPECT_FALSE(entry(removed, "kubectl-create", "Update"));
  EXPECT_FALSE(entry(removed, "cleaner", "Update"));
  EXPECT_TRUE(entry(removed, "kubectl-edit", "Update"));

  // Without a field manager, in-process callers are known by their identity.
  auto by_identity = client->patch(kDeployments, "ns1", "web", PatchType::JsonMerge,
                                   R"({"spec":{"replicas":4}})", WriteOptions{});
  EXPECT_TRUE(entry(by_identity, "test-admin", "Update"));

  // A client that sends managedFields back unchanged keeps them.
  json::object edit = *by_identity;
  edit["spec"].as_object()["replicas"] = 4;
  auto before = kernel.store().current_revision();
  client->update(kDeployments, "ns1", edit, as("kubectl-edit"));
  EXPECT_EQ(kernel.store().current_revision(), before) << "a no-op update stays a no-op";
}

}  // namespace
}  // namespace ukube::testing
