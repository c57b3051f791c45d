// Strategic merge patch, table-driven against a Deployment-like schema, and the patch
// kubectl's client-side apply sends, end to end through the pipeline.
#include "kernel/pipeline/strategic_merge.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "tests/support/test_kernel.h"
#include "ukube/errors.h"

namespace ukube::testing {
namespace {

struct Case {
  const char* name;
  const char* original;
  const char* patch;
  const char* expected;
};

const Case kCases[] = {
    {"maps merge and null deletes", R"({"metadata":{"labels":{"a":"1","b":"2"}}})",
     R"({"metadata":{"labels":{"b":null,"c":"3"}}})", R"({"metadata":{"labels":{"a":"1","c":"3"}}})"},
    {"null on a missing field is a no-op", R"({"spec":{"replicas":1}})", R"({"spec":{"paused":null}})",
     R"({"spec":{"replicas":1}})"},
    {"merge-key list updates the matching element",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:1"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"b","image":"y:2"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:1"},{"name":"b","image":"y:2"}]}}}})"},
    {"merge-key list puts new elements ahead of the server's",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x:1"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"z:1","args":["1",null]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"z:1","args":["1",null]},{"name":"a","image":"x:1"}]}}}})"},
    {"merge-key list keeps patch order and weaves server-only elements back in",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"c","image":"1"},{"name":"new"},{"name":"a","image":"2"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"b"},{"name":"c","image":"1"},{"name":"new"},{"name":"a","image":"2"}]}}}})"},
    {"$patch delete removes an element",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"b"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","$patch":"delete"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"b"}]}}}})"},
    {"$patch replace replaces a list",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","image":"x"},{"name":"b"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"$patch":"replace"},{"name":"c"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"c"}]}}}})"},
    {"$patch replace replaces a map", R"({"spec":{"template":{"spec":{"nodeSelector":{"a":"1","b":"2"}}}}})",
     R"({"spec":{"template":{"spec":{"nodeSelector":{"$patch":"replace","c":"3"}}}}})",
     R"({"spec":{"template":{"spec":{"nodeSelector":{"c":"3"}}}}})"},
    {"$patch delete removes a map", R"({"spec":{"replicas":2,"strategy":{"type":"Recreate"}}})",
     R"({"spec":{"strategy":{"$patch":"delete"}}})", R"({"spec":{"replicas":2}})"},
    {"$patch merge is the default", R"({"spec":{"template":{"spec":{"nodeSelector":{"a":"1"}}}}})",
     R"({"spec":{"template":{"spec":{"nodeSelector":{"$patch":"merge","b":"2"}}}}})",
     R"({"spec":{"template":{"spec":{"nodeSelector":{"a":"1","b":"2"}}}}})"},
    {"lists without a patch strategy are replaced",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["1","2"]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["3"]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","args":["3"]}]}}}})"},
    {"merge primitive lists are sets", R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"finalizers":["b","c"]}})", R"({"metadata":{"finalizers":["a","b","c"]}})"},
    {"$deleteFromPrimitiveList removes values", R"({"metadata":{"finalizers":["a","b","c"]}})",
     R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a","c"]}})",
     R"({"metadata":{"finalizers":["b"]}})"},
    {"$deleteFromPrimitiveList with additions", R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"$deleteFromPrimitiveList/finalizers":["a"],"finalizers":["d"]}})",
     R"({"metadata":{"finalizers":["d","b"]}})"},
    {"$setElementOrder orders merged elements and keeps server-only ones in place",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a"},{"name":"s"},{"name":"b"}]}}}})",
     R"({"spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"b"},{"name":"a"},{"name":"c"}],
        "containers":[{"name":"c"}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"b"},{"name":"a"},{"name":"s"},{"name":"c"}]}}}})"},
    {"$setElementOrder on a primitive list", R"({"metadata":{"finalizers":["a","b"]}})",
     R"({"metadata":{"$setElementOrder/finalizers":["c","b","a"],"finalizers":["c"]}})",
     R"({"metadata":{"finalizers":["c","b","a"]}})"},
    {"$retainKeys clears the keys not listed",
     R"({"spec":{"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}}})",
     R"({"spec":{"strategy":{"$retainKeys":["type"],"type":"Recreate"}}})",
     R"({"spec":{"strategy":{"type":"Recreate"}}})"},
    {"$retainKeys inside merged list elements",
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"v","emptyDir":{}},{"name":"w","emptyDir":{}}]}}}})",
     R"({"spec":{"template":{"spec":{"volumes":[{"$retainKeys":["configMap","name"],"name":"v","configMap":{"name":"cm"}}]}}}})",
     R"({"spec":{"template":{"spec":{"volumes":[{"name":"v","configMap":{"name":"cm"}},{"name":"w","emptyDir":{}}]}}}})"},
    {"ports merge by containerPort",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"name":"http"},{"containerPort":443}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","ports":[{"containerPort":80,"protocol":"TCP","name":"http"},{"containerPort":443}]}]}}}})"},
    {"paths outside the schema: maps merge, lists are replaced",
     R"({"spec":{"extra":{"m":{"a":1},"l":[1,2]}},"unknown":{"x":[{"name":"a"}]}})",
     R"({"spec":{"extra":{"m":{"b":2},"l":[3]}},"unknown":{"x":[{"name":"b"}]}})",
     R"({"spec":{"extra":{"m":{"a":1,"b":2},"l":[3]}},"unknown":{"x":[{"name":"b"}]}})"},
    {"nested directives in a new element are applied, not stored", R"({"spec":{}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","$setElementOrder/env":[{"name":"x"}],"env":[{"name":"x","value":"1"}]}]}}}})",
     R"({"spec":{"template":{"spec":{"containers":[{"name":"a","env":[{"name":"x","value":"1"}]}]}}}})"},
    {"a scalar replaces an object and vice versa", R"({"spec":{"a":{"b":1},"c":2}})",
     R"({"spec":{"a":3,"c":{"d":4}}})", R"({"spec":{"a":3,"c":{"d":4}}})"},
};

