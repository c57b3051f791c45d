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
#include "ukube/client.h"
#include "ukube/informer.h"
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
  size_t last_rules = 0;  // rules written by the last sync
  size_t services = 0;    // Services in the table
};

class Proxier {
 public:
  // `status_client` writes LoadBalancer Services' ingress; null: it is not written.
  Proxier(ProxySettings settings, std::shared_ptr<Informer> services, std::shared_ptr<Informer> slices,
          NftApply apply, std::shared_ptr<Client> status_client, std::shared_ptr<spdlog::logger> log);
  ~Proxier();

  void start();
  void stop();
  SyncStats stats() const;

 private:
  void changed(const std::string& service_key);
  void run();
  void sync();
  void publish_load_balancer_ingress(const boost::json::object& service);

  ProxySettings settings_;
  std::shared_ptr<Informer> services_, slices_;
  NftApply apply_;
  std::shared_ptr<Client> status_client_;
  std::shared_ptr<spdlog::logger> log_;
  InformerRegistration service_handlers_, slice_handlers_, slice_index_;

  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::set<std::string> dirty_;  // namespace/name of Services to recompute
  bool needs_full_ = true;
  SyncStats stats_;
  std::thread thread_;

  // Only the sync thread touches these.
  std::map<std::string, ServiceRules> applied_;  // by Service
  Transaction::ElementCounts counts_;
  EndpointKeys keys_;
};

}  // namespace ukube::proxy
