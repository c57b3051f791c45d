#include "dns_plugin.h"

#include <spdlog/spdlog.h>

#include <thread>

#include "dns/config.pb.h"
#include "dns_service.h"
#include "ukube/auth.h"
#include "ukube/informer_factory.h"
#include "ukube/machinery/resources.h"

namespace ukube::dns {
namespace {

// How long start() waits for the informers' first lists before serving anyway (CoreDNS
// waits 5 s); until they have listed, names the index lacks are answered SERVFAIL.
constexpr auto kSyncWait = std::chrono::seconds(10);

}  // namespace

DnsPlugin::DnsPlugin() = default;

DnsPlugin::~DnsPlugin() {
  stop();
}

void DnsPlugin::init(InitContext& ctx) {
  settings_ = settings_from(ctx.config_as<DnsConfig>());
  log_ = ctx.logger();
  // Publishing the kube-dns Service is the cluster's own business, as kubeadm's addon is.
  try {
    client_ = ctx.client(UserInfo{"system:ukube:dns", "", {"system:masters", "system:authenticated"}, {}});
  } catch (const std::exception& e) {
    if (log_) log_->warn("dns: no API client ({}): the kube-dns Service is not published", e.what());
  }
  ClusterAnswers::Settings answers;
  answers.zone = *Name::from_text(settings_.cluster_domain);
  answers.ttl = settings_.ttl;
  answers.pods = settings_.pods;
  for (const auto& ep : settings_.server.listen) {
    // A wildcard listen address names no server: NS answers then give loopback.
    if (ep.address().is_unspecified()) continue;
    if (auto ip = IpAddress::parse(ep.address().to_string())) answers.own_addresses.push_back(*ip);
  }
  if (answers.own_addresses.empty()) answers.own_addresses.push_back(*IpAddress::parse("127.0.0.1"));
  answers_ = std::make_unique<ClusterAnswers>(std::move(answers));

  auto watch = [&](const GroupVersionResource& gvr, auto put, auto remove) {
    auto informer = ctx.informers().informer(gvr);
    ClusterIndex* index = &index_;
    registrations_.push_back(
        informer->add_handlers({[index, put](const ObjectPtr& o) { (index->*put)(*o); },
                                [index, put](const ObjectPtr&, const ObjectPtr& o) { (index->*put)(*o); },
                                [index, remove](const ObjectPtr& o) { (index->*remove)(*o); }}));
    informers_.push_back(std::move(informer));
  };
  watch(machinery::kServices, &ClusterIndex::put_service, &ClusterIndex::remove_service);
  watch(machinery::kEndpointSlices, &ClusterIndex::put_endpoint_slice, &ClusterIndex::remove_endpoint_slice);
  watch(machinery::kNamespaces, &ClusterIndex::put_namespace, &ClusterIndex::remove_namespace);
  if (settings_.pods == PodMode::verified)
    watch(machinery::kPods, &ClusterIndex::put_pod, &ClusterIndex::remove_pod);
  index_.set_synced_check([informers = informers_] {
    for (const auto& i : informers)
      if (!i->has_synced()) return false;
    return true;
  });
}

void DnsPlugin::start() {
  const auto deadline = std::chrono::steady_clock::now() + kSyncWait;
  while (!index_.synced() && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  if (!index_.synced() && log_)
    log_->warn(
        "dns: serving before the cluster's services were listed; unknown names get SERVFAIL until then");
  if (settings_.server.upstreams.empty() && log_)
    log_->warn(
        "dns: no upstream resolvers (none in config, none in resolv.conf): names outside {} get SERVFAIL",
        settings_.cluster_domain);
  auto server = std::make_unique<DnsServer>(settings_.server, index_, *answers_, log_);
  server->start();
  server_ = std::move(server);
  if (!settings_.service_ip.empty() && client_) {
    const auto served = server_->endpoints().front();
    try {
      publish_dns_service(*client_, settings_.service_ip, served.address().to_string(), served.port());
    } catch (const std::exception& e) {
      if (log_)
        log_->warn(
            "dns: cannot publish the kube-system/kube-dns Service at {}: {}; pods resolve with it once it "
            "exists",
            settings_.service_ip, e.what());
    }
  }
}

void DnsPlugin::stop() {
  if (server_) server_->stop();
  server_.reset();
  // The shared informers run on for other plugins; ours stop calling the index.
  registrations_.clear();
}

}  // namespace ukube::dns
