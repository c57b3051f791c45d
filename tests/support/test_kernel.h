#pragma once

#include <gtest/gtest.h>
#include <atomic>
#include <boost/json.hpp>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "kernel/auth/auth_chains.h"
#include "kernel/pipeline/local_client.h"
#include "kernel/pipeline/request_pipeline.h"
#include "kernel/registry/type_registry.h"
#include "kernel/store/embedded_store.h"
#include "kernel/store/forwarding_sink.h"
#include "kernel/watch/history_watch_bus.h"
#include "ukube/testing/temp_dir.h"

// A whole kernel in a temp dir (store without fsync, bus, registry, pipeline) with a few
// test types, for tests of everything built on the pipeline.
namespace ukube::testing {

inline const GroupVersionResource kConfigMaps{"", "v1", "configmaps"};
inline const GroupVersionResource kWidgets{"example.com", "v1", "widgets"};
inline const GroupVersionResource kClusterThings{"example.com", "v1", "clusterthings"};
inline const GroupVersionResource kDeployments{"apps", "v1", "deployments"};
inline const GroupVersionResource kNamespaces{"", "v1", "namespaces"};

// Compact OpenAPI v3 schemas with upstream's x-kubernetes-* extensions, enough to model
// the merge semantics of real types in tests.
namespace schema {
using boost::json::object;
inline object scalar(const char* type) {
  return object{{"type", type}};
}
inline object props(std::initializer_list<std::pair<const char*, object>> fields) {
  object p;
  for (const auto& [name, s] : fields) p[name] = s;
  return object{{"type", "object"}, {"properties", std::move(p)}};
}
inline object map_of(object value) {
  return object{{"type", "object"}, {"additionalProperties", std::move(value)}};
}
inline object preserve() {
  return object{{"type", "object"}, {"x-kubernetes-preserve-unknown-fields", true}};
}
inline object atomic_list(object items) {
  return object{{"type", "array"}, {"items", std::move(items)}, {"x-kubernetes-list-type", "atomic"}};
}
inline object set_list(object items, bool merge_patch) {
  object s{{"type", "array"}, {"items", std::move(items)}, {"x-kubernetes-list-type", "set"}};
  if (merge_patch) s["x-kubernetes-patch-strategy"] = "merge";
  return s;
}
inline object map_list(object items, std::vector<std::string> keys, const char* strategy = "merge") {
  boost::json::array k(keys.begin(), keys.end());
  return object{{"type", "array"},
                {"items", std::move(items)},
                {"x-kubernetes-list-type", "map"},
                {"x-kubernetes-list-map-keys", std::move(k)},
                {"x-kubernetes-patch-merge-key", keys.front()},
                {"x-kubernetes-patch-strategy", strategy}};
}
inline object with(object s, const char* key, boost::json::value v) {
  s[key] = std::move(v);
  return s;
}

inline object object_meta() {
  object owner = props({{"apiVersion", scalar("string")},
                        {"kind", scalar("string")},
                        {"name", scalar("string")},
                        {"uid", scalar("string")},
                        {"controller", scalar("boolean")},
                        {"blockOwnerDeletion", scalar("boolean")}});
  return props({{"name", scalar("string")},
                {"generateName", scalar("string")},
                {"namespace", scalar("string")},
                {"uid", scalar("string")},
                {"resourceVersion", scalar("string")},
                {"generation", scalar("integer")},
                {"creationTimestamp", scalar("string")},
                {"deletionTimestamp", scalar("string")},
                {"deletionGracePeriodSeconds", scalar("integer")},
                {"labels", map_of(scalar("string"))},
                {"annotations", map_of(scalar("string"))},
                {"ownerReferences", map_list(owner, {"uid"})},
                {"finalizers", set_list(scalar("string"), true)},
                {"managedFields", atomic_list(preserve())}});
}

inline object label_selector() {
  object requirement = props(
      {{"key", scalar("string")}, {"operator", scalar("string")}, {"values", atomic_list(scalar("string"))}});
  return with(
      props({{"matchLabels", map_of(scalar("string"))}, {"matchExpressions", atomic_list(requirement)}}),
      "x-kubernetes-map-type", "atomic");
}

inline object container() {
  object port = props({{"name", scalar("string")},
                       {"containerPort", scalar("integer")},
                       {"protocol", with(scalar("string"), "default", "TCP")}});
  object env = props({{"name", scalar("string")}, {"value", scalar("string")}, {"valueFrom", preserve()}});
  object mount =
      props({{"name", scalar("string")}, {"mountPath", scalar("string")}, {"readOnly", scalar("boolean")}});
  return props(
      {{"name", scalar("string")},
       {"image", scalar("string")},
       {"command", atomic_list(scalar("string"))},
       {"args", atomic_list(scalar("string"))},
       {"ports", map_list(port, {"containerPort", "protocol"})},
       {"env", map_list(env, {"name"})},
       {"volumeMounts", map_list(mount, {"mountPath"})},
       {"resources", props({{"limits", map_of(scalar("string"))}, {"requests", map_of(scalar("string"))}})}});
}

inline object pod_spec() {
  object volume = props({{"name", scalar("string")},
                         {"emptyDir", props({{"medium", scalar("string")}})},
                         {"configMap", props({{"name", scalar("string")}})},
                         {"hostPath", props({{"path", scalar("string")}})}});
  return props({{"containers", map_list(container(), {"name"})},
                {"initContainers", map_list(container(), {"name"})},
                {"volumes", map_list(volume, {"name"}, "merge,retainKeys")},
                {"nodeSelector", map_of(scalar("string"))},
                {"nodeName", scalar("string")},
                {"restartPolicy", scalar("string")}});
}

inline object deployment() {
  object condition = props({{"type", scalar("string")},
                            {"status", scalar("string")},
                            {"reason", scalar("string")},
                            {"message", scalar("string")}});
  object strategy = with(
      props({{"type", scalar("string")},
             {"rollingUpdate", props({{"maxSurge", object{{"x-kubernetes-int-or-string", true}}},
                                      {"maxUnavailable", object{{"x-kubernetes-int-or-string", true}}}})}}),
      "x-kubernetes-patch-strategy", "retainKeys");
  return props({{"apiVersion", scalar("string")},
                {"kind", scalar("string")},
                {"metadata", object_meta()},
                {"spec", props({{"replicas", scalar("integer")},
                                {"selector", label_selector()},
                                {"strategy", strategy},
                                {"template", props({{"metadata", object_meta()}, {"spec", pod_spec()}})},
                                {"extra", preserve()}})},
                {"status", props({{"replicas", scalar("integer")},
                                  {"readyReplicas", scalar("integer")},
                                  {"conditions", map_list(condition, {"type"})}})}});
}

// One shared instance, for SchemaView, which keeps a pointer to the schema.
inline const object& deployment_instance() {
  static const object s = deployment();
  return s;
}
}  // namespace schema

inline std::string spec_string(const boost::json::object& o, const char* field) {
  auto* spec = o.if_contains("spec");
  auto* v = spec && spec->is_object() ? spec->get_object().if_contains(field) : nullptr;
  return v && v->is_string() ? std::string(v->get_string()) : std::string();
}

inline void register_test_types(TypeRegistry& types) {
  TypeInfo cm;
  cm.version = "v1";
  cm.kind = "ConfigMap";
  cm.plural = "configmaps";
  cm.short_names = {"cm"};
  types.add(cm);

  TypeInfo widget;
  widget.group = "example.com";
  widget.version = "v1";
  widget.kind = "Widget";
  widget.plural = "widgets";
  widget.status_subresource = true;
  widget.selectable_fields.push_back(
      {"spec.color", [](const boost::json::object& o) { return spec_string(o, "color"); }});
  widget.defaulters.push_back([](boost::json::object& o) {
    auto& spec = o["spec"];
    if (!spec.is_object()) spec = boost::json::object{};
    if (!spec.get_object().contains("color")) spec.get_object()["color"] = "blue";
  });
  widget.validators.push_back([](const boost::json::object& o, const boost::json::object*,
                                 std::vector<FieldError>& errors) {
    auto* spec = o.if_contains("spec");
    auto* size = spec && spec->is_object() ? spec->get_object().if_contains("size") : nullptr;
    if (size && (!size->is_int64() || size->get_int64() < 0))
      errors.push_back({"FieldValueInvalid", "spec.size", "Invalid value: must be a non-negative integer"});
  });
  // A binding-like subresource: POST widgets/<name>/paint {"color": c} sets spec.color.
  widget.subresource_writers["paint"] = [](const boost::json::object& parent,
                                           const boost::json::object& body) {
    boost::json::object out = parent;
    out["spec"].as_object()["color"] = body.at("color");
    return out;
  };
  types.add(widget);

  TypeInfo thing;
  thing.group = "example.com";
  thing.version = "v1";
  thing.kind = "ClusterThing";
  thing.plural = "clusterthings";
  thing.namespaced = false;
  types.add(thing);

  TypeInfo deploy;
  deploy.group = "apps";
  deploy.version = "v1";
  deploy.kind = "Deployment";
  deploy.plural = "deployments";
  deploy.status_subresource = true;
  deploy.scale = ScaleSpec{"spec.replicas", "status.replicas", "spec.selector"};
  deploy.schema = std::make_shared<const boost::json::object>(schema::deployment());
  types.add(deploy);
}

// Opt-in: with core/v1 namespaces registered the pipeline enforces namespace lifecycle,
// so objects can then only be created in namespaces that exist.
inline void register_namespace_type(TypeRegistry& types) {
  TypeInfo ns;
  ns.version = "v1";
  ns.kind = "Namespace";
  ns.plural = "namespaces";
  ns.namespaced = false;
  ns.short_names = {"ns"};
  types.add(ns);
}

inline UserInfo test_admin() {
  return UserInfo{"test-admin", "", {"system:masters"}, {}};
}

class TestKernel {
 public:
  explicit TestKernel(size_t history = watch::HistoryWatchBus::kDefaultHistoryCapacity) : dir_("kernel") {
    store::EmbeddedStoreOptions options;
    options.data_dir = dir_.path();
    options.sink = &sink_;
    options.fsync = false;
    store_ = store::EmbeddedStore::open(options);
    bus_ = std::make_unique<watch::HistoryWatchBus>(store_->current_revision(), history);
    sink_.target = bus_.get();
    register_test_types(types_);
    pipeline_ = std::make_unique<pipeline::KernelPipeline>(*store_, *bus_, types_, auth_);
  }
  ~TestKernel() {
    store_.reset();
    bus_->shutdown();
  }

