#pragma once

#include <chrono>
#include <memory>
#include <string>

#include <boost/json/object.hpp>

#include "kubelet_settings.h"
#include "machine_info.h"
#include "node_object.h"
#include "ukube/client.h"
#include "ukube/network/driver.h"
#include "ukube/runtime/driver.h"

namespace spdlog {
class logger;
}

// A kubelet's dealings with its own Node: registration, the status report (every
// status_update, written only when it changed or status_report has passed), and the
// Lease in kube-node-lease renewed every lease_renew, which is the heartbeat the node
// lifecycle controller watches.
namespace ukube::kubelet {

class NodeReporter {
 public:
  using Clock = std::chrono::steady_clock;
  NodeReporter(std::string node_name, const KubeletSettings& settings, const MachineInfo& machine,
               std::shared_ptr<runtime::RuntimeDriver> driver,
               std::shared_ptr<network::NetworkDriver> network, std::shared_ptr<Client> client,
               std::shared_ptr<spdlog::logger> log);

  // Registers the node when it is not yet, then does whatever is due. Never throws: a
  // failure is logged and retried at the next tick.
  void tick(Clock::time_point now);
  bool registered() const { return registered_; }
  // What the eviction check last found (the next status report carries it).
  void set_pressure(bool memory, bool disk) {
    memory_pressure_ = memory;
    disk_pressure_ = disk;
  }

 private:
  void register_node();
  void report_status(bool force);
  void renew_lease();
  // Hands the network driver the Node's podCIDRs once the node IPAM controller set them.
  void configure_network();
  // What the status is computed from now: the runtime's version, health and images.
  NodeFacts facts_now(bool with_images);

  std::string node_name_;
  const KubeletSettings& settings_;
  const MachineInfo& machine_;
  std::shared_ptr<runtime::RuntimeDriver> driver_;
  std::shared_ptr<network::NetworkDriver> network_;
  bool network_configured_ = false;
  std::shared_ptr<Client> client_;
  std::shared_ptr<spdlog::logger> log_;

  bool registered_ = false;
  bool memory_pressure_ = false, disk_pressure_ = false;
  std::string node_uid_;
  boost::json::object reported_;  // the status last written
  Clock::time_point next_status_{};
  Clock::time_point last_report_{};
  Clock::time_point next_lease_{};
  ObjectPtr lease_;  // as last written, for the next renewal's update
};

}  // namespace ukube::kubelet
