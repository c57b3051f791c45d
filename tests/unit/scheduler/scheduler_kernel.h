#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "runtime/service.h"
#include "tests/support/eventually.h"
#include "tests/unit/builtin-types/builtin_test_support.h"

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

// Passes every call on and counts lists per resource, to tell cache reads from server reads.
class CountingClient final : public Client {
 public:
  explicit CountingClient(std::shared_ptr<Client> inner) : inner_(std::move(inner)) {}
  size_t lists(const GroupVersionResource& gvr) const {
    std::lock_guard lock(mutex_);
    auto it = lists_.find(gvr.group + "/" + gvr.resource);
    return it == lists_.end() ? 0 : it->second;
  }

  ObjectPtr get(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                const GetOptions& options, std::string_view subresource) override {
    return inner_->get(gvr, ns, name, options, subresource);
  }
  ObjectList list(const GroupVersionResource& gvr, std::string_view ns, const ListOptions& options) override {
    {
      std::lock_guard lock(mutex_);
      ++lists_[gvr.group + "/" + gvr.resource];
    }
    return inner_->list(gvr, ns, options);
  }
  std::unique_ptr<WatchStream> watch(const GroupVersionResource& gvr, std::string_view ns,
                                     const ListOptions& options) override {
    return inner_->watch(gvr, ns, options);
  }
  ObjectPtr create(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource,
                   std::string_view name) override {
    return inner_->create(gvr, ns, object, options, subresource, name);
  }
  ObjectPtr update(const GroupVersionResource& gvr, std::string_view ns, const boost::json::object& object,
                   const WriteOptions& options, std::string_view subresource) override {
    return inner_->update(gvr, ns, object, options, subresource);
  }
  ObjectPtr patch(const GroupVersionResource& gvr, std::string_view ns, std::string_view name, PatchType type,
                  std::string_view patch, const WriteOptions& options,
                  std::string_view subresource) override {
    return inner_->patch(gvr, ns, name, type, patch, options, subresource);
  }
  ObjectPtr remove(const GroupVersionResource& gvr, std::string_view ns, std::string_view name,
                   const DeleteOptions& options) override {
    return inner_->remove(gvr, ns, name, options);
  }

 private:
  std::shared_ptr<Client> inner_;
  mutable std::mutex mutex_;
  std::map<std::string, size_t> lists_;
};

class SchedulerKernel {
 public:
  SchedulerKernel() {
    bt::remove_stand_ins(kernel_.types());
    builtin::register_builtin_types(kernel_.types());
    counting_ = std::make_shared<CountingClient>(kernel_.client());
    client_ = counting_;
    for (const char* ns : {"default", "kube-system"})
      client_->create({"", "v1", "namespaces"}, "",
                      bt::parse(std::string(R"({"metadata":{"name":")") + ns + "\"}}"));
    register_in_tree(registry_);
  }
  ~SchedulerKernel() { service_.reset(); }

  Client& client() { return *client_; }
  // Lists of `gvr` anyone made through client() (the scheduler included).
  size_t lists(const GroupVersionResource& gvr) const { return counting_->lists(gvr); }
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
  std::shared_ptr<CountingClient> counting_;
  std::shared_ptr<Client> client_;
  Registry registry_;
  std::unique_ptr<SchedulerService> service_;
};

using ukube::testing::eventually;

}  // namespace ukube::scheduler::testing
