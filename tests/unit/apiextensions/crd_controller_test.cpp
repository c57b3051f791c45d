// The apiextensions plugin on a real kernel: a definition becomes served types, its
// instances are defaulted, validated and tabled by its schema and columns, names that
// another definition holds are refused, and deleting it removes its instances and types.
#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "apiextensions/apiextensions_plugin.h"
#include "apiextensions/crd_type.h"
#include "registry.h"
#include "tests/support/eventually.h"
#include "tests/support/plugin_context.h"
#include "tests/support/test_kernel.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"

namespace ukube::apiextensions {
namespace {

namespace json = boost::json;
using ukube::testing::eventually;
using ukube::testing::expect_error;

const GroupVersionResource kWidgets{"example.com", "v1", "widgets"};
const GroupVersionResource kNamespaces{"", "v1", "namespaces"};

json::object definition(std::string_view name, std::string_view plural, std::string_view kind,
                        std::string_view short_name) {
  std::string text = R"({
    "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
    "metadata": {"name": "NAME"},
    "spec": {"group": "example.com", "scope": "Namespaced",
             "names": {"plural": "PLURAL", "kind": "KIND", "shortNames": ["SHORT"]},
             "versions": [{"name": "v1", "served": true, "storage": true,
               "subresources": {"status": {}},
               "additionalPrinterColumns": [{"name": "Color", "type": "string", "jsonPath": ".spec.color"},
                                            {"name": "Replicas", "type": "integer", "jsonPath": ".spec.replicas"}],
               "schema": {"openAPIV3Schema": {"type": "object", "properties": {
                 "spec": {"type": "object", "required": ["color"], "properties": {
                   "color": {"type": "string", "enum": ["red", "blue"]},
                   "replicas": {"type": "integer", "default": 1}}},
                 "status": {"type": "object", "properties": {"ready": {"type": "boolean"}}}}}}}]}
  })";
  for (auto [from, to] : {std::pair<std::string_view, std::string_view>{"NAME", name},
                          {"PLURAL", plural},
                          {"KIND", kind},
                          {"SHORT", short_name}})
    text.replace(text.find(from), from.size(), to);
  return json::parse(text).as_object();
}

class CrdController : public ::testing::Test {
 protected:
  void SetUp() override {
    // The kernel tests' stand-ins (example.com widgets among them) make way for the real types.
    for (const auto& t : builtin::builtin_types()) kernel.types().remove(t.gvr());
    kernel.types().remove(ukube::testing::kWidgets);
    kernel.types().remove(ukube::testing::kClusterThings);
    builtin::register_builtin_types(kernel.types());
    client->create(kNamespaces, "", json::parse(R"({"metadata":{"name":"default"}})").as_object());
    plugin.init(ctx);
    plugin.start();
  }
  void TearDown() override { plugin.stop(); }

  ObjectPtr crd(const std::string& name) { return client->get(kCustomResourceDefinitions, "", name); }
  bool gone(const std::string& name) {
    try {
      crd(name);
      return false;
    } catch (const ApiError& e) {
      return e.code() == 404;
    }
  }
  bool condition_is(const std::string& name, const char* type, const char* status) {
    try {
      ObjectPtr object = crd(name);
      const auto* c = machinery::find_condition(*object, type);
      return c && machinery::string_at(*c, {"status"}) == status;
    } catch (const ApiError&) {
      return false;
    }
  }

  ukube::testing::TestKernel kernel;
  std::shared_ptr<Client> client = kernel.client();
  ukube::testing::PluginContext ctx{kernel, "ukube.types.v1.apiextensions"};
  ApiExtensionsPlugin plugin;
};

TEST_F(CrdController, ServesADefinitionLikeABuiltInType) {
  client->create(kCustomResourceDefinitions, "",
                 definition("widgets.example.com", "widgets", "Widget", "wd"));
  ASSERT_TRUE(eventually([&] { return condition_is("widgets.example.com", "Established", "True"); }));
  auto served = crd("widgets.example.com");
  EXPECT_TRUE(condition_is("widgets.example.com", "NamesAccepted", "True"));
  EXPECT_EQ(machinery::string_at(*served, {"status", "acceptedNames", "plural"}), "widgets");
  EXPECT_EQ(machinery::strings_at(*served, {"metadata", "finalizers"}),
            std::vector<std::string>{"customresourcecleanup.apiextensions.k8s.io"});
  auto type = kernel.types().find(kWidgets);
  ASSERT_TRUE(type);
  EXPECT_EQ(type->kind, "Widget");
  EXPECT_EQ(type->short_names, std::vector<std::string>{"wd"});
  EXPECT_FALSE(type->strategic_merge_patch);

  // Created with a status: the status subresource's types start without one.
  auto w = client->create(
      kWidgets, "default",
      json::parse(R"({"metadata":{"name":"w1"},"spec":{"color":"red"},"status":{"ready":true}})")
          .as_object());
  EXPECT_EQ(machinery::int_at(*w, {"spec", "replicas"}), 1);
  EXPECT_FALSE(w->contains("status"));
  EXPECT_EQ(json::serialize(type->table_row(*w)), R"(["w1","red",1])");
  auto status = client->patch(kWidgets, "default", "w1", PatchType::JsonMerge, R"({"status":{"ready":true}})",
                              {}, "status");
  EXPECT_EQ(machinery::bool_at(*status, {"status", "ready"}), true);

  auto bad = expect_error([&] {
    client->create(kWidgets, "default",
                   json::parse(R"({"metadata":{"name":"w2"},"spec":{"color":"green"}})").as_object());
  });
  EXPECT_EQ(bad.code(), 422);
  EXPECT_STREQ(
      bad.what(),
      R"(Widget.example.com "w2" is invalid: spec.color: Unsupported value: "green": supported values: "red", "blue")");
  auto strategic = expect_error([&] {
    client->patch(kWidgets, "default", "w1", PatchType::StrategicMerge, R"({"spec":{"color":"blue"}})");
  });
  EXPECT_EQ(strategic.code(), 415);
}

