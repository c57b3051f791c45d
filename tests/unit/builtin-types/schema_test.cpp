// The OpenAPI schemas: present for every type, tagged with its GVK, and carrying the list
// semantics strategic merge patch and strict field validation depend on.
#include <functional>

#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

// Every sub-schema says what it is, and every list how it merges.
void check_shape(const json::object& s, const std::string& where, std::vector<std::string>& problems) {
  bool typed = s.contains("type") || s.contains("x-kubernetes-int-or-string") || s.contains("anyOf") ||
               s.contains("x-kubernetes-preserve-unknown-fields");
  if (!typed) problems.push_back(where + ": no type");
  auto type = s.if_contains("type");
  if (type && *type == "array") {
    auto* list_type = s.if_contains("x-kubernetes-list-type");
    if (!list_type) problems.push_back(where + ": list without x-kubernetes-list-type");
    if (list_type && *list_type == "map" &&
        (!s.contains("x-kubernetes-list-map-keys") || !s.contains("x-kubernetes-patch-merge-key")))
      problems.push_back(where + ": map list without keys");
    check_shape(s.at("items").as_object(), where + "[]", problems);
  }
  if (auto* props = s.if_contains("properties"))
    for (const auto& p : props->as_object())
      check_shape(p.value().as_object(), where + "." + std::string(p.key()), problems);
  if (auto* extra = s.if_contains("additionalProperties"))
    check_shape(extra->as_object(), where + "{}", problems);
}

TEST(Schemas, EveryTypeHasAConsistentSchema) {
  for (const auto& t : builtin_types()) {
    SCOPED_TRACE(t.plural);
    ASSERT_TRUE(t.schema);
    const auto& s = *t.schema;
    EXPECT_EQ(s.at("type"), "object");
    const auto& gvk = s.at("x-kubernetes-group-version-kind").at(0).as_object();
    EXPECT_EQ(gvk.at("group"), t.group.c_str());
    EXPECT_EQ(gvk.at("version"), t.version.c_str());
    EXPECT_EQ(gvk.at("kind"), t.kind.c_str());
    for (const char* p : {"apiVersion", "kind", "metadata"})
      EXPECT_TRUE(s.at("properties").as_object().contains(p)) << p;
    if (t.status_subresource) {
      EXPECT_TRUE(s.at("properties").as_object().contains("status"));
    }
    std::vector<std::string> problems;
    check_shape(s, t.kind, problems);
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
}

TEST(Schemas, StrategicMergeKeys) {
  auto all = builtin_types();
  const auto& pod = *find_type(all, "pods").schema;
  struct Key {
    std::initializer_list<std::string_view> path;
    const char* merge_key;
    const char* strategy;
  };
  const std::vector<Key> keys = {
      {{"spec", "containers"}, "name", "merge"},
      {{"spec", "initContainers"}, "name", "merge"},
      {{"spec", "ephemeralContainers"}, "name", "merge"},
      {{"spec", "volumes"}, "name", "merge,retainKeys"},
      {{"spec", "imagePullSecrets"}, "name", "merge"},
      {{"spec", "containers", "[]", "env"}, "name", "merge"},
      {{"spec", "containers", "[]", "ports"}, "containerPort", "merge"},
      {{"spec", "containers", "[]", "volumeMounts"}, "mountPath", "merge"},
      {{"status", "conditions"}, "type", "merge"},
      {{"metadata", "ownerReferences"}, "uid", "merge"},
  };
  for (const auto& k : keys) {
    const auto& list = schema_node(pod, k.path);
    EXPECT_EQ(list.at("x-kubernetes-patch-merge-key"), k.merge_key);
    EXPECT_EQ(list.at("x-kubernetes-patch-strategy"), k.strategy);
    EXPECT_EQ(list.at("x-kubernetes-list-type"), "map");
  }
  const auto& ports = schema_node(pod, {"spec", "containers", "[]", "ports"});
  EXPECT_EQ(json::serialize(ports.at("x-kubernetes-list-map-keys")), R"(["containerPort","protocol"])");
  EXPECT_EQ(schema_node(pod, {"spec", "tolerations"}).at("x-kubernetes-list-type"), "atomic");
  EXPECT_EQ(schema_node(pod, {"spec", "containers", "[]", "args"}).at("x-kubernetes-list-type"), "atomic");
  const auto& finalizers = schema_node(pod, {"metadata", "finalizers"});
  EXPECT_EQ(finalizers.at("x-kubernetes-list-type"), "set");
  EXPECT_EQ(finalizers.at("x-kubernetes-patch-strategy"), "merge");

  const auto& svc = *find_type(all, "services").schema;
  EXPECT_EQ(schema_node(svc, {"spec", "ports"}).at("x-kubernetes-patch-merge-key"), "port");
  const auto& deploy = *find_type(all, "deployments", "apps").schema;
  EXPECT_EQ(schema_node(deploy, {"spec", "strategy"}).at("x-kubernetes-patch-strategy"), "retainKeys");
  EXPECT_EQ(
      schema_node(deploy, {"spec", "template", "spec", "containers"}).at("x-kubernetes-patch-merge-key"),
      "name");
  const auto& job = *find_type(all, "jobs", "batch").schema;
  EXPECT_EQ(schema_node(job, {"status", "conditions"}).at("x-kubernetes-list-type"), "atomic");
  EXPECT_EQ(schema_node(job, {"status", "conditions"}).at("x-kubernetes-patch-merge-key"), "type");
}

TEST(Schemas, ModelsTheFieldsPeopleWrite) {
  auto all = builtin_types();
  const auto& pod = *find_type(all, "pods").schema;
  const auto& spec = schema_node(pod, {"spec"}).at("properties").as_object();
  for (const char* f :
       {"containers", "initContainers", "volumes", "restartPolicy", "nodeSelector", "affinity", "tolerations",
        "serviceAccountName", "securityContext", "hostNetwork", "dnsPolicy", "priorityClassName",
        "topologySpreadConstraints", "terminationGracePeriodSeconds"})
    EXPECT_TRUE(spec.contains(f)) << f;
  const auto& container = schema_node(pod, {"spec", "containers", "[]"}).at("properties").as_object();
  for (const char* f : {"name", "image", "command", "args", "env", "envFrom", "ports", "resources",
                        "volumeMounts", "livenessProbe", "readinessProbe", "startupProbe", "securityContext",
                        "imagePullPolicy", "workingDir", "lifecycle"})
    EXPECT_TRUE(container.contains(f)) << f;
  // Closed objects: unknown fields there are reported under strict validation.
  EXPECT_FALSE(schema_node(pod, {"spec"}).contains("x-kubernetes-preserve-unknown-fields"));
  EXPECT_EQ(schema_node(pod, {"metadata", "labels"}).at("additionalProperties").at("type"), "string");
  EXPECT_EQ(schema_node(pod, {"spec", "containers", "[]", "ports", "[]", "containerPort"}).at("type"),
            "integer");
  EXPECT_TRUE(schema_node(pod, {"spec", "containers", "[]", "livenessProbe", "httpGet", "port"})
                  .contains("x-kubernetes-int-or-string"));
  EXPECT_EQ(schema_node(pod, {"spec", "affinity", "podAntiAffinity",
                              "preferredDuringSchedulingIgnoredDuringExecution", "[]", "podAffinityTerm",
                              "topologyKey"})
                .at("type"),
            "string");
  const auto& svc = *find_type(all, "services").schema;
  EXPECT_TRUE(schema_node(svc, {"spec", "ports", "[]", "targetPort"}).contains("x-kubernetes-int-or-string"));
}

}  // namespace
}  // namespace ukube::builtin::testing
