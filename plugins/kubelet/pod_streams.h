#pragma once

#include <map>
#include <memory>
#include <string>

#include "kubelet_server.h"
#include "ukube/informer.h"

// The kubelets' side of their HTTPS server: who the caller is (the kernel's
// authenticators and authorizers, as upstream's webhook mode asks the API server), and
// which runtime container a pod's container name stands for, found by the identity
// labels the kubelet put on it.
namespace ukube::kubelet {

class PodStreams final : public KubeletServerBackend {
 public:
  PodStreams(AuthChains& auth, std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers)
      : auth_(auth), drivers_(std::move(drivers)) {}
  // The pod informer, once the kubelet started it.
  void set_pods(std::shared_ptr<Informer> pods) { pods_ = std::move(pods); }

  UserInfo authenticate(const Credentials& credentials) override { return auth_.authenticate(credentials); }
  void authorize(const RequestAttributes& attributes) override { auth_.authorize(attributes); }
  std::string node_for(const std::string& ns, const std::string& pod) override;
  LogTarget log_target(const std::string& ns, const std::string& pod, const std::string& container,
                       bool previous) override;
  StreamTarget stream_target(const std::string& ns, const std::string& pod,
                             const std::string& container) override;

 private:
  struct Located;
  Located locate(const std::string& ns, const std::string& pod, const std::string& container);

  AuthChains& auth_;
  std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers_;
  std::shared_ptr<Informer> pods_;
};

}  // namespace ukube::kubelet
