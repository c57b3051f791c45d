#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/fwd.hpp>

#include "ukube/client.h"
#include "ukube/machinery/export.h"
#include "ukube/machinery/ip.h"
#include "ukube/machinery/resources.h"
#include "ukube/types.h"

// What a Service with a selector makes of the pods it selects, as upstream's endpoints and
// endpointslice controllers both compute it (k8s.io/endpointslice/util and the two
// controllers' pod-to-endpoint conversions): which pods count, whether each one is ready,
// serving or terminating, the port every service port resolves to on that pod, and the
// address with its hostname, node and pod reference. The two controllers differ only in
// how they write this down (core/v1 Endpoints subsets, discovery.k8s.io/v1 EndpointSlices).
namespace ukube::machinery {

// endpoints.kubernetes.io/last-change-trigger-time: when the change that led to this
// version of the endpoints happened (see TriggerTimeTracker).
inline constexpr const char* kLastChangeTriggerTimeAnnotation =
    "endpoints.kubernetes.io/last-change-trigger-time";
// On the Endpoints and EndpointSlices of a Service without a cluster IP.
inline constexpr const char* kHeadlessServiceLabel = "service.kubernetes.io/headless";
// EndpointSlice labels: the Service a slice belongs to, and who manages it.
inline constexpr const char* kServiceNameLabel = "kubernetes.io/service-name";
inline constexpr const char* kManagedByLabel = "endpointslice.kubernetes.io/managed-by";
// The node label an endpoint's zone comes from.
inline constexpr const char* kTopologyZoneLabel = "topology.kubernetes.io/zone";

// ---- The Service ----

// spec.selector when it has at least one label: a Service without one (or with an empty
// one, which the API stores as none) selects nothing, and its endpoints are the user's.
UKUBE_MACHINERY_API const boost::json::object* service_selector(const boost::json::object& service);
// Whether the endpoint controllers publish endpoints for the Service at all: it has a
// selector and is not of type ExternalName.
UKUBE_MACHINERY_API bool publishes_selected_pods(const boost::json::object& service);
// Whether the Service's selector selects the pod (same namespace, labels match).
UKUBE_MACHINERY_API bool selects(const boost::json::object& service, const boost::json::object& pod);
// spec.clusterIP is an address (neither empty nor "None"); headless Services have none.
UKUBE_MACHINERY_API bool is_service_ip_set(const boost::json::object& service);
// spec.publishNotReadyAddresses.
UKUBE_MACHINERY_API bool publishes_not_ready_addresses(const boost::json::object& service);
// The families the Service's endpoints are published in, in spec.ipFamilies order. Without
// ipFamilies (an API server that does not default them): the cluster IP's family, or
// both families for a headless Service.
UKUBE_MACHINERY_API std::vector<IPFamily> service_ip_families(const boost::json::object& service);
// The one family core/v1 Endpoints use: spec.ipFamilies[0]; without it the cluster IP's
// family, or for a headless Service the family of the pod's primary IP.
UKUBE_MACHINERY_API IPFamily endpoints_ip_family(const boost::json::object& service,
                                                 const boost::json::object& pod);

// ---- The pod ----

// status.podIPs[*].ip, or status.podIP alone when podIPs is empty (the API server keeps
// the two in step; a status written with podIP only has not been converted yet).
UKUBE_MACHINERY_API std::vector<std::string> pod_ips(const boost::json::object& pod);
// The pod's first IP of `family`, "" when it has none.
UKUBE_MACHINERY_API std::string pod_ip_of_family(const boost::json::object& pod, IPFamily family);
// Upstream's ShouldPodBeInEndpoints: not Succeeded or Failed, has an IP, and (unless
// `include_terminating`) is not being deleted.
UKUBE_MACHINERY_API bool should_pod_be_in_endpoints(const boost::json::object& pod, bool include_terminating);
// The pod's spec.hostname is published for the Service: it has one and its
// spec.subdomain names the Service, in the Service's namespace.
UKUBE_MACHINERY_API bool should_set_hostname(const boost::json::object& pod,
                                             const boost::json::object& service);

// One port of a Service as it resolved on one pod.
struct EndpointPort {
  std::string name;      // the service port's name ("" for a single unnamed port)
  int32_t port = 0;      // the container port traffic goes to
  std::string protocol;  // TCP, UDP or SCTP (TCP when the service port does not say)
  std::optional<std::string> app_protocol;
  bool operator==(const EndpointPort&) const = default;
  auto operator<=>(const EndpointPort&) const = default;
};

// Upstream's FindPort: the port `service_port` (an element of spec.ports) reaches on the
// pod. A numeric targetPort is taken as it is; a named one is looked up among the
// containers' ports of the same name and protocol, then among restartable init
// containers' (sidecars). A missing targetPort means the service port number. nullopt when
// a name matches no port.
UKUBE_MACHINERY_API std::optional<int32_t> find_target_port(const boost::json::object& pod,
                                                            const boost::json::object& service_port);
// Every service port that resolves on the pod, in spec.ports order; ports that do not
// resolve are left out (upstream logs them and goes on).
UKUBE_MACHINERY_API std::vector<EndpointPort> resolve_ports(const boost::json::object& service,
                                                            const boost::json::object& pod);

// One pod as an endpoint of one Service, for addresses of one family.
struct UKUBE_MACHINERY_API PodEndpoint {
  std::vector<std::string> addresses;  // the pod's IPs of the family (normally one)
  std::string hostname;                // spec.hostname when should_set_hostname, else ""
  std::string node_name;               // spec.nodeName
  std::string pod_namespace, pod_name, pod_uid;
  // Upstream's conditions: serving is the pod's Ready condition, terminating its deletion
  // timestamp, and ready is serving and not terminating, or always with
  // publishNotReadyAddresses (Endpoints put ready ones in addresses, the others in
  // notReadyAddresses).
  bool ready = false;
  bool serving = false;
  bool terminating = false;
  std::vector<EndpointPort> ports;  // resolve_ports(service, pod)

