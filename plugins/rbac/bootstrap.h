#pragma once

#include <memory>
#include <string>
#include <vector>

namespace spdlog {
class logger;
}

namespace ukube {
class Client;
}

namespace ukube::rbac {

// What ensuring the bootstrap policy did, by object ("clusterrole/admin",
// "role/kube-system/system:controller:token-cleaner").
struct BootstrapReport {
  std::vector<std::string> created;
  std::vector<std::string> updated;
  std::vector<std::string> recreated;
  std::vector<std::string> protected_;  // would have changed, left alone on request
  size_t writes() const { return created.size() + updated.size() + recreated.size(); }
};

// Creates the default cluster roles, roles and their bindings that are missing (and a
// namespace they need) and reconciles those that exist. Writes race with other writers
// (the aggregation controller), so each object is re-read and retried on a conflict.
// Throws ApiError when the store refuses.
BootstrapReport ensure_bootstrap_policy(Client& client, spdlog::logger* log);

}  // namespace ukube::rbac
