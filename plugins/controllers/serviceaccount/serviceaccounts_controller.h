#pragma once

#include <memory>
#include <string>
#include <vector>

#include "ukube/client.h"
#include "ukube/controller/controller_plugin.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

// Upstream's service account controller (pkg/controller/serviceaccount): keeps a "default"
// ServiceAccount in every active namespace. A new or changed namespace is synced, and so is
// the namespace of a deleted "default" account; a namespace that is gone or terminating is
// left without one.
namespace ukube::controllers::serviceaccount {

// The accounts every namespace gets (upstream's --service-account-names default).
inline constexpr const char* kDefaultAccount = "default";

class ServiceAccountsController final : public controller::RunningController {
 public:
  ServiceAccountsController(const controller::ControllerDeps& deps, unsigned workers);
  ~ServiceAccountsController() override;
  void start() override;
  void stop() override;

  // Creates the namespace's "default" account unless the cache shows it.
  controller::Result sync(const std::string& ns);
  bool idle() const { return loop_->idle(); }

 private:
  std::shared_ptr<Client> client_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<Informer> namespaces_, accounts_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> handlers_;
};

}  // namespace ukube::controllers::serviceaccount