  std::shared_ptr<Client> client(UserInfo user = test_admin()) {
    return std::make_shared<pipeline::LocalClient>(*pipeline_, std::move(user));
  }
  store::Store& store() { return *store_; }
  watch::HistoryWatchBus& bus() { return *bus_; }
  registry::InMemoryTypeRegistry& types() { return types_; }
  auth::KernelAuthChains& auth() { return auth_; }
  pipeline::KernelPipeline& pipeline() { return *pipeline_; }

 private:
  TempDir dir_;  // first: removed after everything that writes into it
  store::ForwardingSink sink_;
  std::unique_ptr<store::EmbeddedStore> store_;
  std::unique_ptr<watch::HistoryWatchBus> bus_;
  registry::InMemoryTypeRegistry types_;
  auth::KernelAuthChains auth_;
  std::unique_ptr<pipeline::KernelPipeline> pipeline_;
};

inline boost::json::object configmap(const std::string& name, boost::json::object data = {},
                                     boost::json::object labels = {}) {
  boost::json::object meta{{"name", name}};
  if (!labels.empty()) meta["labels"] = std::move(labels);
  return boost::json::object{
      {"apiVersion", "v1"}, {"kind", "ConfigMap"}, {"metadata", std::move(meta)}, {"data", std::move(data)}};
}

// Whether `client` finds the object (404 means no; other errors are thrown).
inline bool exists(Client& client, const GroupVersionResource& gvr, std::string_view ns,
                   std::string_view name) {
  try {
    client.get(gvr, ns, name);
    return true;
  } catch (const ApiError& e) {
    if (!is_not_found(e)) throw;
    return false;
  }
}

// A reference to `owner` for another object's metadata.ownerReferences.
inline boost::json::object owner_ref(const ObjectPtr& owner, bool block_owner_deletion = false) {
  boost::json::object ref{{"apiVersion", owner->at("apiVersion")},
                          {"kind", owner->at("kind")},
                          {"name", owner->at("metadata").at("name")},
                          {"uid", owner->at("metadata").at("uid")}};
  if (block_owner_deletion) ref["blockOwnerDeletion"] = true;
  return ref;
}

// A ConfigMap that `owners` own.
inline boost::json::object owned_configmap(const std::string& name, std::initializer_list<ObjectPtr> owners,
                                           bool block_owner_deletion = false) {
  auto cm = configmap(name);
  boost::json::array refs;
  for (const auto& o : owners) refs.push_back(owner_ref(o, block_owner_deletion));
  cm["metadata"].as_object()["ownerReferences"] = std::move(refs);
  return cm;
}

// Delete options asking for propagation policy `policy` (Orphan, Background, Foreground).
inline DeleteOptions propagation(const char* policy) {
  DeleteOptions o;
  o.propagation_policy = policy;
  return o;
}

// metadata.finalizers, in order.
inline std::vector<std::string> finalizers_of(const ObjectPtr& object) {
  std::vector<std::string> out;
  if (const auto* f = object->at("metadata").as_object().if_contains("finalizers"))
    for (const auto& v : f->as_array()) out.emplace_back(v.as_string());
  return out;
}

// The ApiError `f` throws; a test failure when it throws none.
template <class F>
ApiError expect_error(F&& f) {
  try {
    f();
  } catch (const ApiError& e) {
    return e;
  }
  ADD_FAILURE() << "no ApiError thrown";
  return ApiError(0, "", "");
}

inline boost::json::object J(const char* text) {
  return boost::json::parse(text).as_object();
}

inline std::string meta(const ObjectPtr& o, const char* field) {
  auto& m = o->at("metadata").as_object();
  auto* v = m.if_contains(field);
  if (!v) return {};
  if (v->is_string()) return std::string(v->get_string());
  return boost::json::serialize(*v);
}

}  // namespace ukube::testing