TEST(StrategicMerge, Table) {
  for (const auto& c : kCases) {
    auto target = J(c.original);
    pipeline::apply_strategic_merge_patch(target, J(c.patch),
                                          pipeline::SchemaView(&schema::deployment_instance()));
    EXPECT_EQ(target, J(c.expected)) << c.name << "\n got: " << boost::json::serialize(target);
  }
}

TEST(StrategicMerge, WithoutSchemaListsAreAtomic) {
  auto target = J(R"({"spec":{"containers":[{"name":"a","image":"x"}],"m":{"a":1}}})");
  pipeline::apply_strategic_merge_patch(target, J(R"({"spec":{"containers":[{"name":"b"}],"m":{"b":2}}})"),
                                        pipeline::SchemaView());
  EXPECT_EQ(target, J(R"({"spec":{"containers":[{"name":"b"}],"m":{"a":1,"b":2}}})"));
}

TEST(StrategicMerge, MalformedDirectivesAreBadRequests) {
  const char* bad[] = {
      R"({"spec":{"template":{"spec":{"containers":[{"image":"no-name"}]}}}})",
      R"({"spec":{"$patch":"explode"}})",
      R"({"metadata":{"$deleteFromPrimitiveList/finalizers":"a"}})",
      R"({"spec":{"strategy":{"$retainKeys":"type"}}})",
  };
  for (const char* patch : bad) {
    auto target = J(R"({"spec":{"template":{"spec":{"containers":[{"name":"a"}]}}}})");
    try {
      pipeline::apply_strategic_merge_patch(target, J(patch),
                                            pipeline::SchemaView(&schema::deployment_instance()));
      ADD_FAILURE() << "accepted " << patch;
    } catch (const ApiError& e) {
      EXPECT_EQ(e.code(), 400) << patch;
    }
  }
}

// What `kubectl apply` sends for a Deployment whose manifest changed the image, dropped
// an environment variable and added a port (computed by kubectl from the
// last-applied-configuration annotation, the new manifest and the live object).
TEST(StrategicMerge, KubectlClientSideApplyOfADeployment) {
  TestKernel kernel;
  auto client = kernel.client();
  auto initial = J(R"({"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"web","annotations":{
      "kubectl.kubernetes.io/last-applied-configuration":"{}"}},
    "spec":{"replicas":2,"selector":{"matchLabels":{"app":"web"}},
      "template":{"metadata":{"labels":{"app":"web"}},"spec":{"containers":[
        {"name":"web","image":"nginx:1.25","env":[{"name":"A","value":"1"},{"name":"B","value":"2"}],
         "ports":[{"containerPort":80,"protocol":"TCP"}]},
        {"name":"sidecar","image":"busybox"}]}}}})");
  client->create(kDeployments, "default", initial);

  const char* patch =
      R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{\"new\":1}\n"}},
    "spec":{"template":{"spec":{"$setElementOrder/containers":[{"name":"web"},{"name":"sidecar"}],
      "containers":[{"$setElementOrder/env":[{"name":"B"}],"$setElementOrder/ports":[{"containerPort":80},{"containerPort":8080}],
        "env":[{"$patch":"delete","name":"A"}],"image":"nginx:1.26","name":"web",
        "ports":[{"containerPort":8080,"protocol":"TCP"}]}]}}}})";
  auto patched = client->patch(kDeployments, "default", "web", PatchType::StrategicMerge, patch);

  auto& containers = patched->at("spec").at("template").at("spec").at("containers").as_array();
  ASSERT_EQ(containers.size(), 2u);
  EXPECT_EQ(containers[0],
            boost::json::parse(R"({"name":"web","image":"nginx:1.26","env":[{"name":"B","value":"2"}],
      "ports":[{"containerPort":80,"protocol":"TCP"},{"containerPort":8080,"protocol":"TCP"}]})"));
  EXPECT_EQ(containers[1], boost::json::parse(R"({"name":"sidecar","image":"busybox"})"));
  EXPECT_EQ(patched->at("spec").at("replicas"), 2);
  EXPECT_EQ(patched->at("metadata").at("annotations").at("kubectl.kubernetes.io/last-applied-configuration"),
            "{\"new\":1}\n");
  EXPECT_EQ(meta(patched, "generation"), "2");
}

}  // namespace
}  // namespace ukube::testing
