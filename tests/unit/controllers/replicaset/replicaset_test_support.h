#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <boost/json.hpp>

#include "tests/support/eventually.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/replica_manager.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"
#include "ukube/testing/fake_client.h"

// Builders and a fixture shared by the ReplicaSet controller's tests.
namespace ukube::controller::rs_test {

namespace json = boost::json;
using machinery::Clock;
using namespace std::chrono_literals;

// The tests' wall clock: pods' times are set relative to it.
inline const Clock::time_point kNow = *machinery::parse_time("2024-05-01T12:00:00Z");

inline std::string stamp(Clock::time_point t) {
  return machinery::format_time(t);
}

using ukube::testing::eventually;

// A pod of namespace "default", Running, created an hour before kNow.
class TestPod {
 public:
  explicit TestPod(const std::string& name) {
    o_ = json::object{
        {"apiVersion", "v1"},
        {"kind", "Pod"},
        {"metadata", json::object{{"name", name},
                                  {"namespace", "default"},
                                  {"uid", "uid-" + name},
                                  {"creationTimestamp", stamp(kNow - 1h)}}},
        {"spec",
         json::object{{"containers", json::array{json::object{{"name", "web"}, {"image", "nginx"}}}}}},
        {"status", json::object{{"phase", "Running"}}}};
  }
  TestPod& uid(const std::string& uid) {
    meta()["uid"] = uid;
    return *this;
  }
  TestPod& labels(json::object labels) {
    meta()["labels"] = std::move(labels);
    return *this;
  }
  TestPod& node(const std::string& node) {
    machinery::child(o_, "spec")["nodeName"] = node;
    return *this;
  }
  TestPod& phase(const std::string& phase) {
    machinery::child(o_, "status")["phase"] = phase;
    return *this;
  }
  TestPod& ready(Clock::time_point since) {
    machinery::child_array(machinery::child(o_, "status"), "conditions")
        .push_back(json::object{{"type", "Ready"}, {"status", "True"}, {"lastTransitionTime", stamp(since)}});
    return *this;
  }
  TestPod& not_ready() {
    machinery::child_array(machinery::child(o_, "status"), "conditions")
        .push_back(
            json::object{{"type", "Ready"}, {"status", "False"}, {"lastTransitionTime", stamp(kNow - 2h)}});
    return *this;
  }
  TestPod& restarts(int64_t count) {
    machinery::child(o_, "status")["containerStatuses"] =
        json::array{json::object{{"name", "web"}, {"restartCount", count}}};
    return *this;
  }
  TestPod& created(Clock::time_point t) {
    meta()["creationTimestamp"] = stamp(t);
    return *this;
  }
  TestPod& no_creation_time() {
    meta().erase("creationTimestamp");
    return *this;
  }
  TestPod& deletion_cost(const std::string& cost) {
    machinery::child(meta(), "annotations")["controller.kubernetes.io/pod-deletion-cost"] = cost;
    return *this;
  }
  // Controlled by `owner` (a ReplicaSet unless `kind` says otherwise).
  TestPod& owned_by(const json::object& owner, const std::string& kind = "ReplicaSet") {
    machinery::child_array(meta(), "ownerReferences")
        .push_back(json::object{{"apiVersion", "apps/v1"},
                                {"kind", kind},
                                {"name", machinery::name_of(owner)},
                                {"uid", machinery::uid_of(owner)},
                                {"controller", true},
                                {"blockOwnerDeletion", true}});
    return *this;
  }
  TestPod& deleting() {
    meta()["deletionTimestamp"] = stamp(kNow);
    return *this;
  }
  const json::object& object() const { return o_; }
  ObjectPtr ptr() const { return std::make_shared<const json::object>(o_); }

 private:
  json::object& meta() { return machinery::child(o_, "metadata"); }
  json::object o_;
};

// A ReplicaSet of namespace "default" selecting app=web, its template labelled app=web.
class TestReplicaSet {
 public:
  TestReplicaSet(const std::string& name, int64_t replicas) {
    o_ = json::object{
        {"apiVersion", "apps/v1"},
        {"kind", "ReplicaSet"},
        {"metadata",
         json::object{{"name", name}, {"namespace", "default"}, {"uid", "rs-" + name}, {"generation", 1}}},
        {"spec",
         json::object{{"replicas", replicas},
                      {"selector", json::object{{"matchLabels", json::object{{"app", "web"}}}}},
                      {"template",
                       json::object{{"metadata", json::object{{"labels", json::object{{"app", "web"}}}}},
                                    {"spec", json::object{{"containers",
                                                           json::array{json::object{
                                                               {"name", "web"}, {"image", "nginx"}}}}}}}}}}};
  }
  TestReplicaSet& selector(json::object match_labels) {
    spec()["selector"] = json::object{{"matchLabels", std::move(match_labels)}};
    return *this;
  }
  TestReplicaSet& template_labels(json::object labels) {
    machinery::child(machinery::child(spec(), "template"), "metadata")["labels"] = std::move(labels);
    return *this;
  }
  TestReplicaSet& min_ready_seconds(int64_t seconds) {
    spec()["minReadySeconds"] = seconds;
    return *this;
  }
  TestReplicaSet& generation(int64_t generation) {
    machinery::child(o_, "metadata")["generation"] = generation;
    return *this;
  }
  TestReplicaSet& status(json::object status) {
    o_["status"] = std::move(status);
    return *this;
  }
  TestReplicaSet& deleting() {
    auto& meta = machinery::child(o_, "metadata");
    meta["deletionTimestamp"] = stamp(kNow);
    meta["finalizers"] = json::array{"foregroundDeletion"};
    return *this;
  }
  // Controlled by a Deployment of uid `uid`.
  TestReplicaSet& controlled_by_deployment(const std::string& uid) {
    machinery::child_array(machinery::child(o_, "metadata"), "ownerReferences")
        .push_back(json::object{{"apiVersion", "apps/v1"},
                                {"kind", "Deployment"},
                                {"name", "web"},
                                {"uid", uid},
                                {"controller", true},
                                {"blockOwnerDeletion", true}});
    return *this;
  }
  const json::object& object() const { return o_; }
  std::string key() const { return "default/" + machinery::name_of(o_); }

