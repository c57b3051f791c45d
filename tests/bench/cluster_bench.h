#pragma once

#include <chrono>
#include <cstdio>
#include <fstream>
#include <string>

#include "tests/integration/kubectl_harness.h"
#include "tests/support/eventually.h"

// What the cluster benchmarks share: a daemon with the scheduler, the controllers they
// need and kubelets on the fake runtime, driven with real kubectl; the clock and the
// daemon's resident memory.
namespace ukube::bench {

using testing::CommandResult;
using testing::Kubectl;
using testing::Node;

// Plugins beside the harness's base set (API server, built-in types, x509, RBAC): the
// Node authorizer and NodeRestriction the kubelets go through, the scheduler, the
// ReplicaSet and Deployment controllers, and `nodes` kubelets on the fake runtime.
inline std::string cluster_plugins(int nodes, int max_pods) {
  return "  - uri: ukube.authorizer.v1.node\n"
         "  - uri: ukube.admission.v1.node-restriction\n"
         "  - uri: ukube.scheduler.v1.default\n"
         "  - uri: ukube.controller.v1.replicaset\n"
         "  - uri: ukube.controller.v1.deployment\n"
         "  - uri: ukube.controller.v1.garbagecollector\n"
         // 100,000 simulated pods need more addresses than the default 10.42.0.0/16
         // holds. They are only written into pod status: nothing routes to them.
         "  - uri: ukube.runtime.v1.fake\n"
         "    config: {pod_cidr: 10.64.0.0/12}\n"
         "  - uri: ukube.kubelet.v1.kubelet\n"
         "    config: {node_name: sim, port: 0, nodes: " +
         std::to_string(nodes) + ", max_pods: " + std::to_string(max_pods) + "}\n";
}

// Resident memory of a process in MiB, from /proc.
inline double rss_mib(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string key;
  long kib = 0;
  std::string unit;
  while (in >> key) {
    if (key == "VmRSS:") {
      in >> kib >> unit;
      return static_cast<double>(kib) / 1024.0;
    }
    std::getline(in, unit);
  }
  return 0;
}

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Waits (polling kubectl, at most `limit`) until the jsonpath template over `what` reads
// `want`, e.g. "{.status.replicas} {.status.availableReplicas}".
inline bool wait_for(const Kubectl& kubectl, const std::string& what, const std::string& jsonpath,
                     const std::string& want, std::chrono::seconds limit) {
  return testing::eventually(
      [&] {
        CommandResult r = kubectl("get " + what + " -o jsonpath=" + testing::shell_quote(jsonpath));
        return r.exit_code == 0 && r.out == want;
      },
      limit);
}

inline void print_row(const char* what, double seconds, double objects, double rss) {
  std::printf("%-52s %8.1f s %10.0f objects/s   RSS %7.0f MiB\n", what, seconds, objects / seconds, rss);
  std::fflush(stdout);
}

}  // namespace ukube::bench
