#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>

#include "nft_rules.h"
#include "settings.h"
#include "stale_flows.h"
#include "ukube/client.h"
#include "ukube/informer.h"
#include "ukube/net/prometheus.h"
#include "ukube/node/nft.h"

namespace spdlog {
class logger;
}

// Keeps the proxy's nftables table in step with Services and EndpointSlices: events mark a
// Service changed; a sync, at most every min_sync_period, recomputes the changed Services
// only and applies the difference as one nft transaction. The first sync, and any after a
// failed one, replaces the whole table atomically, so a restarted daemon takes over the
// table it left without a moment of broken traffic.
namespace ukube::proxy {

using runtime::node::NftApply;

struct SyncStats {
  uint64_t syncs = 0, full_syncs = 0, failures = 0;
  std::chrono::microseconds last_duration{0};
  size_t last_rules = 0;           // rules written by the last sync
  size_t services = 0;             // Services in the table
  size_t rules = 0, elements = 0;  // in the Services' chains and the shared maps and sets
  uint64_t service_changes = 0;    // Services recomputed, over all syncs
  bool last_failed = false;
  std::chrono::system_clock::time_point last_success{};
};

class Proxier {
 public:
  // `status_client` writes LoadBalancer Services' ingress; null: it is not written.
  // `delete_flows` clears stale UDP conntrack entries after each sync; null: none are.
  Proxier(ProxySettings settings, std::shared_ptr<Informer> services, std::shared_ptr<Informer> slices,
          NftApply apply, std::shared_ptr<Client> status_client, std::shared_ptr<spdlog::logger> log,
          ConntrackDelete delete_flows = {});
  ~Proxier();

  void start();
  void stop();
  SyncStats stats() const;
  // Sync latency and the table's size in the Prometheus text format, with kube-proxy's
  // metric names where it has one.
  std::string metrics_text() const;

 private:
  void changed(const std::string& service_key);
  void run();
  void sync();
  void publish_load_balancer_ingress(const boost::json::object& service);

  ProxySettings settings_;
  std::shared_ptr<Informer> services_, slices_;
  NftApply apply_;
  ConntrackDelete delete_flows_;
  std::shared_ptr<Client> status_client_;
  std::shared_ptr<spdlog::logger> log_;
  InformerRegistration service_handlers_, slice_handlers_, slice_index_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::set<std::string> dirty_;  // namespace/name of Services to recompute
  bool needs_full_ = true;
  SyncStats stats_;
  net::Histogram sync_seconds_ = net::Histogram::exponential(0.001, 2, 15);  // kube-proxy's buckets
  net::Histogram full_sync_seconds_ = sync_seconds_, partial_sync_seconds_ = sync_seconds_;
  std::thread thread_;

  // Only the sync thread touches these.
  std::map<std::string, ServiceRules> applied_;  // by Service
  // The ports behind the rules applied, for what a change leaves stale in conntrack.
  std::map<std::string, std::vector<ServicePort>> applied_ports_;
  Transaction::ElementCounts counts_;
  EndpointKeys keys_;
};

}  // namespace ukube::proxy
