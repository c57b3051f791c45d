#pragma once

#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "ukube/network/driver.h"
#include "ukube/runtime/driver.h"

// One node's runtime state as the kubelet last saw it (upstream's PLEG cache): every
// sandbox and container, filed by the pod they belong to according to the identity
// labels the kubelet put on them. Rebuilt from one List at start and on every relist;
// between relists, the driver's events update single containers.
namespace ukube::kubelet {

// A pod as the kubelet names it in its work queue: namespace/name.
using PodKey = std::string;

struct PodRuntime {
  std::vector<runtime::PodSandboxStatus> sandboxes;  // newest attempt last
  std::vector<runtime::ContainerStatus> containers;  // by name, then attempt, newest last

  const runtime::PodSandboxStatus* latest_sandbox() const;
  // The newest container of `name` and the one before it (for lastState), or null.
  const runtime::ContainerStatus* latest(const std::string& name) const;
  const runtime::ContainerStatus* previous(const std::string& name) const;
};

class RuntimeView {
 public:
  // `network` (optional) attached the sandboxes that have a namespace of their own: their
  // IPs are the ones it gave.
  explicit RuntimeView(runtime::RuntimeDriver& driver, network::NetworkDriver* network = nullptr)
      : driver_(driver), network_(network) {}

  // Lists everything anew; returns the pods whose runtime state changed (or vanished).
  std::set<PodKey> relist();
  // The pod a sandbox belongs to, as last read; "" when unknown. Cheap, and calls no
  // driver: event handlers use it to find whose state to re-read.
  PodKey pod_of_sandbox(const std::string& sandbox_id) const;
  // Re-reads the sandboxes and containers of one pod from the driver and returns them.
  PodRuntime refresh_pod(const PodKey& pod);

  PodRuntime pod(const PodKey& key) const;
  std::vector<PodKey> pods() const;
  // For kubelet_running_pods / kubelet_running_containers: pods with a ready sandbox,
  // and containers by state ("created", "running", "exited", "unknown").
  struct Counts {
    uint64_t ready_pods = 0;
    std::map<std::string, uint64_t> containers;
  };
  Counts counts() const;

 private:
  struct Entry {
    std::map<std::string, runtime::PodSandboxStatus> sandboxes;  // by id
    std::map<std::string, runtime::ContainerStatus> containers;  // by id
  };
  static PodKey key_of(const runtime::Labels& labels);
  static std::string fingerprint(const Entry& entry);
  static PodRuntime sorted(const Entry& entry);
  std::vector<runtime::PodSandboxStatus> sandboxes(const runtime::PodSandboxFilter& filter) const;

  runtime::RuntimeDriver& driver_;
  network::NetworkDriver* network_;
  mutable std::mutex mutex_;
  std::map<PodKey, Entry> pods_;
  std::map<std::string, PodKey> sandbox_pods_;  // sandbox id → pod
};

}  // namespace ukube::kubelet
