#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/json.hpp>

#include "controllers/namespace/resources_deleter.h"
#include "tests/support/eventually.h"
#include "ukube/errors.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

// A cluster for the namespace controller's tests: a FakeClient that answers the
// namespaces/finalize subresource as the API server does, the types it serves, and a
// DELETE on a collection that records each call. InMemoryClient keeps an object being
// deleted only while metadata.finalizers holds it, so a namespace whose spec.finalizers
// is not empty carries kHeldBySpec there too; the finalize subresource drops it once
// spec.finalizers is empty, and the namespace goes, as the API server removes it.
namespace ukube::controllers::namespace_::test {

namespace json = boost::json;
using namespace std::chrono_literals;

using ukube::testing::eventually;

inline constexpr const char* kHeldBySpec = "test.ukube.io/spec-finalizers";

inline const GroupVersionResource kWidgets{"example.com", "v1", "widgets"};
using machinery::kEvents;

inline TypeInfoPtr served(const GroupVersionResource& gvr, const std::string& kind, bool namespaced = true,
                          std::vector<std::string> verbs = {"create", "delete", "deletecollection", "get",
                                                            "list", "patch", "update", "watch"}) {
  TypeInfo t;
  t.group = gvr.group;
  t.version = gvr.version;
  t.plural = gvr.resource;
  t.kind = kind;
  t.namespaced = namespaced;
  t.verbs = std::move(verbs);
  return std::make_shared<const TypeInfo>(std::move(t));
}

// A few of the built-in types, cluster-scoped and create-only ones among them, and a CRD
// served at two versions.
inline std::vector<TypeInfoPtr> default_types() {
  return {served(machinery::kConfigMaps, "ConfigMap"),
          served(machinery::kSecrets, "Secret"),
          served(machinery::kPods, "Pod"),
          served(kEvents, "Event", true, {"create", "delete", "get", "list", "patch", "update", "watch"}),
          served(machinery::kNamespaces, "Namespace", false,
                 {"create", "delete", "get", "list", "patch", "update", "watch"}),
          served(machinery::kNodes, "Node", false),
          served({"authorization.k8s.io", "v1", "localsubjectaccessreviews"}, "LocalSubjectAccessReview",
                 true, {"create"}),
          served({"example.com", "v1beta1", "widgets"}, "Widget"),
          served(kWidgets, "Widget")};
}

struct CollectionDelete {
  GroupVersionResource gvr;
  std::string ns;
  DeleteOptions options;
};

class FakeCluster {
 public:
  FakeCluster() {
    client->prepend_reactor("update", "namespaces/finalize",
                            [this](const testing::Action& a) -> std::optional<testing::Reaction> {
                              testing::Reaction r;
                              r.object = finalize(*a.object);
                              return r;
                            });
  }

  // The deleter's options over this cluster.
  DeleterOptions options() {
    DeleterOptions o;
    o.client = client;
    o.discover = [this] {
      std::lock_guard lock(mutex_);
      if (!discovery_error.empty()) throw std::runtime_error(discovery_error);
      return types;
    };
    o.delete_collection = [this](const GroupVersionResource& gvr, std::string_view ns,
                                 const DeleteOptions& opts) {
      delete_collection(gvr, std::string(ns), opts);
    };
    o.now = [this] {
      std::lock_guard lock(mutex_);
      return now;
    };
    return o;
  }

  // A namespace; `deleted_ago` set: being deleted since then.
  ObjectPtr add_namespace(const std::string& name, std::optional<std::chrono::seconds> deleted_ago,
                          std::vector<std::string> spec_finalizers = {"kubernetes"},
                          const std::string& phase = "Active",
                          std::vector<std::string> meta_finalizers = {}) {
    json::object meta{{"name", name}, {"uid", "uid-" + name}};
    if (deleted_ago) meta["deletionTimestamp"] = machinery::format_time(now - *deleted_ago);
    if (!spec_finalizers.empty()) meta_finalizers.push_back(kHeldBySpec);
    if (!meta_finalizers.empty()) meta["finalizers"] = strings(meta_finalizers);
    json::object ns{{"apiVersion", "v1"},
                    {"kind", "Namespace"},
                    {"metadata", std::move(meta)},
                    {"spec", {{"finalizers", strings(spec_finalizers)}}},
                    {"status", {{"phase", phase}}}};
    return client->add(machinery::kNamespaces, ns);
  }

  // An object of `gvr` in `ns`; `extra` is merged into it (finalizers, spec, status).
  ObjectPtr add(const GroupVersionResource& gvr, const std::string& ns, const std::string& name,
                const std::string& extra = "{}") {
    json::object o = json::parse(extra).as_object();
    auto& meta = machinery::child(o, "metadata");
    meta["name"] = name;
    meta["namespace"] = ns;
    return client->add(gvr, o);
  }

