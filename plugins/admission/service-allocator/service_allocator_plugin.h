#pragma once

#include <memory>
#include <optional>
#include <vector>

#include "cluster_ips.h"
#include "ip_repair.h"
#include "kubernetes_service.h"
#include "node_ports.h"
#include "settings.h"
#include "ukube/admission/plugin_support.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/informer.h"

// ukube.admission.v1.service-allocator: the API-server side of Services that upstream
// keeps in the Service storage and the kube-apiserver's own controllers.
//  - admission (service_admission.h): cluster IPs from the Service CIDRs, held as
//    networking.k8s.io/v1 IPAddresses, and node ports, for every create and update from
//    any client, kubectl or in-process;
//  - the repair loop (ip_repair.h): addresses of deleted or changed Services released,
//    and Services and IPAddresses one to one again after a crash;
//  - the kubernetes Service (kubernetes_service.h): the ServiceCIDR "kubernetes", the
//    Service default/kubernetes and its Endpoints and EndpointSlice pointing at this API
//    server.
// It acts as the API server (system:apiserver), as upstream's storage and controllers do.
namespace ukube::admission::service_allocator {

class ServiceAllocatorPlugin final : public AdmissionPluginShell {
 public:
  ServiceAllocatorPlugin();
  ~ServiceAllocatorPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;

  const Settings& settings() const { return settings_; }
  IPRepair& repair() { return *repair_; }
  KubernetesService& kubernetes_service() { return *kubernetes_; }

 private:
  void stop_workers() override;
  // The advertised address and the front end's real port; nullopt without a front end
  // whose port is known.
  std::optional<ApiEndpoint> api_endpoint() const;
  // Has the API front ends' serving certificates name the kubernetes Service.
  void add_serving_names();

  InitContext* ctx_ = nullptr;
  Settings settings_;
  std::shared_ptr<Informer> services_, ip_addresses_, service_cidrs_;  // shared with other plugins
  std::shared_ptr<ClusterIPAllocator> ips_;
  std::shared_ptr<NodePortAllocator> ports_;
  std::unique_ptr<controller::EventRecorder> events_;
  std::unique_ptr<IPRepair> repair_;
  std::unique_ptr<KubernetesService> kubernetes_;
  std::optional<ApiEndpoint> endpoint_;  // found at start, when every plugin is initialised
  std::vector<InformerRegistration> registrations_;
};

}  // namespace ukube::admission::service_allocator
