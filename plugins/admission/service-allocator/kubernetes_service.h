#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "kubernetes_objects.h"
#include "ukube/client.h"
#include "ukube/controller/reconcile_loop.h"

namespace spdlog {
class logger;
}

// upstream's kube-apiserver controllers for its own objects (the kubernetes-service
// controller, the endpoint reconciler and the default-servicecidr controller), as one loop:
// at start and every `interval` it puts back the ServiceCIDR "kubernetes", the Service
// default/kubernetes and its Endpoints and EndpointSlice, whoever changed or deleted them.
// The Service takes its cluster IP through the admission step like any other.
namespace ukube::admission::service_allocator {

// Where the API server is reached: its advertised address and real port.
struct ApiEndpoint {
  IPAddress address;
  int port = 0;
};

struct KubernetesServiceDeps {
  std::shared_ptr<Client> client;  // the API server's own identity
  std::vector<IPPrefix> cidrs;     // the configured ranges, primary first
  // Asked at each sync; nullopt while unknown (no API front end): then only the
  // ServiceCIDR is kept, as the Service's target port is the API server's.
  std::function<std::optional<ApiEndpoint>()> endpoint;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::seconds interval{10};
};

class KubernetesService {
 public:
  explicit KubernetesService(KubernetesServiceDeps deps);
  void start();
  void stop();
  bool idle() const { return loop_.idle(); }

  // One pass over the four objects; throws ApiError when a write fails (the loop retries).
  controller::Result sync();

 private:
  void ensure_service_cidr();
  // Creates `desired` (kind at `gvr`), or puts back the fields the API server owns.
  void ensure(const GroupVersionResource& gvr, const json::object& desired);

  KubernetesServiceDeps deps_;
  controller::ReconcileLoop loop_;
};

}  // namespace ukube::admission::service_allocator
