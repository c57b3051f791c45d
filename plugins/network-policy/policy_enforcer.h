#pragma once

#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "settings.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/node/nft.h"

namespace spdlog {
class logger;
}

// Keeps the policy table in step with NetworkPolicies, Pods and Namespaces: any change
// queues one sync, at most one per min_sync_period, which recomputes the table from the
// caches and, when it differs from the one applied, replaces it in one transaction.
namespace ukube::network_policy {

struct EnforcerStats {
  uint64_t syncs = 0, failures = 0;
  size_t isolated = 0, rules = 0;  // of the table applied last
};

class PolicyEnforcer {
 public:
  PolicyEnforcer(Settings settings, std::shared_ptr<Informer> policies, std::shared_ptr<Informer> pods,
                 std::shared_ptr<Informer> namespaces, runtime::node::NftApply apply,
                 std::shared_ptr<spdlog::logger> log);
  ~PolicyEnforcer();

  void start();
  void stop();
  EnforcerStats stats() const;

 private:
  controller::Result sync();

  Settings settings_;
  std::shared_ptr<Informer> policies_, pods_, namespaces_;
  runtime::node::NftApply apply_;
  std::shared_ptr<spdlog::logger> log_;
  std::unique_ptr<controller::ReconcileLoop> loop_;
  std::vector<InformerRegistration> registrations_;

  mutable std::mutex mutex_;
  EnforcerStats stats_;
  // Only the loop's one worker touches these.
  std::string applied_;
  std::chrono::steady_clock::time_point last_sync_{};
};

}  // namespace ukube::network_policy
