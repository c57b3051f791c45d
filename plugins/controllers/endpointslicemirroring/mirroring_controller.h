#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// Upstream's EndpointSliceMirroring controller while it runs: for every Service without
// a selector, the EndpointSlices mirroring the Endpoints object the user keeps for it
// (mirrored_slices.h). Slices of one address type and port set are reused in place;
// slices no longer called for are deleted, and so are all of them when the Service gains
// a selector, goes, or its Endpoints go or are labelled skip-mirror.
namespace ukube::controllers::mirroring {

struct MirroringSettings {
  unsigned workers = 5;
  size_t max_endpoints_per_subset = 1000;  // upstream's --mirroring-max-endpoints-per-subset
};

class MirroringController final : public controller::RunningController {
 public:
  MirroringController(const controller::ControllerDeps& deps, MirroringSettings settings);
  ~MirroringController() override;
  void start() override;
  void stop() override;

  // Brings the mirrored slices of the Endpoints "namespace/name" in line with it.
  controller::Result sync(const std::string& key);
  bool idle() const { return loop_->idle(); }

 private:
  std::vector<ObjectPtr> mirrored_slices(const std::string& key) const;
  // Whether the slice cache shows every write this controller made for `key`; forgets
  // them once it does.
  bool cache_caught_up(const std::string& key, const std::vector<ObjectPtr>& slices);
  void expect(const std::string& key, const std::string& slice_name, const std::string& revision);

  std::shared_ptr<Client> client_;
  controller::EventRecorder* events_;
  std::shared_ptr<spdlog::logger> log_;
  MirroringSettings settings_;
  std::shared_ptr<Informer> endpoints_, services_, slices_;
  std::vector<InformerRegistration> indexers_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;

  std::mutex mutex_;
  // Per Endpoints key: slice name → revision written ("" for deleted), until cached.
  std::map<std::string, std::map<std::string, std::string>> written_;
};

}  // namespace ukube::controllers::mirroring
