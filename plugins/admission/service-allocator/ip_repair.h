#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "cluster_ips.h"
#include "repair_decisions.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"

namespace spdlog {
class logger;
}

// upstream's repairip controller: keeps Service cluster IPs and IPAddresses one to one
// (repair_decisions.h says what is wrong when). It checks a Service when it changes, an
// IPAddress when it changes, the addresses a Service gave up when it changed or went (that
// is how addresses are released), and everything at start and every `interval`, so what a
// crash between the IPAddress write and the Service write left is put right. Deletions
// are judged on the store's current state, not the caches', and made on the IPAddress's
// uid, so an address allocated again meanwhile is never taken away.
namespace ukube::admission::service_allocator {

struct RepairDeps {
  std::shared_ptr<Client> client;  // reads Services, writes IPAddresses
  std::shared_ptr<Informer> services, ip_addresses;
  std::shared_ptr<ClusterIPAllocator> ranges;  // which addresses are in range
  controller::EventRecorder* events = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::chrono::seconds grace{60};
  std::chrono::seconds interval{180};
};

class IPRepair {
 public:
  explicit IPRepair(RepairDeps deps);
  InformerHandlers service_handlers();
  InformerHandlers ip_address_handlers();
  void start();  // checks everything first
  void stop();
  bool idle() const { return loop_.idle(); }

  // One key: "svc:<namespace>/<name>", "ip:<address>" or "all".
  controller::Result sync(const std::string& key);

 private:
  controller::Result sync_all();
  controller::Result sync_ip_address(const std::string& name);
  controller::Result sync_service(const std::string& key);
  // The Service from the store, null when there is none.
  ObjectPtr live_service(const std::string& ns, const std::string& name);
  ObjectPtr live_ip_address(const std::string& name);
  bool in_range(const IPAddress& ip) const;
  void remove(const json::object& ip_address, const std::string& why);
  void create_for(const json::object& service, const IPAddress& ip);

  // A Service version gave up `ip` (deleted, or changed not to hold it): its IPAddress may
  // go at once (judge_ip_address).
  void given_up(const std::string& ip, const json::object& service);
  int64_t take_given_up(const std::string& ip);

  RepairDeps deps_;
  std::mutex given_up_mutex_;
  std::map<std::string, int64_t> given_up_;  // address -> resourceVersion of that version
  controller::ReconcileLoop loop_;
};

}  // namespace ukube::admission::service_allocator
