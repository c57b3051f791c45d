#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "eviction.h"
#include "kubelet_metrics.h"
#include "node_reporter.h"
#include "pod_worker.h"
#include "runtime_view.h"
#include "static_pods.h"

// One kubelet: a node's runtime, its view of it, its Node reporting and its pods. A
// daemon runs one, or many to simulate a cluster; they share the pod informer, the work
// queue and the heartbeat thread of the plugin (kubelet_plugin.h).
namespace ukube::kubelet {

struct NodeAgentDeps {
  std::string node_name;
  const KubeletSettings* settings = nullptr;
  const MachineInfo* machine = nullptr;
  std::string logs_root;
  std::shared_ptr<runtime::RuntimeDriver> driver;
  std::shared_ptr<network::NetworkDriver> network;  // null: pods get the node's IP
  std::shared_ptr<Client> client;
  std::shared_ptr<Informer> pods;
  std::shared_ptr<Informer> services;  // for the containers' Service variables
  const ClusterDns* dns = nullptr;     // for pods' resolv.conf
  controller::EventRecorder* events = nullptr;
  Prober* prober = nullptr;
  std::shared_ptr<spdlog::logger> log;
  std::function<void(const PodKey&)> enqueue;   // a pod of this node needs a sync
  std::string volumes_root;                     // pods' volumes: <root>/<pod uid>/volumes
  std::string static_pod_path, static_pod_url;  // empty: no static pods on this node
  std::shared_ptr<KubeletMetrics> metrics{};    // this node's /metrics
  // The node's usage now (usage_sampler.h); empty: no node-pressure eviction.
  std::function<stats::Summary()> usage{};
};

class NodeAgent {
 public:
  explicit NodeAgent(NodeAgentDeps deps);
  ~NodeAgent();  // stop()
  NodeAgent(const NodeAgent&) = delete;
  NodeAgent& operator=(const NodeAgent&) = delete;

  // Subscribes to the runtime's events; the first tick relists and registers the node.
  void start();
  void stop();
  // Heartbeat work that is due: registration, lease, status, the safety-net relist.
  void tick(std::chrono::steady_clock::time_point now);
  controller::Result sync(const PodKey& key) { return pods_.sync(key); }

  const std::string& name() const { return deps_.node_name; }

 private:
  NodeAgentDeps deps_;
  RuntimeView view_;
  NodeReporter reporter_;
  PodWorker pods_;
  std::optional<uint64_t> subscription_;
  std::chrono::steady_clock::time_point next_relist_{};
  std::unique_ptr<StaticPods> static_pods_;
  // Node-pressure eviction, every kEvictionInterval: the pressure conditions and one pod at most.
  void check_eviction(std::chrono::steady_clock::time_point now);
  // Releases what the network driver still holds for sandboxes that are gone.
  void collect_network_garbage();
  std::vector<eviction::Threshold> thresholds_;
  int64_t memory_capacity_ = 0;
  std::chrono::steady_clock::time_point next_eviction_check_{};
};

}  // namespace ukube::kubelet