TEST_F(CrdController, NamesAnotherDefinitionHoldsAreNotAccepted) {
  client->create(kCustomResourceDefinitions, "",
                 definition("widgets.example.com", "widgets", "Widget", "wd"));
  ASSERT_TRUE(eventually([&] { return condition_is("widgets.example.com", "Established", "True"); }));
  client->create(kCustomResourceDefinitions, "",
                 definition("gadgets.example.com", "gadgets", "Widget", "gd"));
  ASSERT_TRUE(eventually([&] { return condition_is("gadgets.example.com", "NamesAccepted", "False"); }));
  ObjectPtr gadgets = crd("gadgets.example.com");
  const auto* names = machinery::find_condition(*gadgets, "NamesAccepted");
  // The kind and its list kind are both taken; as upstream, the last check's reason stands.
  EXPECT_EQ(machinery::string_at(*names, {"reason"}), "ListKindConflict");
  EXPECT_EQ(machinery::string_at(*names, {"message"}), R"("WidgetList" is already in use)");
  EXPECT_FALSE(kernel.types().find({"example.com", "v1", "gadgets"}));
}

TEST_F(CrdController, ADefinitionNeverReplacesABuiltInType) {
  json::object clash =
      definition("networkpolicies.networking.k8s.io", "networkpolicies", "NetworkPolicy", "np2");
  clash["spec"].as_object()["group"] = "networking.k8s.io";
  const auto builtin = kernel.types().find({"networking.k8s.io", "v1", "networkpolicies"});
  ASSERT_TRUE(builtin);
  client->create(kCustomResourceDefinitions, "", clash);
  ASSERT_TRUE(eventually(
      [&] { return condition_is("networkpolicies.networking.k8s.io", "NamesAccepted", "False"); }));
  ObjectPtr refused = crd("networkpolicies.networking.k8s.io");
  EXPECT_EQ(machinery::string_at(*machinery::find_condition(*refused, "NamesAccepted"), {"message"}),
            "the resource networkpolicies.v1.networking.k8s.io is already served by this API server");
  EXPECT_TRUE(condition_is("networkpolicies.networking.k8s.io", "Established", "False"));
  EXPECT_EQ(kernel.types().find({"networking.k8s.io", "v1", "networkpolicies"}), builtin)
      << "still the built-in";
  // Deleting the definition leaves the built-in type and its objects alone.
  client->remove(kCustomResourceDefinitions, "", "networkpolicies.networking.k8s.io");
  ASSERT_TRUE(eventually([&] { return gone("networkpolicies.networking.k8s.io"); }));
  EXPECT_EQ(kernel.types().find({"networking.k8s.io", "v1", "networkpolicies"}), builtin);
}

TEST_F(CrdController, DeletingADefinitionRemovesItsInstancesThenItsTypes) {
  client->create(kCustomResourceDefinitions, "",
                 definition("widgets.example.com", "widgets", "Widget", "wd"));
  ASSERT_TRUE(eventually([&] { return condition_is("widgets.example.com", "Established", "True"); }));
  for (const char* name : {"a", "b"})
    client->create(kWidgets, "default",
                   json::object{{"metadata", {{"name", name}}}, {"spec", {{"color", "blue"}}}});
  client->remove(kCustomResourceDefinitions, "", "widgets.example.com");
  ASSERT_TRUE(eventually([&] { return gone("widgets.example.com"); }));
  EXPECT_TRUE(eventually([&] { return !kernel.types().find(kWidgets); }));
  // Defined again, the resource starts empty.
  client->create(kCustomResourceDefinitions, "",
                 definition("widgets.example.com", "widgets", "Widget", "wd"));
  ASSERT_TRUE(eventually([&] { return kernel.types().find(kWidgets) != nullptr; }));
  EXPECT_TRUE(client->list(kWidgets, "").items.empty());
}

}  // namespace
}  // namespace ukube::apiextensions
