#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "runtime/service.h"
#include "tests/support/eventually.h"
#include "tests/unit/builtin-types/builtin_test_support.h"
#include "ukube/testing/recording_client.h"

// A real kernel with the built-in types, and the scheduler service running against it
// in-process: the objects a test writes go through the same pipeline kubectl's do.
namespace ukube::scheduler::testing {

namespace bt = ukube::builtin::testing;

inline const GroupVersionResource kPods{"", "v1", "pods"};
inline const GroupVersionResource kNodes{"", "v1", "nodes"};
inline const GroupVersionResource kEvents{"", "v1", "events"};
inline const GroupVersionResource kPriorityClasses{"scheduling.k8s.io", "v1", "priorityclasses"};
inline const GroupVersionResource kPdbs{"policy", "v1", "poddisruptionbudgets"};
inline const GroupVersionResource kLeases{"coordination.k8s.io", "v1", "leases"};

class SchedulerKernel {
 public:
  SchedulerKernel() {
    bt::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    recording_ = std::make_shared<ukube::testing::RecordingClient>(kernel_.client());
    client_ = recording_;
    for (const char* ns : {"default", "kube-system"})
      client_->create({"", "v1", "namespaces"}, "",
                      bt::parse(std::string(R"({"metadata":{"name":")") + ns + "\"}}"));
    register_in_tree(registry_);
  }
  ~SchedulerKernel() { service_.reset(); }

  Client& client() { return *client_; }
  // Lists of `gvr` anyone made through client() (the scheduler included).
  size_t lists(const GroupVersionResource& gvr) const {
    size_t n = 0;
    for (const auto& a : recording_->actions("list", gvr.resource)) n += a.resource.group == gvr.group;
    return n;
  }
  std::shared_ptr<Client> shared_client() { return client_; }
  Registry& registry() { return registry_; }
  TypeRegistry& types() { return kernel_.types(); }

  SchedulerService& start(Settings settings = {}) {
    settings.scheduler.queue.initial_backoff = std::chrono::milliseconds(50);
    settings.scheduler.queue.max_backoff = std::chrono::milliseconds(200);
    service_ = std::make_unique<SchedulerService>(client_, registry_, std::move(settings));
    service_->start();
    service_->wait_for_sync(std::chrono::seconds(10));
    return *service_;
  }

  void node(const std::string& name, const std::string& cpu = "4", const std::string& memory = "8Gi",
            const std::string& extra_labels = "", const std::string& spec = "{}") {
    std::string text = R"({"apiVersion":"v1","kind":"Node","metadata":{"name":")" + name +
                       R"(","labels":{"kubernetes.io/hostname":")" + name + "\"" + extra_labels +
                       R"(}},"spec":)" + spec + R"(,"status":{"capacity":{"cpu":")" + cpu +
                       R"(","memory":")" + memory + R"(","pods":"110"},"allocatable":{"cpu":")" + cpu +
                       R"(","memory":")" + memory + R"(","pods":"110"}}})";
    client_->create(kNodes, "", bt::parse(text));
  }

  ObjectPtr pod(const std::string& name, const std::string& spec_extra = "", const std::string& cpu = "",
                const std::string& labels = "{}") {
    std::string resources = cpu.empty() ? "" : R"(,"resources":{"requests":{"cpu":")" + cpu + "\"}}";
    std::string text = R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":")" + name + R"(","labels":)" +
                       labels + R"(},"spec":{"containers":[{"name":"c","image":"app")" + resources + "}]" +
                       spec_extra + "}}";
    return client_->create(kPods, "default", bt::parse(text));
  }

  std::string node_of(const std::string& pod) {
    try {
      auto p = client_->get(kPods, "default", pod);
      return bt::at(*p, "spec.nodeName").is_string() ? std::string(bt::at(*p, "spec.nodeName").get_string())
                                                     : "";
    } catch (const ApiError&) {
      return "";
    }
  }

  bool gone(const std::string& pod) {
    try {
      client_->get(kPods, "default", pod);
      return false;
    } catch (const ApiError& e) {
      return is_not_found(e);
    }
  }

  // Being deleted (graceful: its kubelet has yet to stop it) or gone already.
  bool evicted(const std::string& pod) {
    try {
      auto p = client_->get(kPods, "default", pod);
      return bt::at(*p, "metadata.deletionTimestamp").is_string();
    } catch (const ApiError& e) {
      return is_not_found(e);
    }
  }

  // What the pod's kubelet does once its containers stopped: the final delete. These tests
  // run no kubelet, so a bound pod deleted gracefully waits for this.
  void kubelet_stops(const std::string& pod) {
    DeleteOptions now;
    now.grace_period_seconds = 0;
    try {
      client_->remove(kPods, "default", pod, now);
    } catch (const ApiError& e) {
      if (!is_not_found(e)) throw;
    }
  }

  // The PodScheduled condition as "status/reason/message".
  std::string scheduled_condition(const std::string& pod) { return condition(pod, "PodScheduled"); }

  // The condition of `type` as "status/reason/message"; "" when the pod has none.
  std::string condition(const std::string& pod, const std::string& type) {
    auto p = client_->get(kPods, "default", pod);
    auto conds = bt::at(*p, "status.conditions");
    if (!conds.is_array()) return "";
    for (const auto& c : conds.get_array()) {
      const auto& o = c.as_object();
      if (o.at("type") == type.c_str()) {
        auto s = [&](const char* k) {
          return o.contains(k) && o.at(k).is_string() ? std::string(o.at(k).get_string()) : std::string();
        };
        return s("status") + "/" + s("reason") + "/" + s("message");
      }
    }
    return "";
  }

  std::string nominated_node(const std::string& pod) {
    auto v = bt::at(*client_->get(kPods, "default", pod), "status.nominatedNodeName");
    return v.is_string() ? std::string(v.get_string()) : "";
  }

  std::vector<std::string> event_messages(const std::string& pod, const std::string& reason) {
    std::vector<std::string> out;
    for (const auto& e : client_->list(kEvents, "default").items)
      if (bt::at(*e, "involvedObject.name") == pod.c_str() && bt::at(*e, "reason") == reason.c_str())
        out.emplace_back(bt::at(*e, "message").as_string());
    return out;
  }

 private:
  ukube::testing::TestKernel kernel_;
  // Every call anyone makes through client(), to tell cache reads from server reads.
  std::shared_ptr<ukube::testing::RecordingClient> recording_;
  std::shared_ptr<Client> client_;
  Registry registry_;
  std::unique_ptr<SchedulerService> service_;
};

using ukube::testing::eventually;

}  // namespace ukube::scheduler::testing
