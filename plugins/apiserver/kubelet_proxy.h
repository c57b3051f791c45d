#pragma once

#include <memory>
#include <mutex>
#include <string>

#include <boost/json/fwd.hpp>

#include "http_types.h"
#include "resource_handler.h"
#include "ukube/auth.h"
#include "ukube/pipeline.h"

// pods/log, pods/exec, pods/attach and pods/portforward: authorized here as upstream
// authorizes them, then handed to the kubelet of the pod's node (its InternalIP and
// status.daemonEndpoints port) as a ProxyPlan, which the network layer carries out.
namespace ukube::apiserver {

// Who the API server is to kubelets, and what their certificates must chain to.
struct KubeletClientCredentials {
  std::string ca_pem;
  std::string certificate_pem, key_pem;
};

// Where a node's kubelet listens: its InternalIP (else Hostname), as upstream's default
// --kubelet-preferred-address-types picks, and status.daemonEndpoints' port. Throws ApiError
// 503 naming the node when it reports neither.
struct KubeletEndpoint {
  std::string host;
  uint16_t port = 0;
};
KubeletEndpoint kubelet_endpoint(const boost::json::object& node);

class KubeletProxy {
 public:
  KubeletProxy(RequestPipeline& pipeline, AuthChains& auth) : pipeline_(pipeline), auth_(auth) {}

  // Certificates rotate; requests from then on use the new ones.
  void set_credentials(KubeletClientCredentials credentials);
  // The current ones; null while the server has none (plain HTTP).
  std::shared_ptr<const KubeletClientCredentials> credentials();

  static bool handles(const Route& route);
  // Throws ApiError (forbidden, not found, bad request) before anything is proxied.
  HttpResponse connect(const ResourceCall& call);

 private:
  RequestPipeline& pipeline_;
  AuthChains& auth_;
  std::mutex mutex_;
  std::shared_ptr<const KubeletClientCredentials> credentials_;
};

}  // namespace ukube::apiserver
