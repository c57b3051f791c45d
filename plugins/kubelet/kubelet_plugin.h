#pragma once

#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "kubelet_server.h"
#include "kubelet_settings.h"
#include "machine_info.h"
#include "node_agent.h"
#include "pod_dns.h"
#include "pod_streams.h"
#include "ukube/controller/event_recorder.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/plugin.h"

// The kubelet plugin (ukube.kubelet.v1.kubelet): one kubelet per configured node, each
// acting as system:node:<name>, running its pods on the configured runtime plugin.
// Everything per process is shared by the kubelets: the pod informer, one work queue of
// pod syncs, one heartbeat thread and one event writer, so a thousand simulated nodes
// cost a thousand small objects, not a thousand sets of threads.
namespace ukube::kubelet {

class KubeletPlugin : public Plugin {
 public:
  KubeletPlugin();
  ~KubeletPlugin() override;
  void init(InitContext& ctx) override;
  void start() override;
  void stop() override;

  const KubeletSettings& settings() const { return settings_; }
  // Every pod sync asked for so far is done (tests).
  bool idle() const { return loop_ && loop_->idle(); }

 private:
  struct Node {
    std::shared_ptr<runtime::RuntimeDriver> driver;
    std::shared_ptr<network::NetworkDriver> network;  // null: none
    std::shared_ptr<Client> client;
  };
  void enqueue(const std::string& node, const PodKey& pod);
  void enqueue_key(const std::string& key);  // node/namespace/name
  void unhealthy(const ProbeRequest& probe, const std::string& message);
  controller::Result reconcile(const std::string& key);
  void heartbeats();
  void on_pod(const ObjectPtr& pod);
  // Binds the HTTPS server with a serving certificate of the cluster CA, when there is one.
  void set_up_server(InitContext& ctx);
  std::shared_ptr<KubeletMetrics> metrics_for(const std::string& node);

  KubeletSettings settings_;
  MachineInfo machine_;
  std::string logs_root_;
  std::string volumes_root_;
  std::shared_ptr<spdlog::logger> log_;
  InformerFactory* informers_ = nullptr;
  std::map<std::string, Node> nodes_;  // by node name, from init
  std::unique_ptr<controller::EventRecorder> events_;
  std::unique_ptr<Prober> prober_;
  std::unique_ptr<PodStreams> streams_;  // outlives server_, which calls it
  std::unique_ptr<KubeletServer> server_;
  std::map<std::string, std::shared_ptr<KubeletMetrics>> metrics_;  // by node name

  std::shared_ptr<Informer> pods_;
  std::shared_ptr<Informer> services_;
  ClusterDns dns_;
  std::map<std::string, std::unique_ptr<NodeAgent>> agents_;  // by node name, while running
  std::unique_ptr<controller::ReconcileLoop> loop_;
  InformerRegistration handlers_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread heartbeat_;
};

}  // namespace ukube::kubelet
