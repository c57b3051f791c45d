#pragma once

#include <memory>
#include <vector>

#include "cluster_answers.h"
#include "cluster_index.h"
#include "dns_server.h"
#include "settings.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

// Plugin ukube.dns.v1.dns: the cluster DNS server. It files the shared informers' Services,
// EndpointSlices, Namespaces (and Pods in `pods verified` mode) into a ClusterIndex and
// serves from start() to stop().
namespace ukube::dns {

class DnsPlugin final : public Plugin {
 public:
  DnsPlugin();
  ~DnsPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

  const DnsSettings& settings() const { return settings_; }
  const ClusterIndex& index() const { return index_; }
  // While serving: the server (its bound addresses, with ports chosen for port 0, and
  // counters); null otherwise.
  const DnsServer* server() const { return server_.get(); }

 private:
  DnsSettings settings_;
  std::shared_ptr<spdlog::logger> log_;
  std::shared_ptr<Client> client_;  // publishes the kube-dns Service
  ClusterIndex index_;
  std::unique_ptr<ClusterAnswers> answers_;
  std::unique_ptr<DnsServer> server_;
  std::vector<std::shared_ptr<Informer>> informers_;
  std::vector<InformerRegistration> registrations_;
};

}  // namespace ukube::dns
