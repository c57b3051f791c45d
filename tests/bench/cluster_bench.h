#pragma once

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>

#include <unistd.h>

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

// User and system CPU seconds a process has used, from /proc.
inline double cpu_seconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::istringstream fields(text.substr(text.rfind(')') + 2));  // after the command name
  std::string field;
  unsigned long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14) utime = std::stoull(field);
    if (i == 15) stime = std::stoull(field);
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

class Stopwatch {
 public:
  double seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

 private:
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// Waits (at most `limit`) until the jsonpath template over `what` reads `want`, e.g.
// "{.status.replicas} {.status.availableReplicas}". Polls every 100 ms, as a watching user
// would, not back to back: one kubectl run costs 50-100 ms of CPU, which on two cores
// would otherwise be taken from the daemon being measured.
inline bool wait_for(const Kubectl& kubectl, const std::string& what, const std::string& jsonpath,
                     const std::string& want, std::chrono::seconds limit) {
  return testing::eventually(
      [&] {
        CommandResult r = kubectl("get " + what + " -o jsonpath=" + testing::shell_quote(jsonpath));
        return r.exit_code == 0 && r.out == want;
      },
      limit, std::chrono::milliseconds(100));
}

// `cpu`: the daemon's CPU seconds in the phase, steadier than the wall clock on a busy
// machine; left out when negative.
inline void print_row(const char* what, double seconds, double objects, double rss, double cpu = -1) {
  std::printf("%-52s %8.1f s %10.0f objects/s   RSS %7.0f MiB", what, seconds, objects / seconds, rss);
  if (cpu >= 0) std::printf("   daemon CPU %6.1f s", cpu);
  std::printf("\n");
  std::fflush(stdout);
}

}  // namespace ukube::bench
