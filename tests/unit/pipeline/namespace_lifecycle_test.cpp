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
  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge, R"({"status":{"phase":"Terminating"}})");
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

TEST_F(NamespaceLifecycle, DeletingANamespaceDeletesItsContent) {
  client->create(kNamespaces, "", named("ns2"));
  client->create(kConfigMaps, "ns1", configmap("a"));
  client->create(kConfigMaps, "ns1", configmap("b"));
  client->create(kWidgets, "ns1", named("w"));
  client->create(kConfigMaps, "ns2", configmap("keep"));
  client->create(kClusterThings, "", named("t"));

  auto deleted = client->remove(kNamespaces, "", "ns1");
  EXPECT_FALSE(meta(deleted, "deletionTimestamp").empty());
  EXPECT_EQ(deleted->at("status").at("phase"), "Terminating");
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns1"); }).code(), 404);
  EXPECT_TRUE(client->list(kConfigMaps, "ns1").items.empty());
  EXPECT_TRUE(client->list(kWidgets, "ns1").items.empty());
  EXPECT_EQ(client->list(kConfigMaps, "ns2").items.size(), 1u);
  EXPECT_EQ(client->list(kClusterThings, "").items.size(), 1u);
}

TEST_F(NamespaceLifecycle, ContentHeldByFinalizersKeepsTheNamespaceTerminating) {
  auto held = configmap("held");
  held["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  client->create(kConfigMaps, "ns1", held);
  client->create(kConfigMaps, "ns1", configmap("free"));

  client->remove(kNamespaces, "", "ns1");
  auto ns = client->get(kNamespaces, "", "ns1");
  EXPECT_EQ(ns->at("status").at("phase"), "Terminating");
  EXPECT_FALSE(meta(client->get(kConfigMaps, "ns1", "held"), "deletionTimestamp").empty());
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "free"); }).code(), 404);
  EXPECT_EQ(expect_error([&] { client->create(kConfigMaps, "ns1", configmap("late")); }).code(), 403);

  // Deleting again is harmless; the last finalizer's removal finishes the namespace.
  client->remove(kNamespaces, "", "ns1");
  client->patch(kConfigMaps, "ns1", "held", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_EQ(expect_error([&] { client->get(kConfigMaps, "ns1", "held"); }).code(), 404);
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns1"); }).code(), 404);
}

TEST_F(NamespaceLifecycle, NamespaceFinalizersAndContentBothHold) {
  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge,
                R"({"metadata":{"finalizers":["example.com/ns"]}})");
  auto held = configmap("held");
  held["metadata"].as_object()["finalizers"] = json::array{"example.com/hold"};
  client->create(kConfigMaps, "ns1", held);
  client->remove(kNamespaces, "", "ns1");

  client->patch(kNamespaces, "", "ns1", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_EQ(client->get(kNamespaces, "", "ns1")->at("status").at("phase"), "Terminating")
      << "content is left: the namespace stays";
  client->patch(kConfigMaps, "ns1", "held", PatchType::JsonMerge, R"({"metadata":{"finalizers":null}})");
  EXPECT_EQ(expect_error([&] { client->get(kNamespaces, "", "ns1"); }).code(), 404);
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
