#pragma once

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "aggregation_controller.h"
#include "bootstrap.h"
#include "policy_index.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

namespace spdlog {
class logger;
}

namespace ukube {
class AuthChains;
}

// ukube.authorizer.v1.rbac: upstream's RBAC authorizer, the bootstrap policy and the
// cluster role aggregation controller. The authorizer is in the chain from init on; until
// the informers have listed the policy it allows only the privileged group, which is
// also what the plugin's own client belongs to. Enable it only together with an
// authenticator: without one every request arrives as system:anonymous, which the
// default policy lets see no more than /healthz, /livez, /readyz and /version.
namespace ukube::rbac {

class RbacPlugin final : public Plugin {
 public:
  ~RbacPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  // Keeps answering from the policy last seen: leaving the chain would open the API.
  void stop() override;

  // Every informer has listed once.
  bool synced() const;
  const AggregationController& aggregation() const { return *aggregation_; }
  const BootstrapReport& bootstrap_report() const { return report_; }

 private:
  AuthChains* auth_ = nullptr;
  std::string uri_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<Client> client_;
  std::shared_ptr<PolicyIndex> index_;
  std::vector<std::shared_ptr<Informer>> informers_;  // shared with other plugins
  std::vector<InformerRegistration> registrations_;
  std::unique_ptr<AggregationController> aggregation_;
  BootstrapReport report_;
  // Per kind (Role, ClusterRole, RoleBinding, ClusterRoleBinding): the newest revision the
  // index holds an object of.
  std::array<std::atomic<int64_t>, 4> indexed_revision_{};

  void wait_for_policy_written();
};

}  // namespace ukube::rbac
