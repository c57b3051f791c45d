// A controller written the way a third party writes one: against the SDK only. It keeps a
// ConfigMap "pod-count" in every namespace that has had pods, holding how many it has now.
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/errors.h"
#include "ukube/informer.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"

namespace example {

using ukube::ObjectPtr;
using ukube::controller::Result;
namespace json = boost::json;
namespace machinery = ukube::machinery;

class PodCounter final : public ukube::controller::RunningController {
 public:
  explicit PodCounter(const ukube::controller::ControllerDeps& deps)
      : client_(deps.client),
        pods_(deps.informers->informer(machinery::kPods)),
        loop_(
            {"pod-counter", 1}, [this](const std::string& ns) { return sync(ns); }, deps.log) {}

  void start() override {
    auto queue = [this](const ObjectPtr& pod) {
      loop_.add(machinery::string_at(*pod, {"metadata", "namespace"}));
    };
    handlers_ =
        pods_->add_handlers({queue, [queue](const ObjectPtr&, const ObjectPtr& pod) { queue(pod); }, queue});
    loop_.start();
  }
  void stop() override {
    handlers_.reset();
    loop_.stop();
  }

 private:
  Result sync(const std::string& ns) {
    if (!pods_->has_synced()) return Result::requeue_after(std::chrono::milliseconds(100));
    size_t count = 0;
    for (const auto& pod : pods_->list())
      if (machinery::string_at(*pod, {"metadata", "namespace"}) == ns) ++count;
    json::object data{{"pods", std::to_string(count)}};
    try {
      ObjectPtr current = client_->get(machinery::kConfigMaps, ns, "pod-count");
      const json::object* now = machinery::object_at(*current, {"data"});
      if (now && *now == data) return Result::done();
      json::object updated = *current;
      updated["data"] = std::move(data);
      client_->update(machinery::kConfigMaps, ns, updated);
    } catch (const ukube::ApiError& e) {
      if (!ukube::is_not_found(e)) throw;  // a conflict is retried by the loop
      client_->create(machinery::kConfigMaps, ns,
                      json::object{{"apiVersion", "v1"},
                                   {"kind", "ConfigMap"},
                                   {"metadata", {{"name", "pod-count"}}},
                                   {"data", std::move(data)}});
    }
    return Result::done();
  }

  std::shared_ptr<ukube::Client> client_;
  std::shared_ptr<ukube::Informer> pods_;
  ukube::controller::ReconcileLoop loop_;
  ukube::InformerRegistration handlers_;
};

class PodCounterPlugin final : public ukube::controller::ControllerPlugin {
 public:
  PodCounterPlugin() : ControllerPlugin({"pod-counter", "pod-counter"}) {}

 protected:
  std::unique_ptr<ukube::controller::RunningController> make_running(
      const ukube::controller::ControllerDeps& deps) override {
    return std::make_unique<PodCounter>(deps);
  }
};

}  // namespace example

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "pod-counter", example::PodCounterPlugin, nullptr,
                    "ukube.types.v1")
