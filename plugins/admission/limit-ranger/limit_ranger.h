#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/admission/plugin_support.h"
#include "ukube/informer.h"
#include "ukube/machinery/resource_list.h"

// ukube.admission.v1.limit-ranger: upstream's LimitRanger plugin.
//  - mutating, pods on create: every container and init container missing a request or a
//    limit the namespace's LimitRanges (type Container) default gets it (defaultRequest,
//    default), and the pod is annotated kubernetes.io/limit-ranger with what was set;
//  - validating, pods on create: min, max and maxLimitRequestRatio per Container and, on
//    the pod's summed requests and limits, per Pod; PersistentVolumeClaims (create and
//    update): min and max of spec.resources.requests.
// Refusals carry upstream's messages, several at once as "[a, b]"; resources are checked
// in name order (upstream's order is Go's map order, i.e. random).
namespace ukube::admission {

class LimitRanger final : public AdmissionPlugin {
 public:
  LimitRanger(std::shared_ptr<Client> client, std::shared_ptr<Informer> limit_ranges);

  void admit(AdmissionRequest& request) override;
  void validate(const AdmissionRequest& request) override;

  // Upstream's defaulting of a LimitRange (SetDefaults_LimitRangeItem): for Container
  // items, default <- max, defaultRequest <- default, then defaultRequest <- min. Applied
  // to what is read, so a LimitRange stored without it behaves as upstream's.
  static json::object with_defaults(const json::object& limit_range);
  // The error (aggregated) a pod or claim gets from one LimitRange; empty when it passes.
  static std::string pod_errors(const json::object& limit_range, const json::object& pod);
  static std::string claim_errors(const json::object& limit_range, const json::object& claim);
  // Applies one LimitRange's Container defaults; returns false when nothing was set.
  static bool apply_defaults(const json::object& limit_range, json::object& pod);

  // Drops the live lookup remembered for `ns` (the informer saw a change there).
  void forget(const std::string& ns);

 private:
  bool supports(const AdmissionRequest& r) const;
  std::vector<json::object> limit_ranges(const AdmissionRequest& r, bool mutating);

  std::shared_ptr<Client> client_;
  std::shared_ptr<Informer> informer_;
  struct Live {
    std::chrono::steady_clock::time_point expiry;
    std::vector<ObjectPtr> items;
  };
  std::mutex mutex_;
  std::map<std::string, Live> live_;
};

class LimitRangerPlugin final : public AdmissionPluginShell {
 public:
  ~LimitRangerPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

 private:
  void stop_workers() override;
  std::shared_ptr<Informer> informer_;  // shared with other plugins
  InformerRegistration index_, handlers_;
};

}  // namespace ukube::admission
