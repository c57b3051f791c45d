#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "probe.h"

// Runs every container probe of every kubelet in the daemon on a few shared threads
// (upstream runs a goroutine per probe; threads are dearer): each probe is due at its
// period, runs on the first free thread, and a change of its result wakes the pod's
// sync. Results follow upstream's workers: readiness starts failing, liveness passing,
// startup unknown; a result flips after successThreshold / failureThreshold runs in a row.
namespace ukube::kubelet {

enum class ProbeResult { Unknown, Success, Failure };

struct ProbeRequest {
  std::string pod;           // the work-queue key to wake: node/namespace/name
  std::string container_id;  // a new container means a new probe
  std::string container;     // its name, for events
  ProbeKind kind = ProbeKind::Readiness;
  ProbeSpec spec;
  ProbeTarget target;
  std::chrono::system_clock::time_point started;  // the container's start, for initialDelaySeconds
};

class Prober {
 public:
  using Changed = std::function<void(const std::string& pod)>;
  // `unhealthy` gets each failed run's event text ("Readiness probe failed: ...").
  using Unhealthy = std::function<void(const ProbeRequest& probe, const std::string& message)>;
  Prober(unsigned threads, Changed changed, Unhealthy unhealthy);
  ~Prober();
  Prober(const Prober&) = delete;
  Prober& operator=(const Prober&) = delete;

  // Starts probing unless this container's probe of this kind runs already.
  void ensure(const ProbeRequest& request);
  // Stops the probes of containers no longer running: every probe of `pod` whose
  // container is not in `running`.
  void retain(const std::string& pod, const std::set<std::string>& running);
  ProbeResult result(const std::string& container_id, ProbeKind kind) const;

 private:
  struct Worker {
    ProbeRequest request;
    ProbeResult result = ProbeResult::Unknown;
    int streak = 0;  // runs in a row agreeing with the last outcome
    bool last_success = false;
    bool running = false;
    bool removed = false;
  };
  static std::string key_of(const std::string& container_id, ProbeKind kind);
  void run();

  Changed changed_;
  Unhealthy unhealthy_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Worker>> workers_;  // by container id + kind
  std::multimap<std::chrono::steady_clock::time_point, std::string> due_;
  std::vector<std::thread> threads_;
};

}  // namespace ukube::kubelet
