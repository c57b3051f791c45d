// The protobuf field numbers the schemas carry, which the API server decodes protobuf request
// bodies with (kubectl 1.32+ `create <kind>`): each message numbers its fields once, and the
// types `kubectl create` makes number every field upstream's message has.
#include <set>
#include <utility>

#include "builtin_test_support.h"

namespace ukube::builtin::testing {
namespace {

int64_t number(const json::object& s, const char* key) {
  const auto* v = s.if_contains(key);
  return v && v->is_int64() ? v->get_int64() : 0;
}

// Calls f(path, property schema, parent object schema) for every property under `s`.
template <class F>
void walk(const json::object& s, const std::string& where, F&& f) {
  if (const auto* items = s.if_contains("items")) walk(items->as_object(), where + "[]", f);
  if (const auto* values = s.if_contains("additionalProperties"); values && values->is_object())
    walk(values->as_object(), where + "{}", f);
  if (const auto* props = s.if_contains("properties"))
    for (const auto& p : props->as_object()) {
      std::string path = where + "." + std::string(p.key());
      f(path, p.value().as_object(), s);
      walk(p.value().as_object(), path, f);
    }
}

TEST(ProtoTags, EveryMessageNumbersItsFieldsOnce) {
  for (const auto& t : builtin_types()) {
    SCOPED_TRACE(t.plural);
    std::vector<std::string> problems;
    // Per object schema: (embedded, number) pairs are unique and positive.
    auto check = [&](const std::string& where, const json::object& s) {
      const auto* props = s.if_contains("properties");
      if (!props) return;
      std::set<std::pair<int64_t, int64_t>> seen;
      for (const auto& p : props->as_object()) {
        const auto& ps = p.value().as_object();
        int64_t tag = number(ps, "x-ukube-proto-tag");
        int64_t embedded = number(ps, "x-ukube-proto-embedded");
        if (ps.contains("x-ukube-proto-tag") && tag <= 0) problems.push_back(where + "." + p.key_c_str());
        if (embedded && !tag) problems.push_back(where + "." + p.key_c_str() + ": embedded without a number");
        if (tag && !seen.insert({embedded, tag}).second)
          problems.push_back(where + "." + p.key_c_str() + ": number " + std::to_string(tag) + " used twice");
      }
    };
    check(t.kind, *t.schema);
    walk(*t.schema, t.kind,
         [&](const std::string& path, const json::object& s, const json::object&) { check(path, s); });
    EXPECT_TRUE(problems.empty()) << problems.front();
  }
}

// Properties upstream numbers that these schemas deliberately leave undecodable, or that
// upstream's message does not have.
bool unnumbered_on_purpose(const std::string& path) {
  static const std::vector<std::string> suffixes = {
      // ukube's shared condition schema has it; these condition messages do not.
      ".conditions[].observedGeneration",
      // Newer than the API this server numbers (EnvFiles, PodCertificateRequest).
      ".valueFrom.fileKeyRef", ".sources[].podCertificate",
      // Removed upstream, kept for old manifests.
      ".resourceClaims[].source",
      // Deprecated in-tree volume plugins, kept opaque.
      ".awsElasticBlockStore", ".azureDisk", ".azureFile", ".cephfs", ".cinder", ".fc", ".flexVolume",
      ".flocker", ".gcePersistentDisk", ".gitRepo", ".glusterfs", ".iscsi", ".photonPersistentDisk",
      ".portworxVolume", ".quobyte", ".rbd", ".scaleIO", ".storageos", ".vsphereVolume"};
  for (const auto& s : suffixes)
    if (path.ends_with(s)) return true;
  return false;
}

// The object's own apiVersion and kind travel in the protobuf envelope (nested ones, as in
// ownerReferences, are numbered fields).
bool is_type_meta(const std::string& kind, const std::string& path) {
  return path == kind + ".apiVersion" || path == kind + ".kind";
}

TEST(ProtoTags, KindsKubectlCreatesNumberEveryField) {
  auto all = builtin_types();
  for (auto [plural, group] :
       std::vector<std::pair<const char*, const char*>>{{"namespaces", ""},
                                                        {"deployments", "apps"},
                                                        {"secrets", ""},
                                                        {"services", ""},
                                                        {"configmaps", ""},
                                                        {"serviceaccounts", ""},
                                                        {"pods", ""},
                                                        {"jobs", "batch"},
                                                        {"cronjobs", "batch"},
                                                        {"roles", "rbac.authorization.k8s.io"},
                                                        {"rolebindings", "rbac.authorization.k8s.io"},
                                                        {"clusterroles", "rbac.authorization.k8s.io"},
                                                        {"clusterrolebindings", "rbac.authorization.k8s.io"},
                                                        {"priorityclasses", "scheduling.k8s.io"},
                                                        {"poddisruptionbudgets", "policy"},
                                                        {"resourcequotas", ""}}) {
    const auto& t = find_type(all, plural, group);
    SCOPED_TRACE(t.plural);
    std::vector<std::string> missing;
    walk(*t.schema, t.kind, [&](const std::string& path, const json::object& s, const json::object&) {
      if (!s.contains("x-ukube-proto-tag") && !is_type_meta(t.kind, path) && !unnumbered_on_purpose(path))
        missing.push_back(path);
    });
    std::string list;
    for (const auto& m : missing) list += "\n  " + m;
    EXPECT_TRUE(missing.empty()) << "properties without a protobuf field number (number them as upstream's "
                                    "generated.proto does, or list them in unnumbered_on_purpose):"
                                 << list;
  }
}

// A few numbers checked against upstream's generated.proto, and how the Go field holds them.
TEST(ProtoTags, MatchUpstream) {
  auto all = builtin_types();
  const auto& deploy = *find_type(all, "deployments", "apps").schema;
  EXPECT_EQ(schema_node(deploy, {"metadata"}).at("x-ukube-proto-tag"), 1);
  EXPECT_EQ(schema_node(deploy, {"spec", "replicas"}).at("x-ukube-proto-tag"), 1);
  EXPECT_EQ(schema_node(deploy, {"spec", "replicas"}).at("x-ukube-proto-pointer"), true);
  EXPECT_EQ(schema_node(deploy, {"spec", "progressDeadlineSeconds"}).at("x-ukube-proto-tag"), 9);
  EXPECT_EQ(schema_node(deploy, {"metadata", "managedFields"}).at("x-ukube-proto-tag"), 17);
  const auto& pod_spec = schema_node(deploy, {"spec", "template", "spec"});
  EXPECT_EQ(schema_node(pod_spec, {"initContainers"}).at("x-ukube-proto-tag"), 20);
  EXPECT_EQ(
      schema_node(pod_spec, {"containers", "[]", "ports", "[]", "containerPort"}).at("x-ukube-proto-tag"), 3);
  EXPECT_EQ(schema_node(pod_spec, {"containers", "[]", "ports", "[]", "containerPort"})
                .at("x-ukube-proto-keep-zero"),
            true);
  // Inline Go structs: the volume source sits in Volume's field 2, the probe handler in
  // Probe's field 1, a key selector's name in its LocalObjectReference (field 1).
  const auto& config_map_volume = schema_node(pod_spec, {"volumes", "[]", "configMap"});
  EXPECT_EQ(config_map_volume.at("x-ukube-proto-embedded"), 2);
  EXPECT_EQ(config_map_volume.at("x-ukube-proto-tag"), 19);
  EXPECT_EQ(schema_node(config_map_volume, {"name"}).at("x-ukube-proto-embedded"), 1);
  EXPECT_EQ(
      schema_node(pod_spec, {"containers", "[]", "livenessProbe", "httpGet"}).at("x-ukube-proto-embedded"),
      1);
  EXPECT_EQ(schema_node(pod_spec, {"ephemeralContainers", "[]", "image"}).at("x-ukube-proto-embedded"), 1);
  EXPECT_EQ(
      schema_node(pod_spec, {"ephemeralContainers", "[]", "targetContainerName"}).at("x-ukube-proto-tag"), 2);
  // Condition messages number the same JSON differently.
  EXPECT_EQ(schema_node(deploy, {"status", "conditions", "[]", "lastTransitionTime"}).at("x-ukube-proto-tag"),
            7);
  const auto& rs = *find_type(all, "replicasets", "apps").schema;
  EXPECT_EQ(schema_node(rs, {"status", "conditions", "[]", "lastTransitionTime"}).at("x-ukube-proto-tag"), 3);
  const auto& pdb = *find_type(all, "poddisruptionbudgets", "policy").schema;
  EXPECT_EQ(schema_node(pdb, {"status", "conditions", "[]", "observedGeneration"}).at("x-ukube-proto-tag"),
            3);
  const auto& secret = *find_type(all, "secrets").schema;
  EXPECT_EQ(schema_node(secret, {"type"}).at("x-ukube-proto-tag"), 3);
  EXPECT_EQ(schema_node(secret, {"stringData"}).at("x-ukube-proto-tag"), 4);
  EXPECT_EQ(schema_node(secret, {"immutable"}).at("x-ukube-proto-tag"), 5);
  const auto& slices = *find_type(all, "endpointslices", "discovery.k8s.io").schema;
  EXPECT_EQ(schema_node(slices, {"ports", "[]", "port"}).at("x-ukube-proto-tag"), 3);
  const auto& endpoints = *find_type(all, "endpoints").schema;
  EXPECT_EQ(schema_node(endpoints, {"subsets", "[]", "ports", "[]", "port"}).at("x-ukube-proto-tag"), 2);
}

}  // namespace
}  // namespace ukube::builtin::testing
