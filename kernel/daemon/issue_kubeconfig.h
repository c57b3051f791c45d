#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

// `ukube kubeconfig`: a kubeconfig for a new user, with a client certificate signed by
// the node's cluster CA, pointing at the server the node's admin kubeconfig names.
namespace ukube::daemon {

struct KubeconfigRequest {
  std::filesystem::path data_dir;
  std::string user;
  std::vector<std::string> groups;
  std::chrono::hours validity{24 * 365};
};

// Throws std::runtime_error saying what is missing (the CA, the admin kubeconfig).
std::string issue_kubeconfig(const KubeconfigRequest& request);

}  // namespace ukube::daemon