 private:
  json::object& spec() { return machinery::child(o_, "spec"); }
  json::object o_;
};

inline RecorderSettings recorder_settings() {
  RecorderSettings settings;
  settings.source.component = "replicaset-controller";
  return settings;
}

// A ReplicaManager for ReplicaSets over a FakeClient, its informers listing from the same
// client. Keys it queues are recorded instead of reconciled, so a test calls sync()
// itself and sees what the handlers asked for.
class ReplicaSetFixture : public ::testing::Test {
 protected:
  ~ReplicaSetFixture() override {
    manager_.reset();
    informers_.shutdown();
  }

  // Seeds objects first, then call start().
  ObjectPtr add_pod(const TestPod& pod) { return client_->add(machinery::kPods, pod.object()); }
  ObjectPtr add_replica_set(const TestReplicaSet& rs) {
    return client_->add(machinery::kReplicaSets, rs.object());
  }

  ReplicaManager& start(int burst_replicas = kBurstReplicas) {
    ReplicaManagerOptions options;
    options.kind = replica_set_kind();
    options.client = client_;
    options.pods = informers_.informer(machinery::kPods);
    options.owners = informers_.informer(machinery::kReplicaSets);
    options.events = &events_;
    options.burst_replicas = burst_replicas;
    options.now = [] { return kNow; };
    ReplicaQueue queue{[this](const std::string& key) {
                         std::lock_guard lock(mutex_);
                         queued_.push_back(key);
                       },
                       [this](const std::string& key, std::chrono::milliseconds delay) {
                         std::lock_guard lock(mutex_);
                         queued_after_.emplace_back(key, delay);
                       }};
    EXPECT_TRUE(options.pods->wait_for_sync(5s));
    EXPECT_TRUE(options.owners->wait_for_sync(5s));
    manager_ = std::make_unique<ReplicaManager>(std::move(options), std::move(queue));
    return *manager_;
  }

  // Waits until the pod cache holds `count` pods of namespace default.
  bool pods_cached(size_t count) {
    auto pods = informers_.informer(machinery::kPods);
    return eventually([&] { return pods->list().size() == count; });
  }

  std::vector<std::string> queued() {
    std::lock_guard lock(mutex_);
    return queued_;
  }
  std::vector<std::pair<std::string, std::chrono::milliseconds>> queued_after() {
    std::lock_guard lock(mutex_);
    return queued_after_;
  }
  void clear_queued() {
    std::lock_guard lock(mutex_);
    queued_.clear();
    queued_after_.clear();
  }

  // The events written so far, as "<type> <reason> <message>" (repeats once).
  std::vector<std::string> events() {
    events_.flush();
    std::vector<std::string> out;
    for (const auto& e : event_client_->objects().list({"", "v1", "events"}, "").items)
      out.push_back(machinery::string_at(*e, {"type"}) + " " + machinery::string_at(*e, {"reason"}) + " " +
                    machinery::string_at(*e, {"message"}));
    return out;
  }

  // The pods of namespace default as stored.
  std::vector<ObjectPtr> stored_pods() { return client_->objects().list(machinery::kPods, "default").items; }
  ObjectPtr stored_replica_set(const std::string& name) {
    return client_->objects().get(machinery::kReplicaSets, "default", name);
  }

  std::shared_ptr<testing::FakeClient> client_ = std::make_shared<testing::FakeClient>();
  std::shared_ptr<testing::FakeClient> event_client_ = std::make_shared<testing::FakeClient>();
  SharedInformerFactory informers_{client_, 1};
  EventRecorder events_{event_client_, recorder_settings()};
  std::unique_ptr<ReplicaManager> manager_;

 private:
  std::mutex mutex_;
  std::vector<std::string> queued_;
  std::vector<std::pair<std::string, std::chrono::milliseconds>> queued_after_;
};

}  // namespace ukube::controller::rs_test