  // {"kind":"Pod","namespace":...,"name":...,"uid":...}
  boost::json::object target_ref() const;
};

// The pod as an endpoint of the Service in `family`, or nullopt when it does not count
// (should_pod_be_in_endpoints with `include_terminating`). `addresses` is empty when the
// pod has no IP of the family: callers leave such a pod out.
UKUBE_MACHINERY_API std::optional<PodEndpoint> pod_endpoint(const boost::json::object& service,
                                                            const boost::json::object& pod, IPFamily family,
                                                            bool include_terminating);

// ---- Which Services a pod change concerns ----

// How a pod update matters to its Services' endpoints (upstream's podEndpointsChanged):
// `endpoints` when its deletion timestamp, readiness or IPs changed, `membership` when its
// labels, hostname or subdomain did (it may belong to other Services now).
struct PodEndpointsChange {
  bool endpoints = false;
  bool membership = false;
};
UKUBE_MACHINERY_API PodEndpointsChange pod_endpoints_change(const boost::json::object& old_pod,
                                                            const boost::json::object& new_pod);

// The keys ("namespace/name") of the Services among `services` (those of the pod's
// namespace) whose endpoints a pod event may change: for an add or delete (one pod null)
// those selecting the pod; for an update those selecting it now when only its endpoint
// fields changed, and, when its labels changed, the union of old and new selectors'
// Services if its endpoint fields changed too, else the Services it joined or left. An
// update that changes neither (or carries the same resourceVersion) concerns none.
UKUBE_MACHINERY_API std::vector<std::string> services_for_pod_change(const std::vector<ObjectPtr>& services,
                                                                     const boost::json::object* old_pod,
                                                                     const boost::json::object* new_pod);

}  // namespace ukube::machinery