  ObjectPtr find(const GroupVersionResource& gvr, const std::string& ns, const std::string& name) {
    try {
      return client->objects().get(gvr, ns, name);
    } catch (const ApiError&) {
      return nullptr;
    }
  }
  ObjectPtr namespace_object(const std::string& name) { return find(machinery::kNamespaces, "", name); }

  std::vector<CollectionDelete> collection_deletes() {
    std::lock_guard lock(mutex_);
    return collection_deletes_;
  }
  std::vector<std::string> collection_deleted_resources() {
    std::vector<std::string> out;
    for (const auto& d : collection_deletes()) out.push_back(d.gvr.resource + "." + d.gvr.version);
    return out;
  }
  // The namespace bodies the controller sent to namespaces/status, oldest first.
  std::vector<json::object> status_writes() {
    std::vector<json::object> out;
    for (const auto& a : client->actions("update", "namespaces/status")) out.push_back(*a.object);
    return out;
  }

  void advance(std::chrono::seconds d) {
    std::lock_guard lock(mutex_);
    now += d;
  }

  std::shared_ptr<testing::FakeClient> client = std::make_shared<testing::FakeClient>();
  std::vector<TypeInfoPtr> types = default_types();
  std::string discovery_error;                        // set: discovery fails with it
  std::map<std::string, ApiError> refuse_collection;  // resource → what DELETE on its collection answers
  bool graceful_pods = false;                         // pods with a grace period stay, marked, when deleted
  machinery::Clock::time_point now = machinery::Clock::now();

 private:
  static json::array strings(const std::vector<std::string>& values) {
    json::array a;
    for (const auto& v : values) a.emplace_back(v);
    return a;
  }

  void delete_collection(const GroupVersionResource& gvr, const std::string& ns, const DeleteOptions& opts) {
    {
      std::lock_guard lock(mutex_);
      collection_deletes_.push_back({gvr, ns, opts});
    }
    if (auto refused = refuse_collection.find(gvr.resource); refused != refuse_collection.end())
      throw refused->second;
    for (const auto& item : client->objects().list(gvr, ns).items) {
      if (graceful_pods && gvr.resource == "pods" &&
          machinery::int_or(*item, {"spec", "terminationGracePeriodSeconds"}, 0) > 0 &&
          machinery::string_at(*item, {"status", "phase"}) != "Succeeded") {
        json::object marked = *item;
        machinery::child(marked, "metadata")["deletionTimestamp"] = machinery::now_rfc3339();
        client->objects().add(gvr, marked);  // the kubelet is still stopping it
        continue;
      }
      client->objects().remove(gvr, ns, machinery::name_of(*item), opts);
    }
  }

  ObjectPtr finalize(const json::object& body) {
    const std::string name = machinery::name_of(body);
    ObjectPtr current = client->objects().get(machinery::kNamespaces, "", name);
    std::string rv = machinery::meta_string(body, "resourceVersion");
    if (!rv.empty() && rv != machinery::meta_string(*current, "resourceVersion"))
      throw ApiError::stale("namespaces", name);
    json::object next = *current;
    const json::array* finalizers = machinery::array_at(body, {"spec", "finalizers"});
    machinery::child(next, "spec")["finalizers"] = finalizers ? *finalizers : json::array();
    if (!finalizers || finalizers->empty()) {
      auto& meta = machinery::child(next, "metadata");
      json::array kept;
      for (const auto& f : machinery::strings_at(next, {"metadata", "finalizers"}))
        if (f != kHeldBySpec) kept.emplace_back(f);
      meta["finalizers"] = std::move(kept);
    }
    return client->objects().update(machinery::kNamespaces, "", next);
  }

  std::mutex mutex_;
  std::vector<CollectionDelete> collection_deletes_;
};

// The condition of `type` in `ns`'s status, as "<status> <reason>: <message>".
inline std::string condition(const json::object& ns, std::string_view type) {
  const json::object* c = machinery::find_condition(ns, type);
  if (!c) return "<none>";
  return machinery::string_at(*c, {"status"}) + " " + machinery::string_at(*c, {"reason"}) + ": " +
         machinery::string_at(*c, {"message"});
}
inline std::string transition_time(const json::object& ns, std::string_view type) {
  const json::object* c = machinery::find_condition(ns, type);
  return c ? machinery::string_at(*c, {"lastTransitionTime"}) : "<none>";
}

}  // namespace ukube::controllers::namespace_::test
