#pragma once

#include <map>
#include <memory>
#include <string>

#include "kubelet_metrics.h"
#include "kubelet_server.h"
#include "ukube/informer.h"
#include "usage_sampler.h"

// The kubelets' side of their HTTPS server: who the caller is (the kernel's
// authenticators and authorizers, as upstream's webhook mode asks the API server), and
// which runtime container a pod's container name stands for, found by the identity
// labels the kubelet put on it; and what the nodes' containers use.
namespace ukube::kubelet {

class PodStreams final : public KubeletServerBackend {
 public:
  PodStreams(AuthChains& auth, std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers)
      : auth_(auth), drivers_(std::move(drivers)), usage_(drivers_) {}
  // The pod informer, once the kubelet started it.
  void set_pods(std::shared_ptr<Informer> pods) { pods_ = std::move(pods); }

  UserInfo authenticate(const Credentials& credentials) override { return auth_.authenticate(credentials); }
  void authorize(const RequestAttributes& attributes) override { auth_.authorize(attributes); }
  std::string node_for(const std::string& ns, const std::string& pod) override;
  LogTarget log_target(const std::string& ns, const std::string& pod, const std::string& container,
                       bool previous) override;
  StreamTarget stream_target(const std::string& ns, const std::string& pod,
                             const std::string& container) override;
  PortForwardTarget port_forward_target(const std::string& ns, const std::string& pod,
                                        const std::string& uid) override;
  std::string stats_summary(const std::string& node, bool only_cpu_and_memory) override;
  std::string resource_metrics(const std::string& node) override;
  std::string kubelet_metrics(const std::string& node) override;
  // The node's usage at its newest sample, for the eviction check.
  stats::Summary usage(const std::string& node) { return usage_.summary(node); }
  // Each node's own metrics, by node name.
  void set_metrics(std::map<std::string, std::shared_ptr<KubeletMetrics>> metrics) {
    metrics_ = std::move(metrics);
  }
  void housekeeping() override { usage_.sample_due(); }

 private:
  struct Located;
  // The pod and the driver of its node; a null driver when this server does not run it.
  Located find_pod(const std::string& ns, const std::string& pod) const;
  Located locate(const std::string& ns, const std::string& pod, const std::string& container);

  AuthChains& auth_;
  std::map<std::string, std::shared_ptr<runtime::RuntimeDriver>> drivers_;
  std::shared_ptr<Informer> pods_;
  UsageSampler usage_;
  std::map<std::string, std::shared_ptr<KubeletMetrics>> metrics_;
};

}  // namespace ukube::kubelet
