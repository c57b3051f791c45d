#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "ukube/admission/plugin_support.h"
#include "ukube/informer.h"

// ukube.admission.v1.priority: upstream's Priority admission plugin.
//  - A new pod's spec.priorityClassName is resolved to spec.priority and
//    spec.preemptionPolicy from its PriorityClass; a class that does not exist is 403. A pod
//    without a class gets the global default class (its name too) if there is one, else
//    priority 0. A pod that brings its own priority or preemption policy must bring the
//    resolved one.
//  - An updated pod keeps the priority and preemption policy it was created with.
//  - Only one PriorityClass may be the global default.
//  - system-node-critical and system-cluster-critical are created at start when missing.
// Classes come from an informer; a class it does not know (yet) is looked up live, so a
// pod created right after its class is not refused.
namespace ukube::admission {

class PriorityAdmission final : public AdmissionPlugin {
 public:
  PriorityAdmission(std::shared_ptr<Client> client, std::shared_ptr<Informer> classes);

  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

  // What a pod gets: the class name it ends up with, its value and preemption policy
  // (empty when the class leaves it unset).
  struct Resolution {
    std::string class_name;
    int64_t priority = 0;
    std::string preemption_policy;
  };

 private:
  void admit_create(AdmissionRequest& request);
  // The named class from the cache, else live; null when there is none.
  ObjectPtr find_class(const std::string& name);
  Resolution resolve(const AdmissionRequest& request, const std::string& class_name);
  void wait_ready(const AdmissionRequest& request, bool mutating);

  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> classes_;
};

class SystemPriorityClassBootstrap;

class PriorityPlugin final : public AdmissionPluginShell {
 public:
  PriorityPlugin();
  ~PriorityPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

  SystemPriorityClassBootstrap& bootstrap() { return *bootstrap_; }

 private:
  void stop_workers() override;
  std::shared_ptr<Informer> classes_;
  std::shared_ptr<SystemPriorityClassBootstrap> bootstrap_;
};

}  // namespace ukube::admission
