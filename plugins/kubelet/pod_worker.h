#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>

#include <boost/json/object.hpp>

#include "kubelet_metrics.h"
#include "pod_dns.h"
#include "pod_status.h"
#include "prober.h"
#include "restart_backoff.h"
#include "runtime_view.h"
#include "ukube/client.h"
#include "ukube/controller/reconcile_loop.h"
#include "ukube/informer.h"
#include "ukube/runtime/driver.h"
#include "volume_manager.h"

namespace spdlog {
class logger;
}
namespace ukube::controller {
class EventRecorder;
}

// One node's pods (upstream's pod workers + SyncPod): each sync brings one pod's
// containers in line with its spec — sandbox, init containers in order, then the app
// containers with their restart policy and back-off — and reports its status. A pod
// being deleted is stopped within its grace period and then removed from the API.
// Syncs of one pod never overlap (the reconcile loop sees to that).
namespace ukube::kubelet {

struct PodWorkerDeps {
  std::string node_name;
  std::string node_ip;
  std::string logs_root;
  std::shared_ptr<runtime::RuntimeDriver> driver;
  // Attaches sandboxes that have a network namespace of their own; null: none is attached
  // (their pods get the node's IP).
  std::shared_ptr<network::NetworkDriver> network;
  RuntimeView* view = nullptr;
  std::shared_ptr<Client> client;      // as system:node:<node_name>
  std::shared_ptr<Informer> pods;      // every pod, shared
  std::shared_ptr<Informer> services;  // for the containers' Service variables; null: none
  const ClusterDns* dns = nullptr;     // for pods' resolv.conf; null: the runtime's default
  controller::EventRecorder* events = nullptr;
  Prober* prober = nullptr;  // shared by every kubelet of the daemon
  std::shared_ptr<spdlog::logger> log;
  std::string volumes_root;  // empty: pods get no volumes
  KubeletMetrics* metrics = nullptr;
};

class PodWorker {
 public:
  explicit PodWorker(PodWorkerDeps deps);
  controller::Result sync(const PodKey& key);
  // Node-pressure eviction: the pod of `uid` is to be killed and reported Failed with
  // `failure` at its next sync (the caller queues one).
  void evict(const std::string& uid, PodFailure failure);

 private:
  struct Sync;  // one sync's working state (pod_worker.cpp)

  controller::Result terminate(Sync& s);
  controller::Result stop_terminal(Sync& s);
  controller::Result run(Sync& s);
  // Past spec.activeDeadlineSeconds since status.startTime: the containers are stopped and
  // the pod is to be reported Failed (true). Otherwise a sync is due when it passes.
  bool past_active_deadline(Sync& s);
  // An eviction was asked for this pod: its containers are stopped and it is to be reported Failed.
  bool evicted(Sync& s);
  bool ensure_sandbox(Sync& s);
  // Attaches `sandbox` to the pod network unless it is already; false when that failed
  // (an event says why and a retry is queued).
  bool attach_network(Sync& s, const runtime::PodSandboxStatus& sandbox);
  // The runtime's stop and remove of a sandbox, its network detached first, while its
  // namespace is still there.
  void stop_sandbox(const runtime::PodSandboxStatus& sandbox);
  void remove_sandbox(const runtime::PodSandboxStatus& sandbox);
  void detach_network(const runtime::PodSandboxStatus& sandbox);
  // Publishes (and refreshes) the pod's volumes; false when one failed (FailedMount).
  bool mount_volumes(Sync& s);
  // A bound token of the pod's service account, re-requested at 80% of its life.
  std::string service_account_token(const Sync& s, const std::string& audience, int64_t expiration_seconds);
  // Drops what this worker keeps for a pod incarnation that is gone: volumes, tokens, status.
  void forget_pod(const std::string& uid);
  ObjectPtr lookup_object(const std::string& kind, const std::string& ns, const std::string& name);
  // Starts `container` as attempt `attempt`; false when it could not (the reason is in s.waiting).
  bool start_container(Sync& s, const boost::json::object& container, uint32_t attempt);
  bool pull_image(Sync& s, const boost::json::object& container);
  // Runs the container's postStart hook; when it fails the container is killed (false).
  bool run_post_start(Sync& s, const boost::json::object& container, const std::string& id);
  // Stops one container: its preStop hook first, within `grace`, then the runtime's stop
  // with what is left. Returns the hook's failure message, if it failed.
  std::optional<std::string> kill_container(const Sync& s, const runtime::ContainerStatus& c,
                                            std::chrono::seconds grace);
  // Restarts an exited container unless back-off holds it (then CrashLoopBackOff).
  void restart_with_backoff(Sync& s, const boost::json::object& container,
                            const runtime::ContainerStatus& last);
  void stop_containers(Sync& s, std::chrono::seconds grace);
  void remove_other_incarnations(Sync& s);
  // Starts the probes of running containers, stops those of others, and kills a container
  // whose liveness or startup probe failed (the restart policy decides what comes next).
  void probe(Sync& s);
  std::map<std::string, ContainerHealth> health(const Sync& s) const;
  void report(Sync& s);
  void event(const Sync& s, const std::string& container, const std::string& type, const std::string& reason,
             const std::string& message);

  PodWorkerDeps deps_;
  std::string runtime_name_;
  RestartBackoff crash_backoff_;
  RestartBackoff pull_backoff_;
  std::mutex mutex_;
  // pod uid → hash of the status last written (serialized): a hash, not the text, as a
  // node simulating thousands of pods would keep a kilobyte each for this alone.
  std::map<std::string, size_t> reported_;
  std::unique_ptr<VolumeManager> volumes_;  // null on a simulated runtime, as kwok mounts nothing
  struct Token {
    std::string token;
    std::chrono::system_clock::time_point refresh_at;
  };
  std::map<std::string, Token> tokens_;  // by pod uid/audience/expiration
  // When this kubelet first saw each pod not yet running, for kubelet_pod_start_duration_seconds.
  // A pod is counted once: a stale cache may show it Pending again after it ran.
  struct FirstSeen {
    std::chrono::steady_clock::time_point at;
    bool counted = false;
  };
  std::map<std::string, FirstSeen> first_seen_;
  std::map<std::string, PodFailure> evictions_;  // by pod uid, until its sync carries them out
  // Pods this kubelet ended (deadline, eviction), by uid: a sync that still reads the pod
  // as running from a stale cache must not start it again.
  std::map<std::string, PodFailure> ended_;
};

}  // namespace ukube::kubelet
