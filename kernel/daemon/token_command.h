#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

// `ukube token create`: a new bootstrap token, stored as the Secret
// kube-system/bootstrap-token-<id> through the API server (HTTPS with the admin
// kubeconfig), for the bootstrap-token authenticator to accept.
namespace ukube::daemon {

struct TokenCreateRequest {
  std::filesystem::path kubeconfig;                   // the admin kubeconfig to call the API with
  std::chrono::seconds ttl = std::chrono::hours(24);  // 0: never expires
  std::string description;
  std::vector<std::string> groups;  // extra groups, each system:bootstrappers:...
};

// "24h", "90m", "1h30m", "45s", "0"; throws std::invalid_argument saying what is wrong.
std::chrono::seconds parse_ttl(std::string_view text);

// Returns "<id>.<secret>". Throws std::runtime_error saying what went wrong and what to do
// (no kubeconfig, daemon not running, the server refused).
std::string create_bootstrap_token(const TokenCreateRequest& request);

}  // namespace ukube::daemon
