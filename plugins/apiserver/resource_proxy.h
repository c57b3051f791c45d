#pragma once

#include "http_types.h"
#include "kubelet_proxy.h"
#include "resource_handler.h"
#include "ukube/auth.h"
#include "ukube/pipeline.h"

// The proxy subresources: pods/<[scheme:]name[:port]>/proxy/<path> to the pod's address,
// services/<...>/proxy/<path> to one ready endpoint of the Service port, nodes/<name>/proxy/<path>
// to the node's kubelet. The request (method, body, a few headers) goes on as it came; the
// answer comes back untouched, as upstream's proxy passes it.
namespace ukube::apiserver {

// "https:web:8443" → {https, web, 8443}: upstream's [scheme:]name[:port].
struct ProxyTarget {
  std::string scheme, name, port;
};
// Throws ApiError 400 on more than three parts or a scheme other than http and https.
ProxyTarget parse_proxy_target(const std::string& text);

class ResourceProxy {
 public:
  ResourceProxy(RequestPipeline& pipeline, AuthChains& auth, KubeletProxy& kubelets)
      : pipeline_(pipeline), auth_(auth), kubelets_(kubelets) {}

  static bool handles(const Route& route);
  // Throws ApiError (forbidden, not found, unavailable) before anything is proxied.
  HttpResponse connect(const ResourceCall& call);

 private:
  RequestPipeline& pipeline_;
  AuthChains& auth_;
  KubeletProxy& kubelets_;
};

}  // namespace ukube::apiserver
