// A controller for a resource of its own, written the way a third party writes one: against
// the SDK only. A Greeting (greeting-crd.yaml, example.com/v1) asks for a ConfigMap
// greeting-<name> whose data.message greets spec.name; the controller keeps that ConfigMap,
// owned by the Greeting, and reports what it wrote in the Greeting's status.
#include <boost/json.hpp>

#include <chrono>
#include <memory>
#include <string>

#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/errors.h"
#include "ukube/informer.h"
#include "ukube/machinery/conditions.h"
#include "ukube/machinery/json.h"
#include "ukube/machinery/resources.h"
#include "ukube/machinery/time.h"

namespace example {

using ukube::ObjectPtr;
using ukube::controller::Result;
namespace json = boost::json;
namespace machinery = ukube::machinery;

const ukube::GroupVersionResource kGreetings{"example.com", "v1", "greetings"};

class GreetingController final : public ukube::controller::RunningController {
 public:
  explicit GreetingController(const ukube::controller::ControllerDeps& deps)
      : client_(deps.client),
        greetings_(deps.informers->informer(kGreetings)),
        loop_(
            {"greeting", 1}, [this](const std::string& key) { return sync(key); }, deps.log) {}

  void start() override {
    auto queue = [this](const ObjectPtr& greeting) { loop_.add(ukube::object_key(*greeting)); };
    handlers_ = greetings_->add_handlers(
        {queue, [queue](const ObjectPtr&, const ObjectPtr& greeting) { queue(greeting); }, nullptr});
    loop_.start();
  }
  void stop() override {
    handlers_.reset();
    loop_.stop();
  }

 private:
  Result sync(const std::string& key) {
    ObjectPtr greeting = greetings_->get(key);
    if (!greeting || !machinery::meta_string(*greeting, "deletionTimestamp").empty()) return Result::done();
    const std::string ns = machinery::meta_string(*greeting, "namespace");
    const std::string config_map = "greeting-" + machinery::name_of(*greeting);
    const std::string message = machinery::string_at(*greeting, {"spec", "greeting"}, "Hello") + ", " +
                                machinery::string_at(*greeting, {"spec", "name"}) + "!";
    write_config_map(*greeting, ns, config_map, message);
    write_status(*greeting, ns, config_map, message);
    return Result::done();
  }

  void write_config_map(const json::object& greeting, const std::string& ns, const std::string& name,
                        const std::string& message) {
    json::object data{{"message", message}};
    try {
      ObjectPtr current = client_->get(machinery::kConfigMaps, ns, name);
      const json::object* now = machinery::object_at(*current, {"data"});
      if (now && *now == data) return;
      json::object updated = *current;
      updated["data"] = std::move(data);
      client_->update(machinery::kConfigMaps, ns, updated);
    } catch (const ukube::ApiError& e) {
      if (!ukube::is_not_found(e)) throw;  // a conflict is retried by the loop
      // Owned by the Greeting, so the garbage collector removes it with its owner.
      json::object owner{{"apiVersion", "example.com/v1"},
                         {"kind", "Greeting"},
                         {"name", machinery::name_of(greeting)},
                         {"uid", machinery::meta_string(greeting, "uid")},
                         {"controller", true}};
      client_->create(machinery::kConfigMaps, ns,
                      json::object{{"apiVersion", "v1"},
                                   {"kind", "ConfigMap"},
                                   {"metadata", {{"name", name}, {"ownerReferences", json::array{owner}}}},
                                   {"data", std::move(data)}});
    }
  }

  void write_status(const json::object& greeting, const std::string& ns, const std::string& config_map,
                    const std::string& message) {
    json::object status{{"configMap", config_map},
                        {"message", message},
                        {"observedGeneration", machinery::int_or(greeting, {"metadata", "generation"}, 0)}};
    status["conditions"] =
        machinery::with_condition(greeting,
                                  json::object{{"type", "Ready"},
                                               {"status", "True"},
                                               {"reason", "ConfigMapWritten"},
                                               {"message", "the greeting is in ConfigMap " + config_map}},
                                  machinery::now_rfc3339());
    if (const auto* now = machinery::object_at(greeting, {"status"}); now && *now == status) return;
    client_->patch(kGreetings, ns, machinery::name_of(greeting), ukube::PatchType::JsonMerge,
                   json::serialize(json::object{{"status", std::move(status)}}), {}, "status");
  }

  std::shared_ptr<ukube::Client> client_;
  std::shared_ptr<ukube::Informer> greetings_;
  ukube::controller::ReconcileLoop loop_;
  ukube::InformerRegistration handlers_;
};

class GreetingPlugin final : public ukube::controller::ControllerPlugin {
 public:
  GreetingPlugin() : ControllerPlugin({"greeting", "greeting"}) {}

 protected:
  std::unique_ptr<ukube::controller::RunningController> make_running(
      const ukube::controller::ControllerDeps& deps) override {
    return std::make_unique<GreetingController>(deps);
  }
};

}  // namespace example

UKUBE_DEFINE_PLUGIN("ukube.controller.v1", "greeting", example::GreetingPlugin, nullptr, "ukube.types.v1")
