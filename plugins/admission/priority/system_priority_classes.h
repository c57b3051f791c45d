#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>

#include "ukube/admission/plugin_support.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// Upstream's two built-in PriorityClasses, which its API server creates at start-up (the
// scheduling bootstrap): here the priority plugin owns them, since nothing else in this
// daemon writes them and critical pods name them.
namespace ukube::admission {

struct SystemPriorityClass {
  const char* name;
  int32_t value;
  const char* description;
};

// system-node-critical (2000001000) and system-cluster-critical (2000000000).
std::span<const SystemPriorityClass> system_priority_classes();
json::object priority_class_object(const SystemPriorityClass& c);

// Creates the system classes that are missing. An existing one is left as it is (an
// administrator may have annotated it); one whose create fails is retried with back-off,
// so a store that refuses writes for a moment at start-up does not leave them out.
class SystemPriorityClassBootstrap {
 public:
  SystemPriorityClassBootstrap(std::shared_ptr<Client> client, std::shared_ptr<Informer> classes,
                               std::shared_ptr<spdlog::logger> log);
  // One attempt per class on the caller's thread (pods naming them right after start-up
  // find them), then the retries on the loop's own thread.
  void start();
  void stop() { loop_.stop(); }
  bool idle() const { return loop_.idle(); }

  // True when the class exists now (created, or already there).
  bool sync(const std::string& name);

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> classes_;
  std::shared_ptr<spdlog::logger> log_;
  controller::ReconcileLoop loop_;
};

}  // namespace ukube::admission
