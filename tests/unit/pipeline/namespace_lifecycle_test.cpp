// Namespace lifecycle, enforced once core/v1 namespaces is a registered type.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

namespace json = boost::json;

json::object named(const std::string& name) {
  return json::object{{"metadata", {{"name", name}}}};
}

class NamespaceLifecycle : public ::testing::Test {
 protected:
  void SetUp() override {
    register_namespace_type(kernel.types());
    client->create(kNamespaces, "", named("ns1"));
  }
  TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
};

TEST_F(NamespaceLifecycle, ContentNeedsAnExistingNamespace) {
  client->create(kConfigMaps, "ns1", configmap("a"));
  auto missing = expect_error([&] { client->create(kConfigMaps, "nope", configmap("a")); });
  EXPECT_EQ(missing.code(), 404);
  EXPECT_EQ(missing.reason(), "NotFound");
  EXPECT_STREQ(missing.what(), "namespaces \"nope\" not found");
  EXPECT_EQ(missing.kind, "namespaces");
  EXPECT_EQ(missing.name, "nope");

  WriteOptions apply;
  apply.field_manager = "kubectl";
  EXPECT_EQ(expect_error([&] {
              client->patch(kDeployments, "nope", "web", PatchType::Apply,
                            R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web"}})",
                            apply);
            }).code(),
            404)
      << "an apply that creates is a create";
  client->create(kClusterThings, "", named("t"));  // cluster-scoped: no namespace involved
}

TEST_F(NamespaceLifecycle, TerminatingNamespacesRefuseNewContent) {
  client->remove(kNamespaces, "", "ns1");
  auto e = expect_error([&] { client->create(kConfigMaps, "ns1", configmap("a")); });
  EXPECT_EQ(e.code(), 403);
  EXPECT_EQ(e.reason(), "Forbidden");
  EXPECT_STREQ(
      e.what(),
      "configmaps \"a\" is forbidden: unable to create new content in namespace ns1 because it is being "
      "terminated");
  EXPECT_EQ(e.kind, "configmaps");
  EXPECT_EQ(e.name, "a");
  ASSERT_EQ(e.causes.size(), 1u);
  EXPECT_EQ(e.causes[0].reason, "NamespaceTerminating");
  EXPECT_EQ(e.causes[0].field, "metadata.namespace");
}

std::vector<std::string> spec_finalizers(const ObjectPtr& ns) {
  std::vector<std::string> out;
  if (const auto* spec = ns->if_contains("spec"))
    if (const auto* list = spec->as_object().if_contains("finalizers"))
      for (const auto& f : list->as_array()) out.emplace_back(f.as_string());
  return out;
}

// What the namespace controller does once the content is gone.
void finalize(Client& client, const std::string& name) {
  json::object ns = *client.get(kNamespaces, "", name);
  ns["spec"] = json::object{{"finalizers", json::array{}}};
  client.update(kNamespaces, "", ns, {}, "finalize");
}

TEST_F(NamespaceLifecycle, NewNamespacesCarryTheControllersFinalizerAndOnlyFinalizeDropsIt) {
  auto ns = client->get(kNamespaces, "", "ns1");
  EXPECT_EQ(spec_finalizers(ns), std::vector<std::string>{"kubernetes"});
  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge, R"({"spec":{"finalizers":null}})");
  EXPECT_EQ(spec_finalizers(client->get(kNamespaces, "", "ns1")), std::vector<std::string>{"kubernetes"})
      << "a plain update keeps spec.finalizers";
  finalize(*client, "ns1");
  EXPECT_TRUE(spec_finalizers(client->get(kNamespaces, "", "ns1")).empty());
}

TEST_F(NamespaceLifecycle, DeletingANamespaceLeavesItTerminatingForTheController) {
  client->create(kConfigMaps, "ns1", configmap("a"));
  client->create(kClusterThings, "", named("t"));

  auto marked = client->remove(kNamespaces, "", "ns1");
  EXPECT_FALSE(meta(marked, "deletionTimestamp").empty());
  EXPECT_EQ(marked->at("status").at("phase"), "Terminating");
  EXPECT_EQ(client->get(kNamespaces, "", "ns1")->at("status").at("phase"), "Terminating");
  EXPECT_EQ(client->list(kConfigMaps, "ns1").items.size(), 1u) << "the content is the controller's to delete";
  EXPECT_EQ(expect_error([&] { client->create(kConfigMaps, "ns1", configmap("late")); }).code(), 403);

  auto again = expect_error([&] { client->remove(kNamespaces, "", "ns1"); });
  EXPECT_EQ(again.code(), 409);
  EXPECT_STREQ(
      again.what(),
      "Operation cannot be fulfilled on namespaces \"ns1\": The system is ensuring all content is "
      "removed from this namespace.  Upon completion, this namespace will automatically be purged by "
      "the system.");

  client->remove(kConfigMaps, "ns1", "a");
  finalize(*client, "ns1");
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns1"); }).code(), 404);
  EXPECT_EQ(client->list(kClusterThings, "").items.size(), 1u);
}

TEST_F(NamespaceLifecycle, MetadataFinalizersHoldTooAndAFinalizedNamespaceGoesAtOnce) {
  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/ns"]}})");
  client->remove(kNamespaces, "", "ns1");
  finalize(*client, "ns1");
  EXPECT_EQ(client->get(kNamespaces, "", "ns1")->at("status").at("phase"), "Terminating");
  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns1"); }).code(), 404);

  client->create(kNamespaces, "", named("ns2"));
  finalize(*client, "ns2");
  client->remove(kNamespaces, "", "ns2");
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns2"); }).code(), 404)
      << "nothing holds it: it goes at once";
}

TEST_F(NamespaceLifecycle, SystemNamespacesCannotBeDeleted) {
  for (const char* name : {"default", "kube-system", "kube-public"}) {
    client->create(kNamespaces, "", named(name));
    auto e = expect_error([&] { client->remove(kNamespaces, "", name); });
    EXPECT_EQ(e.code(), 403);
    EXPECT_EQ(std::string(e.what()),
              std::string("namespaces \"") + name + "\" is forbidden: this namespace may not be deleted");
  }
}

TEST_F(NamespaceLifecycle, DryRunDeletesNothing) {
  client->create(kConfigMaps, "ns1", configmap("a"));
  DeleteOptions dry;
  dry.dry_run = true;
  client->remove(kNamespaces, "", "ns1", dry);
  EXPECT_TRUE(meta(client->get(kNamespaces, "", "ns1"), "deletionTimestamp").empty());
  EXPECT_EQ(client->list(kConfigMaps, "ns1").items.size(), 1u);
}

}  // namespace
}  // namespace ukube::testing
