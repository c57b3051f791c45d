#include "service_allocator_plugin.h"

#include <spdlog/logger.h>

#include <charconv>

#include "admission/service-allocator/config.pb.h"
#include "service_admission.h"
#include "service_spec.h"
#include "ukube/front_end.h"
#include "ukube/informer_factory.h"

namespace ukube::admission::service_allocator {

namespace {

constexpr auto kReadyWait = std::chrono::seconds(10);
constexpr const char* kServicesByNodePort = "service-allocator/node-port";

std::vector<std::string> node_port_index(const json::object& service) {
  std::vector<std::string> out;
  for (int port : node_ports(service)) out.push_back(std::to_string(port));
  return out;
}

// "host:port" or "[v6]:port" into its parts; port 0 when there is none.
std::pair<std::string, int> split_host_port(const std::string& address) {
  const auto colon = address.rfind(':');
  if (colon == std::string::npos) return {address, 0};
  std::string host = address.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  int port = 0;
  const char* digits = address.data() + colon + 1;
  std::from_chars(digits, address.data() + address.size(), port);
  return {host, port};
}

}  // namespace

ServiceAllocatorPlugin::ServiceAllocatorPlugin() = default;

ServiceAllocatorPlugin::~ServiceAllocatorPlugin() {
  stop();
}

void ServiceAllocatorPlugin::init(InitContext& ctx) {
  log_ = ctx.logger();
  ctx_ = &ctx;
  const auto* config = dynamic_cast<const ServiceAllocatorConfig*>(&ctx.config());
  settings_ = defaults(config ? *config : ServiceAllocatorConfig::default_instance());
  for (const auto& gvr : {kServices, machinery::kServiceCIDRs, machinery::kIPAddresses, machinery::kEndpoints,
                          machinery::kEndpointSlices})
    if (!ctx.types().find(gvr))
      throw std::runtime_error("the type " + gvr.to_string() +
                               " is not registered; enable ukube.types.v1.builtin in the config");
  auto client = ctx.client(apiserver_identity());
  services_ = ctx.informers().informer(kServices);
  ip_addresses_ = ctx.informers().informer(machinery::kIPAddresses);
  service_cidrs_ = ctx.informers().informer(machinery::kServiceCIDRs);
  registrations_.push_back(services_->add_indexer(kServicesByClusterIP, cluster_ip_index));
  registrations_.push_back(services_->add_indexer(kServicesByNodePort, node_port_index));

  ips_ = std::make_shared<ClusterIPAllocator>(
      ClusterIPDeps{client, service_cidrs_, ip_addresses_, services_, settings_.service_cidrs});
  std::weak_ptr<Informer> services = services_;
  ports_ = std::make_shared<NodePortAllocator>(
      settings_.node_ports,
      [services](int port) {
        std::vector<std::string> holders;
        if (auto informer = services.lock())
          for (const auto& service : informer->by_index(kServicesByNodePort, std::to_string(port)))
            if (service) holders.push_back(service_key(*service));
        return holders;
      },
      settings_.ip_grace);
  // A Service the cache shows holding its ports needs their reservations no more.
  auto settle = [this](const ObjectPtr& service) {
    ports_->settle(service_key(*service), uid_of(*service), revision_of(*service), node_ports(*service));
  };
  registrations_.push_back(services_->add_handlers(
      {settle, [settle](const ObjectPtr&, const ObjectPtr& service) { settle(service); }, nullptr}));

  controller::RecorderSettings recorder;
  recorder.source.component = "ipallocator-repair-controller";
  events_ = std::make_unique<controller::EventRecorder>(client, recorder, log_);
  repair_ = std::make_unique<IPRepair>(RepairDeps{client, services_, ip_addresses_, ips_, events_.get(), log_,
                                                  settings_.ip_grace, settings_.repair_interval});
  registrations_.push_back(services_->add_handlers(repair_->service_handlers()));
  registrations_.push_back(ip_addresses_->add_handlers(repair_->ip_address_handlers()));
  kubernetes_ = std::make_unique<KubernetesService>(
      KubernetesServiceDeps{client, settings_.service_cidrs, [this] { return endpoint_; }, log_,
                            settings_.kubernetes_service_interval});

  std::weak_ptr<Informer> ip_addresses = ip_addresses_;
  join_chain(ctx, std::make_shared<ServiceAllocation>(client, ips_, ports_, [services, ip_addresses] {
               auto s = services.lock();
               auto i = ip_addresses.lock();
               return s && i && s->wait_for_sync(kReadyWait) && i->wait_for_sync(kReadyWait);
             }));
}

std::optional<ApiEndpoint> ServiceAllocatorPlugin::api_endpoint() const {
  const auto fronts = ctx_->all_of<ApiFrontEnd>();
  const auto [host, port] =
      split_host_port(fronts.empty() ? ctx_->listen() : fronts.front()->serving_address());
  if (port <= 0) return std::nullopt;
  const IPFamily family = settings_.service_cidrs.front().family();
  const IPAddress loopback = *IPAddress::parse(family == IPFamily::IPv6 ? "::1" : "127.0.0.1");
  const IPAddress everywhere = *IPAddress::parse(family == IPFamily::IPv6 ? "::" : "0.0.0.0");
  std::optional<IPAddress> address = settings_.advertise_address;
  // A front end on one address is reached there; one on every address at this host's
  // address, as upstream picks the interface of the default route.
  if (!address) address = host == "localhost" ? std::optional<IPAddress>(loopback) : IPAddress::parse(host);
  if (address && *address == everywhere) address = machinery::default_route_address(family);
  if (!address) address = loopback;
  return ApiEndpoint{*address, port};
}

void ServiceAllocatorPlugin::add_serving_names() {
  // In-cluster clients (rest.InClusterConfig) check the certificate against the address
  // in KUBERNETES_SERVICE_HOST; others use the Service's DNS names.
  std::vector<std::string> names{"kubernetes", "kubernetes.default", "kubernetes.default.svc",
                                 "kubernetes.default.svc.cluster.local"};
  if (auto range = ServiceIPRange::of(settings_.service_cidrs.front()))
    names.push_back(range->first().to_string());
  for (auto* front : ctx_->all_of<ApiFrontEnd>()) front->add_serving_names(names);
}

void ServiceAllocatorPlugin::start() {
  for (auto* informer : {services_.get(), ip_addresses_.get(), service_cidrs_.get()})
    if (!informer->wait_for_sync(kReadyWait) && log_)
      log_->warn("service allocator: an informer has not listed yet");
  endpoint_ = api_endpoint();
  add_serving_names();
  if (log_) {
    if (endpoint_)
      log_->info("the kubernetes Service points at {}:{}", endpoint_->address.to_string(), endpoint_->port);
    else
      log_->warn("no API front end with a known port: the kubernetes Service is not kept");
  }
  kubernetes_->start();
  repair_->start();
}

void ServiceAllocatorPlugin::stop_workers() {
  if (kubernetes_) kubernetes_->stop();
  if (repair_) repair_->stop();
  // The shared informers run on for other plugins; ours stop calling us.
  registrations_.clear();
}

}  // namespace ukube::admission::service_allocator
